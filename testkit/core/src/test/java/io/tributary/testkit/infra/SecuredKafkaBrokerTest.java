package io.tributary.testkit.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.testkit.kafka.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker the test kit secures as a production cluster is: TLS from a test CA, SCRAM users. */
class SecuredKafkaBrokerTest {
    @TempDir static Path dir;

    private static TestCertificates certificates;
    private static KafkaBroker broker;

    @BeforeAll
    static void start() {
        certificates = TestCertificates.create(dir.resolve("ca"));
        broker = KafkaBroker.startSecured(certificates, Map.of("alice", "alice-secret"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aUserWithItsPasswordAndTheCaWritesAndReads() throws Exception {
        broker.createTopics(1, "secured");
        Map<String, Object> alice = new HashMap<>(broker.clientSettings("alice", "alice-secret"));
        try (var producer = broker.producer(alice)) {
            producer.send(new ProducerRecord<>("secured", "k".getBytes(), "v".getBytes())).get();
        }

        var records =
                TopicReader.readCommitted(
                        broker.bootstrapServers(),
                        broker.clientSettings("alice", "alice-secret"),
                        List.of("secured"),
                        Duration.ofSeconds(30));

        assertThat(records).extracting(r -> new String(r.value())).containsExactly("v");
        assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThatThrownBy(() -> describe(broker.clientSettings("alice", "wrong")))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aCertificateFromAnotherCaIsNotTrusted() {
        TestCertificates other = TestCertificates.create(dir.resolve("other-ca"));
        Map<String, String> settings =
                new HashMap<>(broker.clientSettings("alice", "alice-secret"));
        settings.put("ssl.truststore.location", other.truststore().toString());
        settings.put("ssl.truststore.password", other.storePassword());

        assertThatThrownBy(() -> describe(settings))
                .hasCauseInstanceOf(SslAuthenticationException.class);
    }

    @Test
    void plaintextClientsGetNoAnswer() {
        assertThatThrownBy(() -> describe(Map.of())).isInstanceOf(ExecutionException.class);
    }

    private static void describe(Map<String, String> settings) throws Exception {
        Map<String, Object> config = new HashMap<>(settings);
        config.put("bootstrap.servers", broker.bootstrapServers());
        config.put("request.timeout.ms", "3000");
        config.put("default.api.timeout.ms", "5000");
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
        }
    }
}
