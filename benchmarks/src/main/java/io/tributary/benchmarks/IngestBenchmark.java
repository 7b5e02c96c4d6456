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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
            names = "--results",
            defaultValue = "results/ingest.md",
            description = "Results file (default: ${DEFAULT-VALUE}).")
    Path results;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = TempDirs.create("bench");
        List<String> lines = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start();
                SchemaRegistry registry = SchemaRegistry.start()) {
            kafka.createTopics(2, RAW_TOPIC, "bench.copy");
            long bytes = load(kafka);
            say(
                    String.format(
                            Locale.ROOT,
                            "Loaded %,d records (%,d MiB) into %s",
                            events,
                            bytes >> 20,
                            RAW_TOPIC));

            double baseline = plainCopy(kafka);
            say(
                    String.format(
                            Locale.ROOT,
                            "baseline: plain consumer -> producer copy   %,10.0f records/s",
                            baseline));
            lines.add(row("plain Kafka consumer -> producer copy", baseline, baseline));

            int run = 0;
            for (RuntimeOptions.StateBackend backend : backends) {
                double ingest = ingest(kafka, registry, work.resolve("run" + run), backend, run++);
                say(
                        String.format(
                                Locale.ROOT,
                                "ingest job (%s, exactly-once)         %,10.0f records/s  ratio %.2f",
                                backend,
                                ingest,
                                ingest / baseline));
                lines.add(
                        row(
                                "ingest job, "
                                        + backend.name().toLowerCase(Locale.ROOT)
                                        + " state, EXACTLY_ONCE",
                                ingest,
                                baseline));
            }
            write(lines);
        } finally {
            TempDirs.delete(work);
        }
        return 0;
    }

    private long load(KafkaBroker kafka) throws Exception {
        // Duplicates as gateways produce them; no malformed records, whose oversized samples
        // would dominate the bytes moved.
        TrafficGenerator generator = new TrafficGenerator(1, System::currentTimeMillis, 0.03, 0.0);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (int i = 0; i < events; i++) {
                GeneratedRecord record = generator.next();
                bytes += record.value().length;
                producer.send(new ProducerRecord<>(RAW_TOPIC, record.key(), record.value()));
            }
            producer.flush();
        }
        return bytes;
    }

    private double plainCopy(KafkaBroker kafka) {
        long copied = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                Map.of(
                                        "bootstrap.servers",
                                        kafka.bootstrapServers(),
                                        "group.id",
                                        "bench-copy",
                                        "auto.offset.reset",
                                        "earliest",
                                        "enable.auto.commit",
                                        "false",
                                        "max.poll.records",
                                        "2000"),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            consumer.subscribe(List.of(RAW_TOPIC));
            while (copied < events) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    producer.send(new ProducerRecord<>("bench.copy", record.key(), record.value()));
                    copied++;
                }
            }
            producer.flush();
        }
        return copied / ((System.nanoTime() - start) / 1e9);
    }

    private double ingest(
            KafkaBroker kafka,
            SchemaRegistry registry,
            Path work,
            RuntimeOptions.StateBackend backend,
            int run)
            throws Exception {
        StreamExecutionEnvironment env = LocalRuns.environment(work);
        IngestOptions options = new IngestOptions();
        String suffix = "-" + run;
        new CommandLine(options)
                .parseArgs(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        registry.url(),
                        "--raw-topics",
                        RAW_TOPIC,
                        "--player-topic",
                        "bench.player" + suffix,
                        "--media-topic",
                        "bench.media" + suffix,
                        "--commerce-topic",
                        "bench.commerce" + suffix,
                        "--iot-topic",
                        "bench.iot" + suffix,
                        "--dead-letter-topic",
                        "bench.dlq" + suffix,
                        "--group-id",
                        "bench-ingest" + suffix,
                        "--transactional-id-prefix",
                        "bench" + suffix,
                        "--transaction-timeout",
                        "5m",
                        "--checkpoint-interval",
                        checkpointInterval,
                        "--state-backend",
                        backend.name(),
                        "--bounded");
        options.runtime.configure(env);
        IngestJobMain.buildOnKafka(env, options);
        long start = System.nanoTime();
        env.execute("bench ingest " + backend);
        return events / ((System.nanoTime() - start) / 1e9);
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

    private static String row(String name, double perSecond, double baseline) {
        return String.format(
                Locale.ROOT, "| %s | %,.0f | %.2f |", name, perSecond, perSecond / baseline);
    }

    private void write(List<String> rows) throws Exception {
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
                                " generated records (3% duplicates), 2 partitions, broker on the same machine.\n")
                        .append(
                                "Ingest runs on a local MiniCluster at parallelism 2, checkpoints every ")
                        .append(checkpointInterval)
                        .append(", both sinks EXACTLY_ONCE;")
                        .append(" its time includes job start and the final commit.\n\n")
                        .append("| pipeline | records/s | of baseline |\n|---|---|---|\n");
        rows.forEach(r -> text.append(r).append('\n'));
        LocalRuns.writeResults(results, text.toString());
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
