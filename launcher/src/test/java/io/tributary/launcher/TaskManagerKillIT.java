package io.tributary.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.testkit.Repository;
import io.tributary.testkit.infra.FlinkCluster;
import io.tributary.testkit.infra.PostgresServer;
import io.tributary.testkit.infra.TempDirs;
import io.tributary.testkit.junit.RealFlinkCluster;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealPostgres;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The suite on a real standalone cluster, as an operator runs it: the ingest job and the warehouse
 * sink submitted from their shaded jars through {@code tributary cluster submit} (Flink REST), live
 * traffic through the real broker, the TaskManager JVM killed with SIGKILL mid-stream twice (a
 * fresh TaskManager started each time), then the ingest job upgraded the operators' way: stopped
 * with a savepoint and its next build (another jar) submitted from it, traffic flowing all along.
 * Afterwards the canonical topics (read_committed) hold every good input event exactly once, and
 * PostgreSQL's dead_letters every malformed record.
 */
class TaskManagerKillIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final RealPostgres POSTGRES = new RealPostgres();
    @RegisterExtension static final RealFlinkCluster FLINK = new RealFlinkCluster(4);

    private static final List<String> CANONICAL =
            List.of(
                    Topics.EVENTS_PLAYER,
                    Topics.EVENTS_MEDIA,
                    Topics.EVENTS_COMMERCE,
                    Topics.EVENTS_IOT);
    private static final List<String> WAREHOUSE_INPUTS =
            List.of(
                    Topics.CEP_ALERTS,
                    Topics.AGG_QOE_MINUTE,
                    Topics.AGG_QOE_RENDITION_MINUTE,
                    Topics.AGG_TRENDING_TITLES,
                    Topics.AGG_VIEWER_SESSIONS,
                    Topics.AGG_COMMERCE_MINUTE,
                    Topics.AGG_IOT_DEVICE_5M,
                    Topics.MEDIA_PIPELINE,
                    Topics.INGEST_DEAD_LETTERS,
                    Topics.MEDIA_DEAD_LETTERS,
                    Topics.CEP_DEAD_LETTERS,
                    Topics.AGG_DEAD_LETTERS,
                    Topics.SINKS_DEAD_LETTERS);
    private static final Path REPOSITORY = Repository.root();
    private static final int RECORDS_PER_SECOND = 400;

    /** What the traffic thread sent: good event ids, and where each malformed record landed. */
    private static final class Sent {
        final Set<String> goodIds = ConcurrentHashMap.newKeySet();
        final Set<String> malformedPositions = ConcurrentHashMap.newKeySet();
        volatile int duplicates;
    }

    @Test
    void twoTaskManagerKillsAndAnUpgradeMidStreamLoseAndDuplicateNothing() throws Exception {
        FlinkCluster cluster = FLINK.cluster();
        KAFKA.broker().createTopics(2, Topics.list(Topics.RAW_ALL).toArray(String[]::new));
        KAFKA.broker().createTopics(2, CANONICAL.toArray(String[]::new));
        KAFKA.broker().createTopics(2, WAREHOUSE_INPUTS.toArray(String[]::new));
        Path checkpoints = TempDirs.create("cluster-checkpoints");
        String jdbcUrl = POSTGRES.server().createDatabase("cluster");

        List<String> ingestArgs =
                List.of(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--registry-url",
                        REGISTRY.url(),
                        "--checkpoint-interval",
                        "1s",
                        "--checkpoint-dir",
                        checkpoints.resolve("ingest").toUri().toString(),
                        "--transaction-timeout",
                        "5m");
        String ingest = submit("ingest", List.of(), ingestArgs);
        String warehouse =
                submit(
                        "sinks-warehouse",
                        List.of(),
                        List.of(
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--registry-url",
                                REGISTRY.url(),
                                "--jdbc-url",
                                jdbcUrl,
                                "--jdbc-user",
                                PostgresServer.USER,
                                "--batch-interval",
                                "200ms",
                                "--checkpoint-interval",
                                "1s",
                                "--checkpoint-dir",
                                checkpoints.resolve("warehouse").toUri().toString(),
                                "--transaction-timeout",
                                "5m"));
        cluster.awaitAllTasksRunning(ingest, Duration.ofMinutes(2));
        cluster.awaitAllTasksRunning(warehouse, Duration.ofMinutes(2));
        assertThat(listed()).contains(ingest, warehouse);

        Sent sent = new Sent();
        AtomicBoolean producing = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> produce(sent, producing), "traffic");
        traffic.start();
        try {
            for (int kill = 1; kill <= 2; kill++) {
                // Live traffic committed by both jobs, so the kill loses work that must be redone.
                cluster.awaitNewCheckpoints(ingest, 2, Duration.ofMinutes(2));
                cluster.awaitNewCheckpoints(warehouse, 1, Duration.ofMinutes(2));
                cluster.killTaskManager();
                long killedAt = System.nanoTime();
                cluster.startTaskManager();
                cluster.awaitAllTasksRunning(ingest, Duration.ofMinutes(2));
                cluster.awaitAllTasksRunning(warehouse, Duration.ofMinutes(2));
                System.out.printf(
                        "kill %d: both jobs running again %.1f s after the TaskManager died%n",
                        kill, (System.nanoTime() - killedAt) / 1e9);
            }
            // An upgrade as operators do it: stop with a savepoint, submit the next build from it.
            Path nextBuild =
                    nextBuildOf(SuiteJob.INGEST.jarIn(REPOSITORY), TempDirs.create("next-build"));
            cluster.awaitNewCheckpoints(ingest, 1, Duration.ofMinutes(2));
            String savepoint =
                    stopWithSavepoint(ingest, checkpoints.resolve("savepoints").toUri().toString());
            ingest =
                    submit(
                            "ingest",
                            nextBuild.getParent(),
                            List.of("--from-savepoint", savepoint),
                            ingestArgs);
            cluster.awaitAllTasksRunning(ingest, Duration.ofMinutes(2));
            // The next build takes live traffic from the savepoint on before the traffic stops.
            cluster.awaitNewCheckpoints(ingest, 1, Duration.ofMinutes(2));
        } finally {
            producing.set(false);
            traffic.join();
        }
        assertThat(sent.goodIds).hasSizeGreaterThan(5_000);
        assertThat(sent.malformedPositions).isNotEmpty();
        assertThat(sent.duplicates).isPositive();

        await("every good event on the canonical topics")
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(
                        () -> {
                            List<String> outputIds = canonicalIds();
                            assertThat(outputIds).as("no event twice").doesNotHaveDuplicates();
                            assertThat(new HashSet<>(outputIds))
                                    .as("every good event")
                                    .isEqualTo(sent.goodIds);
                        });

        Set<String> deadLetters = new HashSet<>();
        var decoder = ConfluentAvro.deserializer(DeadLetter.class, REGISTRY.url());
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(),
                        List.of(Topics.INGEST_DEAD_LETTERS),
                        Duration.ofSeconds(60))) {
            DeadLetter letter = decoder.deserialize(record.value());
            assertThat(
                            deadLetters.add(
                                    letter.getSourceTopic()
                                            + "/"
                                            + letter.getSourcePartition()
                                            + "/"
                                            + letter.getSourceOffset()))
                    .as("one dead letter per malformed record")
                    .isTrue();
        }
        assertThat(deadLetters).isEqualTo(sent.malformedPositions);
        await("the warehouse storing every dead letter")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(
                        () ->
                                assertThat(storedDeadLetters(jdbcUrl))
                                        .isEqualTo(sent.malformedPositions));
    }

    private static String submit(String job, List<String> launcherOptions, List<String> args) {
        return submit(job, REPOSITORY, launcherOptions, args);
    }

    private static String submit(
            String job, Path jars, List<String> launcherOptions, List<String> args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                "submit",
                                job,
                                "--rest",
                                FLINK.cluster().restUrl(),
                                "--jars",
                                jars.toString()));
        command.addAll(launcherOptions);
        command.add("--");
        command.addAll(args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status =
                ClusterCli.run(
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        command.toArray(String[]::new));
        assertThat(status).as("submit " + job + ": " + err).isZero();
        Matcher id = Pattern.compile("submitted as job ([0-9a-f]{32})").matcher(out.toString());
        assertThat(id.find()).as(out.toString()).isTrue();
        return id.group(1);
    }

    /**
     * The next build of a job: its jar under the next version's name with a build stamp added, so
     * the cluster receives a different artifact (new upload, new class loader) whose operators must
     * find their state in the savepoint by uid. The code is the same: a test cannot compile a
     * changed job, and uid stability across code changes is what StableUidsTest guards.
     */
    private static Path nextBuildOf(Path jar, Path directory) throws Exception {
        Path next =
                directory.resolve(
                        jar.getFileName().toString().replace("-SNAPSHOT-job.jar", "-next-job.jar"));
        Files.copy(jar, next);
        try (FileSystem zip = FileSystems.newFileSystem(next)) {
            Files.writeString(
                    zip.getPath("META-INF", "tributary-build.properties"), "build=next\n");
        }
        assertThat(Files.mismatch(jar, next)).isNotNegative();
        return next;
    }

    private static String stopWithSavepoint(String jobId, String directory) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status =
                ClusterCli.run(
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        "stop",
                        jobId,
                        "--rest",
                        FLINK.cluster().restUrl(),
                        "--savepoint-dir",
                        directory);
        assertThat(status).as("stop " + jobId + ": " + err).isZero();
        Matcher location = Pattern.compile("savepoint: (\\S+)").matcher(out.toString());
        assertThat(location.find()).as(out.toString()).isTrue();
        return location.group(1);
    }

    private static String listed() {
        StringWriter out = new StringWriter();
        assertThat(
                        ClusterCli.run(
                                new PrintWriter(out, true),
                                new PrintWriter(new StringWriter(), true),
                                "list",
                                "--rest",
                                FLINK.cluster().restUrl()))
                .isZero();
        return out.toString();
    }

    /**
     * Mixed live traffic (duplicates and malformed records included) at a steady rate until told to
     * stop.
     */
    private static void produce(Sent sent, AtomicBoolean producing) {
        TrafficGenerator generator =
                new TrafficGenerator(17, System::currentTimeMillis, 0.03, 0.02);
        try (KafkaProducer<byte[], byte[]> producer =
                KAFKA.broker().producer(Map.of("max.request.size", 1_048_576))) {
            long next = System.nanoTime();
            int duplicates = 0;
            while (producing.get()) {
                GeneratedRecord record = generator.next();
                switch (record.kind()) {
                    case GOOD -> sent.goodIds.add(record.eventId());
                    case DUPLICATE -> duplicates++;
                    case MALFORMED -> {}
                }
                var ack =
                        producer.send(
                                new ProducerRecord<>(record.topic(), record.key(), record.value()));
                if (record.kind() == GeneratedRecord.Kind.MALFORMED) {
                    var metadata = ack.get();
                    sent.malformedPositions.add(
                            metadata.topic()
                                    + "/"
                                    + metadata.partition()
                                    + "/"
                                    + metadata.offset());
                }
                next += 1_000_000_000L / RECORDS_PER_SECOND;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
            sent.duplicates = duplicates;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Event ids on the canonical topics, as read_committed consumers see them. */
    private static List<String> canonicalIds() throws Exception {
        var decoder = ConfluentAvro.deserializer(Envelope.class, REGISTRY.url());
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(), CANONICAL, Duration.ofSeconds(60))) {
            ids.add(decoder.deserialize(record.value()).getEventId());
        }
        return ids;
    }

    private static Set<String> storedDeadLetters(String jdbcUrl) throws Exception {
        Set<String> stored = new HashSet<>();
        try (Connection db = DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null);
                Statement statement = db.createStatement();
                ResultSet rows =
                        statement.executeQuery(
                                "SELECT source_topic || '/' || source_partition || '/' || source_offset FROM dead_letters WHERE job = 'tributary-ingest'")) {
            while (rows.next()) {
                stored.add(rows.getString(1));
            }
        }
        return stored;
    }
}
