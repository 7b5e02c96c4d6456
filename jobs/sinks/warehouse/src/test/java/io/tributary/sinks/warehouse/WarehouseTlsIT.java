package io.tributary.sinks.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.Topics;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.sinks.SampleRecords;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.infra.PostgresServer;
import io.tributary.testkit.infra.TestCertificates;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warehouse job against a PostgreSQL that takes TCP connections only over TLS and only with a
 * password, as production servers do: started through its own {@code main} with {@code
 * --jdbc-ssl-mode VERIFY_FULL}, the test CA and the password from a mounted file, its Flyway
 * migration and its sinks both go through TLS. A wrong CA, a wrong password and no TLS at all fail
 * the submission with a clear error.
 */
class WarehouseTlsIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(2);

    private static final String PASSWORD = "warehouse-pw-" + Long.toHexString(System.nanoTime());
    private static final int ALERTS = 20;

    @TempDir static Path dir;

    private static TestCertificates certificates;
    private static PostgresServer postgres;
    private static Path passwordFile;

    @BeforeAll
    static void startTlsOnlyPostgres() throws Exception {
        certificates = TestCertificates.create(dir.resolve("ca"));
        postgres = PostgresServer.startWithTls("tls", certificates, PASSWORD);
        passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, PASSWORD + "\n");
    }

    @AfterAll
    static void stop() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void verifyFullWithTheRightCaMigratesAndStoresEveryAlert() throws Exception {
        KAFKA.broker().createTopics(2, Topics.all().toArray(String[]::new));
        produceAlerts();

        WarehouseJobMain.main(
                args(
                        "--jdbc-ssl-mode",
                        "VERIFY_FULL",
                        "--jdbc-ssl-root-cert",
                        certificates.caCertificatePem().toString(),
                        "--jdbc-password-file",
                        passwordFile.toString(),
                        "--bounded"));

        try (Connection db = verifiedConnection();
                ResultSet rows =
                        db.createStatement()
                                .executeQuery(
                                        "SELECT count(*), bool_and(ssl) FROM alerts,"
                                                + " pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rows.next();
            assertThat(rows.getLong(1)).as("alerts stored").isEqualTo(ALERTS);
            assertThat(rows.getBoolean(2)).as("this reader's own connection is TLS").isTrue();
        }
    }

    @Test
    void aCertificateFromAnotherCaFailsTheSubmissionClearly() {
        TestCertificates otherCa = TestCertificates.create(dir.resolve("other-ca"));

        assertThatThrownBy(
                        () ->
                                WarehouseJobMain.main(
                                        args(
                                                "--jdbc-ssl-mode", "VERIFY_FULL",
                                                "--jdbc-ssl-root-cert",
                                                        otherCa.caCertificatePem().toString(),
                                                "--jdbc-password-file", passwordFile.toString())))
                .hasMessageContaining("failed the TLS handshake")
                .hasMessageContaining("--jdbc-ssl-root-cert");
    }

    @Test
    void aWrongPasswordFailsTheSubmissionClearlyWithoutShowingIt() {
        assertThatThrownBy(
                        () ->
                                WarehouseJobMain.main(
                                        args(
                                                "--jdbc-ssl-mode", "VERIFY_FULL",
                                                "--jdbc-ssl-root-cert",
                                                        certificates.caCertificatePem().toString(),
                                                "--jdbc-password", "not-the-password")))
                .hasMessageContaining("refused user " + PostgresServer.USER)
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void theServerRefusesConnectionsWithoutTls() {
        assertThatThrownBy(
                        () ->
                                WarehouseJobMain.main(
                                        args(
                                                "--jdbc-ssl-mode",
                                                "DISABLE",
                                                "--jdbc-password-file",
                                                passwordFile.toString())))
                .hasMessageContaining(postgres.jdbcUrl())
                .hasMessageContaining("no encryption");
    }

    private static String[] args(String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers", KAFKA.bootstrapServers(),
                                "--registry-url", REGISTRY.url(),
                                "--jdbc-url", postgres.jdbcUrl(),
                                "--jdbc-user", PostgresServer.USER,
                                "--parallelism", "2",
                                "--state-backend", "HASHMAP",
                                "--checkpoint-interval", "500ms",
                                "--transaction-timeout", "5m",
                                "--batch-interval", "200ms"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static Connection verifiedConnection() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("user", PostgresServer.USER);
        properties.setProperty("password", PASSWORD);
        properties.setProperty("sslmode", "verify-full");
        properties.setProperty("sslrootcert", certificates.caCertificatePem().toString());
        return DriverManager.getConnection(postgres.jdbcUrl(), properties);
    }

    private static void produceAlerts() throws Exception {
        var serializer = ConfluentAvro.serializer(Alert.class, Topics.CEP_ALERTS, REGISTRY.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            List<Future<?>> acks = new ArrayList<>();
            for (int i = 0; i < ALERTS; i++) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(
                                        Topics.CEP_ALERTS,
                                        null,
                                        serializer.serialize(SampleRecords.alert(i)))));
            }
            for (var ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }
}
