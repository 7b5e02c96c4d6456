package io.tributary.benchmarks;

import io.tributary.ingest.IngestJobMain;
import io.tributary.ingest.IngestOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.SchemaRegistry;
import io.tributary.testkit.infra.TempDirs;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Ingest throughput on the real broker, next to the baseline of a plain Kafka consumer → producer
 * copy of the same bytes, measured in the same run so that machine noise affects both alike. Prints
 * the figures and writes them to {@code benchmarks/results/ingest.md}.
 */
@Command(
        name = "bench-ingest",
        mixinStandardHelpOptions = true,
        description = "Ingest job events/s vs a plain Kafka copy of the same records.")
public final class IngestBenchmark implements Callable<Integer> {
    private static final String RAW_TOPIC = "bench.raw";
    private static final String WARMUP_TOPIC = "bench.warmup";
    private static final String BASELINE = "plain Kafka consumer -> producer copy";

    @Option(
            names = "--events",
            defaultValue = "1000000",
            description = "Raw records to load (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(
            names = "--backends",
            split = ",",
            defaultValue = "ROCKSDB,HASHMAP",
            description = "State backends to measure (default: ${DEFAULT-VALUE}).")
    List<RuntimeOptions.StateBackend> backends;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "10s",
            description =
                    "Checkpoint interval of the ingest job, as its default (default: ${DEFAULT-VALUE}).")
    String checkpointInterval;

    @Option(
            names = "--dedup-filter-off",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Also measure each backend with --no-dedup-filter, the design before the filter (default: ${DEFAULT-VALUE}).")
    boolean withoutDedupFilter;

    @Option(
            names = "--warmup-events",
            defaultValue = "1000000",
            description =
                    "Records each pipeline reads once before the measured rounds, not counted, so that the JIT"
                            + " has compiled the job's code before it is timed; 0 for none (default: ${DEFAULT-VALUE}).")
    int warmupEvents;

    @Option(
            names = "--rounds",
            defaultValue = "3",
            description =
                    "Rounds, each measuring the baseline and every backend in turn (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--results",
            defaultValue = "results/ingest.md",
            description = "Results file (default: ${DEFAULT-VALUE}).")
    Path results;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestBenchmark()).execute(args));
    }

    /** One configuration of the ingest job. */
    record Variant(String name, RuntimeOptions.StateBackend backend, List<String> args) {}

    private List<Variant> variants() {
        List<Variant> variants = new ArrayList<>();
        for (RuntimeOptions.StateBackend backend : backends) {
            String state = backend.name().toLowerCase(Locale.ROOT) + " state";
            variants.add(
                    new Variant("ingest job, " + state + ", EXACTLY_ONCE", backend, List.of()));
            if (withoutDedupFilter) {
                variants.add(
                        new Variant(
                                "ingest job, " + state + ", no dedup filter",
                                backend,
                                List.of("--no-dedup-filter")));
            }
        }
        return variants;
    }

    @Override
    public Integer call() throws Exception {
        Path work = TempDirs.create("bench");
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        try (KafkaBroker kafka = KafkaBroker.start();
                SchemaRegistry registry = SchemaRegistry.start()) {
            kafka.createTopics(2, RAW_TOPIC, WARMUP_TOPIC);
            long bytes = load(kafka, RAW_TOPIC, events);
            say(
                    String.format(
                            Locale.ROOT,
                            "Loaded %,d records (%,d MiB) into %s",
                            events,
                            bytes >> 20,
                            RAW_TOPIC));
            int run = 0;
            if (warmupEvents > 0) {
                load(kafka, WARMUP_TOPIC, warmupEvents);
                plainCopy(kafka, "warmup", WARMUP_TOPIC, warmupEvents);
                for (Variant variant : variants()) {
                    ingest(
                            kafka,
                            registry,
                            work.resolve("run" + run),
                            variant,
                            run++,
                            WARMUP_TOPIC,
                            warmupEvents);
                }
                say(String.format(Locale.ROOT, "warmed up on %,d records", warmupEvents));
            }
            for (int round = 1; round <= rounds; round++) {
                Run copy = plainCopy(kafka, Integer.toString(round), RAW_TOPIC, events);
                runs.computeIfAbsent(BASELINE, k -> new ArrayList<>()).add(copy);
                say(String.format(Locale.ROOT, "round %d: %-45s %s", round, BASELINE, copy));
                for (Variant variant : variants()) {
                    Run ingest =
                            ingest(
                                    kafka,
                                    registry,
                                    work.resolve("run" + run),
                                    variant,
                                    run++,
                                    RAW_TOPIC,
                                    events);
                    runs.computeIfAbsent(variant.name(), k -> new ArrayList<>()).add(ingest);
                    say(
                            String.format(
                                    Locale.ROOT,
                                    "round %d: %-45s %s",
                                    round,
                                    variant.name(),
                                    ingest));
                }
            }
            write(runs);
        } finally {
            TempDirs.delete(work);
        }
        return 0;
    }

    /**
     * One measured run: records/s over the whole run (start and final commit included) and in
     * steady state ({@link ThroughputSampler}), both per input record.
     */
    record Run(double whole, double steady, double firstOutput, List<double[]> progress) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "whole %,9.0f/s  steady %,9.0f/s  first output after %.1f s",
                    whole,
                    steady,
                    firstOutput);
        }
    }

    private static long load(KafkaBroker kafka, String topic, int count) throws Exception {
        // Duplicates as gateways produce them; no malformed records, whose oversized samples
        // would dominate the bytes moved.
        TrafficGenerator generator = new TrafficGenerator(1, System::currentTimeMillis, 0.03, 0.0);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (int i = 0; i < count; i++) {
                GeneratedRecord record = generator.next();
                bytes += record.value().length;
                producer.send(new ProducerRecord<>(topic, record.key(), record.value()));
            }
            producer.flush();
        }
        return bytes;
    }

    private static Run plainCopy(KafkaBroker kafka, String round, String source, int count) {
        String target = "bench.copy-" + round;
        kafka.createTopics(2, target);
        AtomicLong copied = new AtomicLong();
        long start = System.nanoTime();
        ThroughputSampler sampler = ThroughputSampler.of(copied::get);
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                Map.of(
                                        "bootstrap.servers", kafka.bootstrapServers(),
                                        "group.id", "bench-copy-" + round,
                                        "auto.offset.reset", "earliest",
                                        "enable.auto.commit", "false",
                                        "max.poll.records", "2000"),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            consumer.subscribe(List.of(source));
            while (copied.get() < count) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    producer.send(new ProducerRecord<>(target, record.key(), record.value()));
                    copied.incrementAndGet();
                }
            }
            producer.flush();
        } finally {
            sampler.close();
        }
        double whole = copied.get() / ((System.nanoTime() - start) / 1e9);
        return new Run(whole, sampler.steadyState(), sampler.firstOutput(), sampler.series());
    }

    private Run ingest(
            KafkaBroker kafka,
            SchemaRegistry registry,
            Path work,
            Variant variant,
            int run,
            String source,
            int count)
            throws Exception {
        StreamExecutionEnvironment env = LocalRuns.environment(work);
        IngestOptions options = new IngestOptions();
        String suffix = "-" + run;
        List<String> outputs =
                List.of(
                        "bench.player" + suffix,
                        "bench.media" + suffix,
                        "bench.commerce" + suffix,
                        "bench.iot" + suffix,
                        "bench.dlq" + suffix);
        // Created first, as production does: a transactional producer writing to a partition the
        // broker is still auto-creating was seen retrying for its whole delivery timeout.
        kafka.createTopics(2, outputs.toArray(String[]::new));
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--registry-url",
                                registry.url(),
                                "--raw-topics",
                                source,
                                "--player-topic",
                                outputs.get(0),
                                "--media-topic",
                                outputs.get(1),
                                "--commerce-topic",
                                outputs.get(2),
                                "--iot-topic",
                                outputs.get(3),
                                "--dead-letter-topic",
                                outputs.get(4),
                                "--group-id",
                                "bench-ingest" + suffix,
                                "--transactional-id-prefix",
                                "bench" + suffix,
                                "--transaction-timeout",
                                "5m",
                                "--checkpoint-interval",
                                checkpointInterval,
                                "--state-backend",
                                variant.backend().name(),
                                "--bounded"));
        args.addAll(variant.args());
        new CommandLine(options).parseArgs(args.toArray(String[]::new));
        options.runtime.configure(env);
        IngestJobMain.buildOnKafka(env, options);
        long start = System.nanoTime();
        ThroughputSampler sampler =
                ThroughputSampler.ofTopics(kafka.bootstrapServers(), outputs, 2);
        try {
            env.execute("bench ingest, " + variant.name());
        } finally {
            sampler.close();
        }
        double whole = count / ((System.nanoTime() - start) / 1e9);
        // Outputs are the inputs less the duplicates: per input record, like the whole-run figure.
        List<double[]> progress = sampler.series();
        double written = progress.get(progress.size() - 1)[1];
        double perInput = written > 0 ? count / written : 1;
        List<double[]> scaled = new ArrayList<>();
        for (double[] p : progress) {
            scaled.add(new double[] {p[0], p[1] * perInput});
        }
        return new Run(whole, sampler.steadyState() * perInput, sampler.firstOutput(), scaled);
    }

    private static KafkaProducer<byte[], byte[]> producer(KafkaBroker kafka) {
        // Batches in flight as a throughput-minded copy tool would run them.
        return kafka.producer(
                Map.of(
                        "linger.ms",
                        20,
                        "batch.size",
                        262_144,
                        "compression.type",
                        "lz4",
                        "max.in.flight.requests.per.connection",
                        5));
    }

    private void write(Map<String, List<Run>> runs) throws Exception {
        double baselineWhole = median(runs.get(BASELINE), Run::whole);
        double baselineSteady = median(runs.get(BASELINE), Run::steady);
        StringBuilder text =
                new StringBuilder()
                        .append("# Ingest throughput\n\n")
                        .append("Measured ")
                        .append(Instant.now())
                        .append(" on ")
                        .append(Runtime.getRuntime().availableProcessors())
                        .append(" cores; ")
                        .append(String.format(Locale.ROOT, "%,d", events))
                        .append(
                                " generated records (3% duplicates), 2 partitions, broker on the same machine; ")
                        .append(rounds)
                        .append(
                                " rounds, each measuring the baseline and every variant in turn, after ")
                        .append(
                                warmupEvents > 0
                                        ? String.format(
                                                Locale.ROOT,
                                                "each pipeline read %,d other records once (not counted) so that its code was compiled.\n",
                                                warmupEvents)
                                        : "no warm-up (the JIT compiles during the first round).\n")
                        .append(
                                "Ingest runs on a local MiniCluster at parallelism 2, checkpoints every ")
                        .append(checkpointInterval)
                        .append(
                                ", both sinks EXACTLY_ONCE. *Whole run* includes job start and the final")
                        .append(
                                " commit; *steady state* is the rate between 10% and 90% of the run's output, read from the")
                        .append(" output topics' log end (open transactions included) every ")
                        .append(ThroughputSampler.INTERVAL_MS)
                        .append(
                                " ms. Both count input records per second. Medians over the rounds; the chart shows round 1.\n\n")
                        .append(
                                "| pipeline | whole run | of baseline | steady state | of baseline | first output after | runs (whole / steady) |\n")
                        .append("|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<Run>> pipeline : runs.entrySet()) {
            List<Run> r = pipeline.getValue();
            double whole = median(r, Run::whole);
            double steady = median(r, Run::steady);
            StringBuilder each = new StringBuilder();
            for (Run run : r) {
                each.append(each.length() == 0 ? "" : "; ")
                        .append(
                                String.format(
                                        Locale.ROOT, "%,.0f / %,.0f", run.whole(), run.steady()));
            }
            text.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,.0f | %.2f | %,.0f | %.2f | %.1f s | %s |%n",
                            pipeline.getKey(),
                            whole,
                            whole / baselineWhole,
                            steady,
                            steady / baselineSteady,
                            median(r, Run::firstOutput),
                            each));
        }
        Path chart =
                results.resolveSibling(
                        results.getFileName().toString().replaceFirst("\\.md$", "") + ".svg");
        text.append("\n![records/s over time, round 1](").append(chart.getFileName()).append(")\n");
        LocalRuns.writeResults(results, text.toString());
        RateChart rates = new RateChart("Ingest: input records/s over time (round 1)");
        runs.forEach((name, r) -> rates.add(name, r.get(0).progress()));
        LocalRuns.writeResults(chart, rates.svg());
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
