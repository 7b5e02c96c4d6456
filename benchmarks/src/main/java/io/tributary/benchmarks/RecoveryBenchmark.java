package io.tributary.benchmarks;

import io.tributary.launcher.FlinkRest;
import io.tributary.launcher.SuiteJob;
import io.tributary.schemas.Topics;
import io.tributary.testkit.infra.FlinkCluster;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.SchemaRegistry;
import io.tributary.testkit.infra.TempDirs;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Time from a TaskManager's {@code kill -9} to the job's first new output, on a real standalone
 * cluster: the ingest job submitted from its jar, live traffic through the real broker, a
 * read_committed consumer on the canonical topics. After each kill a replacement TaskManager is
 * started at once, as a Kubernetes Deployment or a process supervisor would. Each interval is
 * broken down: the JobManager declaring the TaskManager lost, the replacement registering, every
 * task running again, and the first committed output (which waits for the first checkpoint after
 * the restart, so the checkpoint interval is part of it). Writes {@code results/recovery.md}.
 */
@Command(
        name = "bench-recovery",
        mixinStandardHelpOptions = true,
        description =
                "TaskManager kill -9 -> first new output of the ingest job on a real standalone cluster.")
public final class RecoveryBenchmark implements Callable<Integer> {
    private static final List<String> CANONICAL =
            List.of(
                    Topics.EVENTS_PLAYER,
                    Topics.EVENTS_MEDIA,
                    Topics.EVENTS_COMMERCE,
                    Topics.EVENTS_IOT);

    @Option(
            names = "--kills",
            defaultValue = "2",
            description =
                    "TaskManager kills of each kind, cold replacement and standby (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(
            names = "--rate",
            defaultValue = "1000",
            description = "Input records/s (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "1s",
            description = "The job's checkpoint interval (default: ${DEFAULT-VALUE}).")
    String checkpointInterval;

    @Option(
            names = "--jars",
            defaultValue = "..",
            description =
                    "Repository root or directory with the job jars (default: ${DEFAULT-VALUE}).")
    Path jars;

    @Option(
            names = "--keep-logs",
            description = "Copy the cluster's logs here before it shuts down.")
    Path keepLogs;

    @Option(
            names = "--results",
            defaultValue = "results/recovery.md",
            description = "Results file (default: ${DEFAULT-VALUE}).")
    Path results;

