package io.tributary.testkit.infra;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real Kafka broker (KRaft, combined broker + controller) in a child JVM on free loopback ports.
 * Its jars come from Maven Central through tributary-testkit-distributions and never share a
 * classpath with the Flink connector's kafka-clients.
 */
public final class KafkaBroker implements AutoCloseable {
    private static final String CLUSTER_ID = "VHJpYnV0YXJ5VGVzdEtpdA";

    /** The longest transaction the broker accepts; producers must stay below it. */
    public static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    /** The SCRAM mechanism of a secured broker's users. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private static final String ADMIN_USER = "tributary-admin";

    private final Path home;
    private final int port;
    private final ChildProcess process;
    private final TestCertificates certificates;

    /** The test kit's own client settings: empty on a PLAINTEXT broker, its admin user's else. */
    private final Map<String, String> adminSettings;

    private KafkaBroker(
            Path home,
            int port,
            ChildProcess process,
            TestCertificates certificates,
            Map<String, String> adminSettings) {
        this.home = home;
        this.port = port;
        this.process = process;
        this.certificates = certificates;
        this.adminSettings = adminSettings;
    }

    /** Starts a PLAINTEXT broker and waits until it answers metadata requests. */
    public static KafkaBroker start() {
        return start(null, Map.of());
    }

    /**
     * Starts a broker whose only client listener is SASL_SSL: TLS with a certificate of {@code
     * certificates}' CA for 127.0.0.1, and {@value #SCRAM_MECHANISM} users, created at format time
     * with these passwords (and an admin user of the test kit's own).
     */
    public static KafkaBroker startSecured(
            TestCertificates certificates, Map<String, String> scramUsers) {
        return start(certificates, scramUsers);
    }

    private static KafkaBroker start(
            TestCertificates certificates, Map<String, String> scramUsers) {
        Path home = TempDirs.create("kafka");
        int port = FreePorts.next();
        int controllerPort = FreePorts.next();
        try {
            Map<String, String> users = new java.util.LinkedHashMap<>(scramUsers);
            Map<String, String> adminSettings = Map.of();
            if (certificates != null) {
                String adminPassword = "admin-" + Long.toHexString(System.nanoTime());
                users.put(ADMIN_USER, adminPassword);
                adminSettings = securedSettings(certificates, ADMIN_USER, adminPassword);
            }
            Path config = writeConfig(home, port, controllerPort, certificates, users);
            List<String> format =
                    new ArrayList<>(
                            List.of(
                                    "format",
                                    "-t",
                                    CLUSTER_ID,
                                    "-c",
                                    config.toString(),
                                    "--ignore-formatted"));
            users.forEach(
                    (user, password) -> {
                        format.add("--add-scram");
                        format.add(
                                SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]");
                    });
            ChildProcess.run(
                    "kafka-storage-format",
                    java("kafka.tools.StorageTool", format.toArray(String[]::new)),
                    home,
                    home.resolve("format.log"),
                    Duration.ofSeconds(60));
            ChildProcess process =
                    ChildProcess.start(
                            "kafka-broker",
                            java("kafka.Kafka", config.toString()),
                            home,
                            home.resolve("broker.log"));
            KafkaBroker broker = new KafkaBroker(home, port, process, certificates, adminSettings);
            broker.awaitReady(Duration.ofSeconds(60));
            return broker;
        } catch (RuntimeException e) {
            TempDirs.delete(home);
            throw e;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Whether clients must use SASL_SSL. */
    public boolean secured() {
        return certificates != null;
    }

    /**
     * What a client of {@code user} sets to reach this broker: SASL_SSL with SCRAM and a truststore
     * of the test CA. Empty for a PLAINTEXT broker.
     */
    public Map<String, String> clientSettings(String user, String password) {
        return certificates == null ? Map.of() : securedSettings(certificates, user, password);
    }

    /** The test kit's own admin user's settings (for tests that read output topics). */
    public Map<String, String> adminSettings() {
        return adminSettings;
    }

    static Map<String, String> securedSettings(
            TestCertificates certificates, String user, String password) {
        return Map.of(
                "security.protocol",
                "SASL_SSL",
                "sasl.mechanism",
                SCRAM_MECHANISM,
                "sasl.jaas.config",
                scramLogin(user, password),
                "ssl.truststore.location",
                certificates.truststore().toString(),
                "ssl.truststore.type",
                "PKCS12",
                "ssl.truststore.password",
                certificates.storePassword());
    }

    /** A JAAS line for the SCRAM login module. */
    public static String scramLogin(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\";";
    }

    public ChildProcess process() {
        return process;
    }

    /**
     * Creates the topics and returns once every partition has a leader. Producing to a partition
     * whose leader is still being elected makes an idempotent producer reset its sequence numbers
     * and loop on OutOfOrderSequenceException until its delivery timeout.
     */
    public void createTopics(int partitions, String... topics) {
        try (Admin admin = admin()) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : topics) {
                newTopics.add(new NewTopic(topic, partitions, (short) 1));
            }
            admin.createTopics(newTopics).values().values().forEach(KafkaBroker::ignoreExisting);
            awaitLeaders(admin, List.of(topics), Duration.ofSeconds(30));
        }
    }

    private static void awaitLeaders(Admin admin, List<String> topics, Duration timeout) {
        // Metadata that is not there yet fails the request; ask again.
        await("a leader for every partition of " + topics)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(
                        () ->
                                admin
                                        .describeTopics(topics)
                                        .allTopicNames()
                                        .get(10, TimeUnit.SECONDS)
                                        .values()
                                        .stream()
                                        .flatMap(description -> description.partitions().stream())
                                        .allMatch(
                                                partition ->
                                                        partition.leader() != null
                                                                && !partition.leader().isEmpty()));
    }

