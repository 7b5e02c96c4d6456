package io.tributary.benchmarks;

import io.tributary.aggregations.AggregationsJobMain;
import io.tributary.aggregations.AggregationsOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Domain;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.SchemaRegistry;
import io.tributary.testkit.infra.TempDirs;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Events/s of the aggregations job on the real broker, with the heap and the RocksDB backends in
 * the same run. Input: canonical envelopes (player, commerce, IoT) as the ingest job writes them.
 * Prints the figures and writes them to {@code benchmarks/results/aggregations.md}.
 */
@Command(
        name = "bench-aggregations",
        mixinStandardHelpOptions = true,
        description = "Aggregations job events/s with heap and RocksDB state.")
public final class AggregationsBenchmark implements Callable<Integer> {
    private static final List<String> INPUTS =
            List.of("bench.events.player", "bench.events.commerce", "bench.events.iot");

    // Each run includes job start and the final checkpoint that commits the last transactions (up
    // to one checkpoint interval of waiting): with 300,000 events that was half of a run's time.
    @Option(
            names = "--events",
            defaultValue = "2000000",
            description = "Canonical events to load (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(
            names = "--backends",
            split = ",",
            defaultValue = "HASHMAP,ROCKSDB",
            description = "State backends (default: ${DEFAULT-VALUE}).")
    List<RuntimeOptions.StateBackend> backends;

    @Option(
            names = "--warmup",
            defaultValue = "true",
            negatable = true,
            description =
                    "Run the job once, unmeasured, before the measured runs; the first run on a fresh JVM was 5-10x slower in either backend (default: ${DEFAULT-VALUE}).")
    boolean warmup;

    @Option(
            names = "--results",
            defaultValue = "results/aggregations.md",
            description = "Results file (default: ${DEFAULT-VALUE}).")
    Path results;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AggregationsBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = TempDirs.create("bench-agg");
        List<String> rows = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start();
                SchemaRegistry registry = SchemaRegistry.start()) {
            kafka.createTopics(2, INPUTS.toArray(String[]::new));
            int loaded = load(kafka, registry);
            System.out.printf(Locale.ROOT, "Loaded %,d canonical events%n", loaded);
            int run = 0;
            if (warmup) {
                double warm =
                        loaded
                                / seconds(
                                        kafka,
                                        registry,
                                        work.resolve("warmup"),
                                        backends.get(0),
                                        run++);
                System.out.printf(
                        Locale.ROOT,
                        "warm-up run (%s, not reported)     %,10.0f events/s%n",
                        backends.get(0),
                        warm);
            }
            for (RuntimeOptions.StateBackend backend : backends) {
                double perSecond =
                        loaded
                                / seconds(
                                        kafka, registry, work.resolve("run" + run), backend, run++);
                System.out.printf(
                        Locale.ROOT,
                        "aggregations job (%s, exactly-once)  %,10.0f events/s%n",
                        backend,
                        perSecond);
                rows.add(
                        String.format(
                                Locale.ROOT,
                                "| aggregations job, %s state, EXACTLY_ONCE | %,.0f |",
                                backend.name().toLowerCase(Locale.ROOT),
                                perSecond));
            }
            write(rows, loaded);
        } finally {
            TempDirs.delete(work);
        }
        return 0;
    }

    private int load(KafkaBroker kafka, SchemaRegistry registry) throws Exception {
        return CanonicalLoad.load(
                kafka,
                registry,
                Map.of(
                        Domain.PLAYER,
                        INPUTS.get(0),
                        Domain.COMMERCE,
                        INPUTS.get(1),
                        Domain.IOT,
                        INPUTS.get(2)),
                events);
    }

    private double seconds(
            KafkaBroker kafka,
            SchemaRegistry registry,
            Path work,
            RuntimeOptions.StateBackend backend,
            int run)
            throws Exception {
        StreamExecutionEnvironment env = LocalRuns.environment(work);
        AggregationsOptions options = new AggregationsOptions();
        String suffix = "-" + run;
        // Output topics exist before the job starts, as in production: a transactional producer of
        // kafka-clients 3.4 writing to a partition that the 4.2 broker is still auto-creating
        // resets
        // its sequence numbers and retries OutOfOrderSequenceException until its delivery timeout.
        kafka.createTopics(
                2,
                Stream.of("qoe", "commerce", "iot", "sessions", "trending", "late", "dead-letters")
                        .map(name -> "bench." + name + suffix)
                        .toArray(String[]::new));
        new CommandLine(options)
                .parseArgs(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--registry-url",
                        registry.url(),
                        "--input-topics",
                        String.join(",", INPUTS),
                        "--qoe-topic",
                        "bench.qoe" + suffix,
                        "--commerce-topic",
                        "bench.commerce" + suffix,
                        "--iot-topic",
                        "bench.iot" + suffix,
                        "--sessions-topic",
                        "bench.sessions" + suffix,
                        "--trending-topic",
                        "bench.trending" + suffix,
                        "--late-topic",
                        "bench.late" + suffix,
                        "--dead-letter-topic",
                        "bench.dead-letters" + suffix,
                        "--group-id",
                        "bench-agg" + suffix,
                        "--transactional-id-prefix",
                        "bench-agg" + suffix,
                        "--transaction-timeout",
                        "5m",
                        "--state-backend",
                        backend.name(),
                        "--bounded");
        options.runtime.configure(env);
        AggregationsJobMain.buildOnKafka(env, options);
        long start = System.nanoTime();
        env.execute("bench aggregations " + backend);
        return (System.nanoTime() - start) / 1e9;
    }

    private void write(List<String> rows, int loaded) throws Exception {
        StringBuilder text =
                new StringBuilder()
                        .append("# Aggregations throughput\n\n")
                        .append("Measured ")
                        .append(Instant.now())
                        .append(" on ")
                        .append(Runtime.getRuntime().availableProcessors())
                        .append(" cores; ")
                        .append(String.format(Locale.ROOT, "%,d", loaded))
                        .append(
                                " canonical events (player, commerce, IoT as generated), 2 partitions per topic, broker on the same machine.\n")
                        .append(
                                "All six aggregations (QoE, QoE per rendition, trending, sessions, commerce, IoT) in two phases (combined before the shuffle)")
                        .append(" at parallelism 2, checkpoints every 10 s,")
                        .append(
                                " every sink EXACTLY_ONCE; the time includes job start and the final commit; one unmeasured warm-up run first.\n\n")
                        .append("| pipeline | events/s |\n|---|---|\n");
        rows.forEach(r -> text.append(r).append('\n'));
        LocalRuns.writeResults(results, text.toString());
    }
}