    /** One kill, in seconds after it. */
    private record Recovery(
            String mode,
            double lost,
            double replacementRegistered,
            double running,
            double firstOutput) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new RecoveryBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path jar = SuiteJob.INGEST.jarIn(jars);
        Path work = TempDirs.create("bench-recovery");
        List<Recovery> recoveries = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start();
                SchemaRegistry registry = SchemaRegistry.start();
                FlinkCluster cluster = FlinkCluster.start(2)) {
            kafka.createTopics(2, Topics.list(Topics.RAW_ALL).toArray(String[]::new));
            kafka.createTopics(2, CANONICAL.toArray(String[]::new));
            kafka.createTopics(2, Topics.INGEST_DEAD_LETTERS);
            FlinkRest rest = new FlinkRest(cluster.restUrl());
            String jarId = rest.upload(jar);
            String job =
                    rest.run(
                            jarId,
                            new FlinkRest.Run(
                                    List.of(
                                            "--bootstrap-servers",
                                            kafka.bootstrapServers(),
                                            "--registry-url",
                                            registry.url(),
                                            "--checkpoint-interval",
                                            checkpointInterval,
                                            "--checkpoint-dir",
                                            work.resolve("checkpoints").toUri().toString(),
                                            "--transaction-timeout",
                                            "5m"),
                                    2,
                                    null,
                                    false));
            cluster.awaitAllTasksRunning(job, Duration.ofMinutes(2));

            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentSkipListSet<Long> outputSeen = new ConcurrentSkipListSet<>();
            Thread traffic = new Thread(() -> produce(kafka, running), "traffic");
            Thread output = new Thread(() -> watchOutput(kafka, running, outputSeen), "output");
            traffic.start();
            output.start();
            try {
                awaitOutputAfter(outputSeen, System.nanoTime(), Duration.ofMinutes(2));
                // First a replacement started only after the kill (a cold JVM), then with a standby
                // TaskManager already registered, as a cluster with spare slots runs.
                for (int kill = 1; kill <= 2 * kills; kill++) {
                    boolean standby = kill > kills;
                    if (kill == kills + 1) {
                        cluster.startTaskManager();
                    }
                    Thread.sleep(15_000);
                    String victim = cluster.busyTaskManagers().get(0);
                    long killed = System.nanoTime();
                    cluster.killTaskManager(victim);
                    // Without a standby the job waits for the replacement. With one, the
                    // replacement
                    // (restoring the spare) starts once the job is back: on a real cluster it would
                    // start on other hardware, not take these 2 cores from the recovering tasks.
                    CompletableFuture<Double> replacement =
                            standby
                                    ? null
                                    : CompletableFuture.supplyAsync(
                                            () -> {
                                                cluster.startTaskManager();
                                                return seconds(killed);
                                            });
                    while (cluster.isRegistered(victim)) {
                        Thread.sleep(50);
                    }
                    double lost = seconds(killed);
                    cluster.awaitAllTasksRunning(job, Duration.ofMinutes(3));
                    double tasksRunning = seconds(killed);
                    // Output committed just before the kill may still be arriving for a moment.
                    double firstOutput =
                            (awaitOutputAfter(
                                                    outputSeen,
                                                    killed + 1_000_000_000L,
                                                    Duration.ofMinutes(3))
                                            - killed)
                                    / 1e9;
                    if (standby) {
                        cluster.startTaskManager();
                    }
                    Recovery recovery =
                            new Recovery(
                                    standby
                                            ? "standby TaskManager"
                                            : "replacement started after the kill",
                                    lost,
                                    standby ? Double.NaN : replacement.join(),
                                    tasksRunning,
                                    firstOutput);
                    recoveries.add(recovery);
                    System.out.printf(
                            Locale.ROOT,
                            "kill %d (%s): lost after %.1f s, tasks running %.1f s, first output %.1f s%n",
                            kill,
                            recovery.mode(),
                            recovery.lost(),
                            recovery.running(),
                            recovery.firstOutput());
                }
            } finally {
                running.set(false);
                traffic.join();
                output.join();
            }
            if (keepLogs != null) {
                copyLogs(cluster.home().resolve("log"), keepLogs);
            }
        } finally {
            TempDirs.delete(work);
        }
        write(recoveries);
        return 0;
    }

    private void produce(KafkaBroker kafka, AtomicBoolean running) {
        TrafficGenerator generator = TrafficGenerator.live(5);
        try (KafkaProducer<byte[], byte[]> producer =
                kafka.producer(Map.of("linger.ms", 20, "max.request.size", 1_048_576))) {
            long next = System.nanoTime();
            while (running.get()) {
                GeneratedRecord record = generator.next();
                producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()));
                next += 1_000_000_000L / rate;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void watchOutput(
            KafkaBroker kafka, AtomicBoolean running, ConcurrentSkipListSet<Long> outputSeen) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                kafka.bootstrapServers(),
                                "isolation.level",
                                "read_committed",
                                "group.id",
                                "bench-recovery-" + System.nanoTime(),
                                "auto.offset.reset",
                                "latest",
                                "enable.auto.commit",
                                "false"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            consumer.subscribe(CANONICAL);
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                if (!records.isEmpty()) {
                    outputSeen.add(System.nanoTime());
                }
            }
        }
    }

    /**
     * Waits for output seen after {@code afterNanos}; returns when the first such output was seen.
     */
    private static long awaitOutputAfter(
            ConcurrentSkipListSet<Long> outputSeen, long afterNanos, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Long first = outputSeen.higher(afterNanos);
            if (first != null) {
                return first;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no output within " + timeout);
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static void copyLogs(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file :
                    files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                Files.copy(
                        file,
                        to.resolve(file.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private void write(List<Recovery> recoveries) throws Exception {
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                "# Recovery from a TaskManager kill",
                                "",
                                "Measured "
                                        + Instant.now()
                                        + " on "
                                        + Runtime.getRuntime().availableProcessors()
                                        + " cores: the ingest job (p=2, RocksDB, "
                                        + "checkpoints every "
                                        + checkpointInterval
                                        + ", EXACTLY_ONCE Kafka sinks) from its jar on a real standalone cluster "
                                        + "(JobManager and TaskManager JVMs, heartbeat 1 s / timeout 5 s, first restart after 100 ms), "
                                        + rate
                                        + " records/s of live traffic; "
                                        + "the busy TaskManager killed with SIGKILL; first with no other TaskManager (a replacement JVM is started at once "
                                        + "and the job waits for it), then with a standby TaskManager already registered (the job moves there; a new spare "
                                        + "is started only after the first output, as on a cluster it would start elsewhere). Everything (broker, registry, "
                                        + "JobManager, TaskManagers, traffic) shares the same 2 cores. Seconds after the kill. "
                                        + "First output = first record a read_committed consumer sees, which waits for the first checkpoint after the restart. "
                                        + "Goal: first output < 15 s.",
                                "",
                                "| kill | spare capacity | TaskManager declared lost | replacement registered | all tasks running | first new output |",
                                "|---|---|---|---|---|---|"));
        for (int i = 0; i < recoveries.size(); i++) {
            Recovery r = recoveries.get(i);
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "| %d | %s | %.1f | %s | %.1f | %.1f |",
                            i + 1,
                            r.mode(),
                            r.lost(),
                            Double.isNaN(r.replacementRegistered())
                                    ? "n/a"
                                    : String.format(Locale.ROOT, "%.1f", r.replacementRegistered()),
                            r.running(),
                            r.firstOutput()));
        }
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.write(results, lines);
        System.out.println(String.join("\n", lines));
    }
}