    /**
     * A plain producer of raw bytes for tests, the demo and benchmarks. Not idempotent: a
     * kafka-clients 3.4 idempotent producer against this 4.2 broker was seen looping on
     * OutOfOrderSequenceException for fresh partitions until its delivery timeout. One request in
     * flight keeps records in send order without it; callers check their send futures.
     */
    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(adminSettings);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putAll(overrides);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public KafkaProducer<byte[], byte[]> producer() {
        return producer(Map.of());
    }

    public Admin admin() {
        Properties props = new Properties();
        props.putAll(adminSettings);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(props);
    }

    @Override
    public void close() {
        process.close();
        TempDirs.delete(home);
    }

    private void awaitReady(Duration timeout) {
        process.awaitAlive(
                "Kafka broker answering on " + bootstrapServers(),
                timeout,
                () -> {
                    // Closing waits for pending calls unless told not to, which would hide a
                    // broker that exited behind a minute-long wait.
                    Admin admin = admin();
                    try {
                        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                        return true;
                    } catch (Exception e) {
                        return false;
                    } finally {
                        admin.close(Duration.ofSeconds(1));
                    }
                });
    }

    private static Path writeConfig(
            Path home,
            int port,
            int controllerPort,
            TestCertificates certificates,
            Map<String, String> users) {
        String client = certificates == null ? "PLAINTEXT" : "SASL_SSL";
        Map<String, String> settings =
                new HashMap<>(
                        Map.ofEntries(
                                Map.entry("process.roles", "broker,controller"),
                                Map.entry("node.id", "1"),
                                Map.entry(
                                        "controller.quorum.voters",
                                        "1@127.0.0.1:" + controllerPort),
                                Map.entry(
                                        "listeners",
                                        client
                                                + "://127.0.0.1:"
                                                + port
                                                + ",CONTROLLER://127.0.0.1:"
                                                + controllerPort),
                                Map.entry("advertised.listeners", client + "://127.0.0.1:" + port),
                                Map.entry("controller.listener.names", "CONTROLLER"),
                                Map.entry("inter.broker.listener.name", client),
                                Map.entry(
                                        "listener.security.protocol.map",
                                        client + ":" + client + ",CONTROLLER:PLAINTEXT"),
                                Map.entry("log.dirs", home.resolve("data").toString()),
                                Map.entry("num.partitions", "2"),
                                Map.entry("offsets.topic.replication.factor", "1"),
                                Map.entry("offsets.topic.num.partitions", "4"),
                                Map.entry("transaction.state.log.replication.factor", "1"),
                                Map.entry("transaction.state.log.min.isr", "1"),
                                Map.entry("transaction.state.log.num.partitions", "4"),
                                Map.entry(
                                        "transaction.max.timeout.ms",
                                        Long.toString(MAX_TRANSACTION_TIMEOUT.toMillis())),
                                Map.entry("group.initial.rebalance.delay.ms", "0"),
                                Map.entry("auto.create.topics.enable", "true"),
                                Map.entry("log.flush.interval.messages", "9223372036854775807"),
                                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                                Map.entry("share.coordinator.state.topic.min.isr", "1")));
        if (certificates != null) {
            // The controller listener stays PLAINTEXT on loopback: only this broker talks to it.
            String jaas = "listener.name.sasl_ssl." + SCRAM_MECHANISM.toLowerCase(Locale.ROOT);
            settings.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
            settings.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
            settings.put(jaas + ".sasl.jaas.config", scramLogin(ADMIN_USER, users.get(ADMIN_USER)));
            settings.put("ssl.keystore.location", certificates.serverKeystore().toString());
            settings.put("ssl.keystore.type", "PKCS12");
            settings.put("ssl.keystore.password", certificates.storePassword());
            settings.put("ssl.key.password", certificates.storePassword());
            // The broker is its own inter-broker client, and checks at start that it trusts itself.
            settings.put("ssl.truststore.location", certificates.truststore().toString());
            settings.put("ssl.truststore.type", "PKCS12");
            settings.put("ssl.truststore.password", certificates.storePassword());
        }
        StringBuilder text = new StringBuilder();
        settings.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Path config = home.resolve("server.properties");
        try {
            Files.writeString(config, text.toString());
            Files.writeString(home.resolve("log4j2.properties"), LOG4J);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    private static final String LOG4J =
            "rootLogger.level=WARN\nrootLogger.appenderRef.out.ref=out\n"
                    + "appender.out.type=Console\nappender.out.name=out\n"
                    + "appender.out.layout.type=PatternLayout\n"
                    + "appender.out.layout.pattern=%d %p %c{1} %m%n\n"
                    + "logger.kafka.name=kafka.server.KafkaServer\nlogger.kafka.level=INFO\n";

    private static List<String> java(String mainClass, String... args) {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                javaExecutable(),
                                "-Xms256m",
                                "-Xmx512m",
                                "-XX:+UseG1GC",
                                "-Dlog4j2.configurationFile=log4j2.properties",
                                "-Dlog4j.configurationFile=log4j2.properties",
                                "-cp",
                                Distributions.kafkaClasspath(),
                                mainClass));
        command.addAll(Arrays.asList(args));
        return command;
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void ignoreExisting(org.apache.kafka.common.KafkaFuture<Void> future) {
        try {
            future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic", e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create topic", e);
        }
    }
}
