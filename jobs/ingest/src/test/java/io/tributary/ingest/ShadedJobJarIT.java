package io.tributary.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.schemas.Topics;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The packaged job jar, handled the way Flink's clients handle it (`flink run`, REST jar
 * submission, application mode): its manifest main class builds the job graph from command-line
 * options in a user-code class loader, and the graph runs on a cluster against real Kafka.
 */
class ShadedJobJarIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();

    /**
     * On a real cluster only Flink is on the parent class path. Here the test's class path also
     * holds the Kafka connector and flink-avro (Flink's packages load parent-first), so the
     * libraries in their method signatures must come from the parent too, or two copies of a class
     * meet. That includes the schema classes: flink-avro's serializer makes the records that cross
     * the network (dead letters from two operators meet at one sink) through its own Avro.
     */
    private static final Configuration CLASS_LOADING = new Configuration();

    static {
        CLASS_LOADING.set(
                CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL,
                List.of("org.apache.kafka.", "org.apache.avro.", "io.tributary.schemas."));
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4, CLASS_LOADING);

    private static final Logger LOG = LoggerFactory.getLogger(ShadedJobJarIT.class);

    @Test
    void theJobJarBundlesItsConnectorsButNotFlink() throws Exception {
        try (JarFile jar = new JarFile(jobJar())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(IngestJobMain.class.getName());
            assertThat(jar.getEntry("io/tributary/ingest/IngestJob.class")).isNotNull();
            assertThat(jar.getEntry("io/tributary/schemas/Envelope.class")).isNotNull();
            assertThat(jar.getEntry("org/apache/flink/connector/kafka/sink/KafkaSink.class"))
                    .isNotNull();
            assertThat(
                            jar.getEntry(
                                    "org/apache/flink/formats/avro/RegistryAvroSerializationSchema.class"))
                    .isNotNull();
            assertThat(
                            jar.getEntry(
                                    "org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class"))
                    .as("Flink itself is provided by the cluster")
                    .isNull();
        }
    }

    @Test
    void theJobJarRunsAsFlinkRunSubmitsIt(@InjectClusterClient ClusterClient<?> client)
            throws Exception {
        CanonicalTopics topics = CanonicalTopics.DEFAULTS;
        LOG.info("Creating topics");
        KAFKA.broker().createTopics(2, Topics.list(Topics.RAW_ALL).toArray(String[]::new));
        KAFKA.broker()
                .createTopics(
                        2,
                        topics.player(),
                        topics.media(),
                        topics.commerce(),
                        topics.iot(),
                        topics.deadLetters());
        int good = 200;
        TrafficGenerator generator = new TrafficGenerator(3, System::currentTimeMillis, 0, 0);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < good; i++) {
                GeneratedRecord record = generator.nextGood();
                acks.add(
                        producer.send(
                                new ProducerRecord<>(
                                        record.topic(), record.key(), record.value())));
            }
            GeneratedRecord bad =
                    generator.malformed(TrafficGenerator.MalformedKind.TRUNCATED_JSON);
            acks.add(producer.send(new ProducerRecord<>(bad.topic(), bad.key(), bad.value())));
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }

        LOG.info("Produced {} raw records; building the job graph from the jar", good + 1);
        PackagedProgram program =
                PackagedProgram.newBuilder()
                        .setJarFile(jobJar())
                        .setConfiguration(CLASS_LOADING)
                        .setArguments(
                                "--bootstrap-servers",
                                KAFKA.bootstrapServers(),
                                "--registry-url",
                                REGISTRY.url(),
                                "--bounded",
                                "--parallelism",
                                "2",
                                "--checkpoint-interval",
                                "1s",
                                "--transaction-timeout",
                                "5m",
                                "--transactional-id-prefix",
                                "jar-it-" + UUID.randomUUID())
                        .build();
        JobGraph graph = PackagedProgramUtils.createJobGraph(program, CLASS_LOADING, 2, false);
        JobID job = client.submitJob(graph).get();
        LOG.info("Submitted {}; waiting for it to finish", job);
        JobResult result = client.requestJobResult(job).get();
        LOG.info("Job finished");

        assertThat(result.getSerializedThrowable()).isEmpty();
        assertThat(
                        TopicReader.readCommitted(
                                KAFKA.bootstrapServers(),
                                topics.eventTopics(),
                                Duration.ofSeconds(60)))
                .hasSize(good);
        assertThat(
                        TopicReader.readCommitted(
                                KAFKA.bootstrapServers(),
                                List.of(topics.deadLetters()),
                                Duration.ofSeconds(60)))
                .hasSize(1);
    }

    private static File jobJar() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(
                            p ->
                                    p.getFileName()
                                            .toString()
                                            .matches("tributary-ingest-.*-job\\.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "no job jar in target/: run mvn package first"))
                    .toFile();
        }
    }
}
