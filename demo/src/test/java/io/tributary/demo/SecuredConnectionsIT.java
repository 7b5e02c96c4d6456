package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.aggregations.AggregationsJobMain;
import io.tributary.ingest.IngestJobMain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Topics;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.infra.AuthenticatingProxy;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.TestCertificates;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest and the aggregations job, started through their own {@code main} as an operator would,
 * with a schema registry behind HTTPS that requires credentials (its password from a file, from a
 * Secret directory and from an option), and against a broker that only speaks SASL_SSL
 * (SCRAM-SHA-512 users, a certificate of a test CA), at parallelism 2 with exactly-once sinks. Each
 * job has its own user. The secrets reach the jobs the three ways an operator has: an environment
 * variable, a mounted file and a literal option; none of them may appear in the logs or in {@code
 * --help}.
 */
class SecuredConnectionsIT {
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4);

    /** Set by failsafe (demo/pom.xml), as a Kubernetes Secret would set it for the pods. */
    private static final String INGEST_PASSWORD_VARIABLE = "TRIBUTARY_IT_INGEST_PASSWORD";

    private static final String AGGREGATIONS_PASSWORD = "aggregations-literal-9f3c";
    private static final String REGISTRY_USER = "tributary-jobs";
    private static final String REGISTRY_PASSWORD = "registry-secret-77e1";
    private static final int EVENTS = 3_000;

    @TempDir static Path dir;

    private static TestCertificates certificates;
    private static KafkaBroker broker;
    private static AuthenticatingProxy securedRegistry;
    private static String ingestPassword;
    private static final CapturedLog LOG = new CapturedLog();

    @BeforeAll
    static void startSecuredBroker() {
        ingestPassword = System.getenv(INGEST_PASSWORD_VARIABLE);
        assertThat(ingestPassword)
                .as(INGEST_PASSWORD_VARIABLE + " (set by failsafe in demo/pom.xml)")
                .isNotBlank();
        certificates = TestCertificates.create(dir.resolve("ca"));
        broker =
                KafkaBroker.startSecured(
                        certificates,
                        Map.of("ingest", ingestPassword, "aggregations", AGGREGATIONS_PASSWORD));
        securedRegistry =
                AuthenticatingProxy.basicAuth(
                        REGISTRY.url(), certificates, REGISTRY_USER, REGISTRY_PASSWORD);
        LOG.attach();
    }

    @AfterAll
    static void stop() {
        LOG.detach();
        if (securedRegistry != null) {
            securedRegistry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void ingestAndAggregationsRunExactlyOnceOnSaslSslWithoutPrintingASecret() throws Exception {
        // Every topic before any producer: a transactional producer of the connector's
        // kafka-clients meeting a partition whose leader is still being elected expires its batch.
        broker.createTopics(2, Topics.all().toArray(String[]::new));
        Set<String> goodIds = produce();
        int refusedBefore = securedRegistry.refused();

        IngestJobMain.main(ingestArgs(ingestPropertiesFile(), ingestRegistryFile(), List.of()));
        AggregationsJobMain.main(aggregationsArgs());

        Map<String, Envelope> canonical = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (Envelope event : read(Topics.list(Topics.EVENTS_AGGREGATED), Envelope.class)) {
            ids.add(event.getEventId());
            canonical.put(event.getEventId(), event);
        }
        for (Envelope event : read(List.of(Topics.EVENTS_MEDIA), Envelope.class)) {
            ids.add(event.getEventId());
        }
        assertThat(ids).as("canonical events").doesNotHaveDuplicates();
        assertThat(new HashSet<>(ids)).isEqualTo(goodIds);

        long ordersCreated =
                canonical.values().stream()
                        .filter(e -> e.getEventType() == EventType.ORDER_CREATED)
                        .count();
        assertThat(ordersCreated).as("orders in the generated traffic").isPositive();
        Map<String, CommerceMinute> latest = new HashMap<>();
        for (CommerceMinute row : read(List.of(Topics.AGG_COMMERCE_MINUTE), CommerceMinute.class)) {
            latest.merge(
                    row.getWindowStart() + "|" + row.getCountry() + "|" + row.getCurrency(),
                    row,
                    (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        assertThat(latest.values().stream().mapToLong(CommerceMinute::getOrdersCreated).sum())
                .as("orders counted by the aggregations job, once each")
                .isEqualTo(ordersCreated);

        assertThat(LOG.text())
                .as("what the jobs and their Kafka clients logged")
                .contains("SASL_SSL")
                .doesNotContain(
                        ingestPassword,
                        AGGREGATIONS_PASSWORD,
                        REGISTRY_PASSWORD,
                        certificates.storePassword());
        assertThat(securedRegistry.refused() - refusedBefore)
                .as("registry calls of these jobs without credentials")
                .isZero();
    }

    @Test
    void aWrongPasswordFailsTheSubmissionClearly() throws Exception {
        Path file = dir.resolve("wrong-password.properties");
        Files.writeString(
                file,
                ingestSettings(
                        "ingest",
                        "not-the-password",
                        certificates.truststore(),
                        certificates.storePassword()));

        assertThatThrownBy(
                        () -> IngestJobMain.main(ingestArgs(file, ingestRegistryFile(), List.of())))
                .hasMessageContaining("refused the job's credentials")
                .hasMessageContaining("sasl.jaas.config")
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void anUntrustedCertificateFailsTheSubmissionClearly() throws Exception {
        TestCertificates otherCa = TestCertificates.create(dir.resolve("other-ca"));
        Path file = dir.resolve("other-ca.properties");
        Files.writeString(
                file,
                ingestSettings(
                        "ingest", ingestPassword, otherCa.truststore(), otherCa.storePassword()));

        assertThatThrownBy(
                        () -> IngestJobMain.main(ingestArgs(file, ingestRegistryFile(), List.of())))
                .hasMessageContaining("failed the TLS handshake")
                .hasMessageContaining("ssl.truststore.location");
    }

    @Test
    void aRegistryWithoutCredentialsFailsTheSubmissionClearly() throws Exception {
        Path registryFile = dir.resolve("registry-without-credentials.properties");
        Files.writeString(
                registryFile,
                "ssl.truststore.location="
                        + certificates.truststore()
                        + "\n"
                        + "ssl.truststore.password="
                        + certificates.storePassword()
                        + "\n");

        assertThatThrownBy(
                        () ->
                                IngestJobMain.main(
                                        ingestArgs(
                                                ingestPropertiesFile(), registryFile, List.of())))
                .hasMessageContaining("Schema registry at " + securedRegistry.url())
                .hasMessageContaining("refused the job's credentials (HTTP 401)");
    }

    @Test
    void aRegistryCertificateFromAnotherCaFailsTheSubmissionClearly() throws Exception {
        TestCertificates otherCa = TestCertificates.create(dir.resolve("other-registry-ca"));
        List<String> otherTruststore =
                List.of(
                        "--registry-property",
                        "ssl.truststore.location=" + otherCa.truststore(),
                        "--registry-property",
                        "ssl.truststore.password=" + otherCa.storePassword());

        assertThatThrownBy(
                        () ->
                                IngestJobMain.main(
                                        ingestArgs(
                                                ingestPropertiesFile(),
                                                ingestRegistryFile(),
                                                otherTruststore)))
                .hasMessageContaining("failed the TLS handshake")
                .hasMessageContaining("ssl.truststore.location");
    }

    @Test
    void helpShowsHowToNameSecretsAndNoSecret() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        System.setOut(new PrintStream(help, true, StandardCharsets.UTF_8));
        try {
            IngestJobMain.main(new String[] {"--help"});
            AggregationsJobMain.main(new String[] {"--help"});
        } finally {
            System.setOut(original);
        }
        assertThat(help.toString(StandardCharsets.UTF_8))
                .contains(
                        "--kafka-property",
                        "--kafka-properties",
                        "--registry-property",
                        "--registry-properties",
                        "${env:NAME}")
                .doesNotContain(ingestPassword, AGGREGATIONS_PASSWORD, REGISTRY_PASSWORD);
    }

    /**
     * Ingest's settings as a Secret mounted as a file would hold them: the password named by an
     * environment variable, the truststore password read from another file.
     */
    private static Path ingestPropertiesFile() throws Exception {
        Path secrets = dir.resolve("truststore-secret.properties");
        Files.writeString(secrets, "password=" + certificates.storePassword() + "\n");
        Path file = dir.resolve("ingest-kafka.properties");
        Files.writeString(
                file,
                ingestSettings(
                        "ingest",
                        "${env:" + INGEST_PASSWORD_VARIABLE + "}",
                        certificates.truststore(),
                        "${file:" + secrets + ":password}"));
        return file;
    }

    private static String ingestSettings(
            String user, String password, Path truststore, String truststorePassword) {
        return "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config="
                + KafkaBroker.scramLogin(user, password)
                + "\n"
                + "ssl.truststore.type=PKCS12\n"
                + "ssl.truststore.location="
                + truststore
                + "\n"
                + "ssl.truststore.password="
                + truststorePassword
                + "\n";
    }

    /** Ingest's registry settings as a mounted file: the password named in another secrets file. */
    private static Path ingestRegistryFile() throws Exception {
        Path secrets = dir.resolve("registry-secret.properties");
        Files.writeString(secrets, "registry.password=" + REGISTRY_PASSWORD + "\n");
        Path file = dir.resolve("ingest-registry.properties");
        Files.writeString(
                file,
                "basic.auth.user.info="
                        + REGISTRY_USER
                        + ":${file:"
                        + secrets
                        + ":registry.password}\n"
                        + "ssl.truststore.location="
                        + certificates.truststore()
                        + "\n"
                        + "ssl.truststore.password="
                        + certificates.storePassword()
                        + "\n");
        return file;
    }

    private static String[] ingestArgs(
            Path kafkaProperties, Path registryProperties, List<String> more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--registry-url",
                                securedRegistry.url(),
                                "--registry-properties",
                                registryProperties.toString(),
                                "--kafka-properties",
                                kafkaProperties.toString(),
                                "--bounded",
                                "--parallelism",
                                "2",
                                "--state-backend",
                                "HASHMAP",
                                "--checkpoint-interval",
                                "500ms"));
        args.addAll(more);
        return args.toArray(String[]::new);
    }

    /**
     * The aggregations job's settings one by one on the command line, the password literally (as an
     * operator might, against advice), the truststore password from a mounted Secret directory.
     */
    private static String[] aggregationsArgs() throws Exception {
        Path secretDir = Files.createDirectories(dir.resolve("aggregations-secret"));
        Files.writeString(secretDir.resolve("truststore-password"), certificates.storePassword());
        return new String[] {
            "--bootstrap-servers",
            broker.bootstrapServers(),
            "--registry-url",
            securedRegistry.url(),
            "--registry-property",
            "basic.auth.user.info=" + REGISTRY_USER + ":" + REGISTRY_PASSWORD,
            "--registry-property",
            "ssl.truststore.location=" + certificates.truststore(),
            "--registry-property",
            "ssl.truststore.password=${dir:" + secretDir + ":truststore-password}",
            "--kafka-property",
            "security.protocol=SASL_SSL",
            "--kafka-property",
            "sasl.mechanism=SCRAM-SHA-512",
            "--kafka-property",
            "sasl.jaas.config=" + KafkaBroker.scramLogin("aggregations", AGGREGATIONS_PASSWORD),
            "--kafka-property",
            "ssl.truststore.type=PKCS12",
            "--kafka-property",
            "ssl.truststore.location=" + certificates.truststore(),
            "--kafka-property",
            "ssl.truststore.password=${dir:" + secretDir + ":truststore-password}",
            "--bounded",
            "--parallelism",
            "2",
            "--state-backend",
            "HASHMAP",
            "--checkpoint-interval",
            "500ms"
        };
    }

    /** Good events, duplicates and malformed records; returns the ids ingest must pass once. */
    private static Set<String> produce() throws Exception {
        TrafficGenerator traffic =
                new TrafficGenerator(41, System::currentTimeMillis, 0.05, 0.02, false);
        Set<String> good = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                GeneratedRecord record = traffic.next();
                if (record.kind() == GeneratedRecord.Kind.GOOD) {
                    good.add(record.eventId());
                }
                sends.add(
                        producer.send(
                                new ProducerRecord<>(
                                        record.topic(), record.key(), record.value())));
            }
            for (var send : sends) {
                send.get();
            }
        }
        return good;
    }

    private static <T extends SpecificRecord> List<T> read(List<String> topics, Class<T> type)
            throws Exception {
        var decoder = ConfluentAvro.deserializer(type, REGISTRY.url());
        List<T> rows = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        broker.bootstrapServers(),
                        broker.adminSettings(),
                        topics,
                        Duration.ofSeconds(60))) {
            rows.add(decoder.deserialize(record.value()));
        }
        return rows;
    }

    /**
     * Every log event at INFO and above of Flink, the Kafka clients (which log their whole
     * configuration when created) and the suite, with its stack trace.
     */
    private static final class CapturedLog extends AbstractAppender {
        private static final List<String> LOGGERS =
                List.of("org.apache.kafka", "org.apache.flink", "io.tributary");
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

        CapturedLog() {
            super("secured-kafka-it", null, null, true, Property.EMPTY_ARRAY);
        }

        void attach() {
            start();
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            context.getConfiguration().getRootLogger().addAppender(this, Level.INFO, null);
            LOGGERS.forEach(name -> Configurator.setLevel(name, Level.INFO));
            context.updateLoggers();
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder line = new StringBuilder(event.getMessage().getFormattedMessage());
            for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
                line.append(" | ").append(t);
            }
            lines.add(line.toString());
        }

        String text() {
            return String.join("\n", lines);
        }

        void detach() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            context.getConfiguration().getRootLogger().removeAppender(getName());
            LOGGERS.forEach(name -> Configurator.setLevel(name, Level.WARN));
            context.updateLoggers();
            stop();
        }
    }
}
