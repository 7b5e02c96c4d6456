package io.tributary.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class KafkaConnectionTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"ingest\""
                    + " password=\"never-print-me\";";

    @Test
    void everyClientGetsTheBootstrapServersAndTheOperatorsSettings() {
        KafkaConnection kafka =
                KafkaConnection.of(
                        "broker:9093",
                        Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"));

        Properties client = kafka.clientProperties();

        assertThat(client)
                .containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        // No placeholders: no config providers, so plain setups log no unused-config warnings.
        assertThat(client).doesNotContainKey(KafkaConnection.PROVIDERS);
    }

    @Test
    void operatorSettingsOverrideTheJobsProducerTuningButNotItsTransactionTimeout() {
        Properties tuning = new Properties();
        tuning.setProperty("compression.type", "lz4");
        tuning.setProperty("transaction.timeout.ms", "600000");
        KafkaConnection kafka = KafkaConnection.of("b:1", Map.of("compression.type", "zstd"));

        assertThat(kafka.producerProperties(tuning))
                .containsEntry("compression.type", "zstd")
                .containsEntry("transaction.timeout.ms", "600000")
                .containsEntry("bootstrap.servers", "b:1");
        assertThatThrownBy(() -> KafkaConnection.of("b:1", Map.of("transaction.timeout.ms", "1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transaction.timeout.ms")
                .hasMessageContaining("--transaction-timeout");
    }

    @Test
    void settingsExactlyOnceDependsOnAreRefusedWithoutRepeatingTheirValue() {
        for (String owned :
                Set.of(
                        "isolation.level",
                        "enable.idempotence",
                        "bootstrap.servers",
                        "group.id",
                        "transactional.id",
                        "value.deserializer")) {
            assertThatThrownBy(() -> KafkaConnection.of("b:1", Map.of(owned, "secret-ish")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(owned)
                    .hasMessageNotContaining("secret-ish");
        }
    }

    @Test
    void placeholdersBringTheConfigProvidersThatResolveThemWhereTheClientRuns() {
        KafkaConnection kafka =
                KafkaConnection.of(
                        "b:1", Map.of("ssl.truststore.password", "${env:TRUSTSTORE_PASSWORD}"));

        Properties client = kafka.clientProperties();

        assertThat(client)
                .containsEntry(KafkaConnection.PROVIDERS, "env,file,dir")
                .containsEntry(
                        KafkaConnection.PROVIDERS + ".env.class",
                        EnvironmentConfigProvider.class.getName())
                .containsEntry("ssl.truststore.password", "${env:TRUSTSTORE_PASSWORD}");
    }

    @Test
    void anOperatorsOwnConfigProvidersAreLeftAlone() {
        KafkaConnection kafka =
                KafkaConnection.of(
                        "b:1",
                        Map.of(
                                "config.providers", "vault",
                                "config.providers.vault.class", "com.example.Vault",
                                "sasl.jaas.config", "${vault:kafka:jaas}"));

        assertThat(kafka.clientProperties())
                .containsEntry("config.providers", "vault")
                .doesNotContainKey(KafkaConnection.PROVIDERS + ".env.class");
    }

    @Test
    void kafkaClientsResolveEnvironmentPlaceholdersThroughTheRegisteredProvider() {
        // PATH is set in every environment this runs in; what matters is that the Kafka client's
        // own config machinery (AbstractConfig) instantiates the provider and substitutes it.
        String path = System.getenv("PATH");
        KafkaConnection kafka =
                KafkaConnection.of("b:1", Map.of("client.id", "tributary-${env:PATH}"));

        AdminClientConfig config = new AdminClientConfig(kafka.clientProperties());

        assertThat(config.getString("client.id")).isEqualTo("tributary-" + path);
    }

    @Test
    void aMissingEnvironmentVariableIsNamedInsteadOfBecomingAWrongPassword() {
        KafkaConnection kafka =
                KafkaConnection.of(
                        "b:1",
                        Map.of(
                                "sasl.jaas.config",
                                "x password=\"${env:TRIBUTARY_NOT_SET_EVER}\";"));

        assertThatThrownBy(() -> new AdminClientConfig(kafka.clientProperties()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TRIBUTARY_NOT_SET_EVER")
                .hasMessageContaining("not set");
    }

    @Test
    void theProviderReadsTheEnvironmentItIsGiven() {
        var provider = new EnvironmentConfigProvider(Map.of("KAFKA_PASSWORD", "pw")::get);

        assertThat(provider.get(null, Set.of("KAFKA_PASSWORD")).data())
                .containsEntry("KAFKA_PASSWORD", "pw");
        assertThatThrownBy(() -> provider.get("/some/path", Set.of("KAFKA_PASSWORD")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void printingAConnectionHidesEverythingThatMayBeASecret() {
        KafkaConnection kafka =
                KafkaConnection.of(
                        "broker:9093",
                        Map.of(
                                "security.protocol", "SASL_SSL",
                                "sasl.jaas.config", JAAS,
                                "ssl.truststore.password", "also-secret",
                                "ssl.key.password", "and-this"));

        assertThat(kafka.toString())
                .contains("broker:9093", "security.protocol=SASL_SSL", "sasl.jaas.config=[hidden]")
                .doesNotContain("never-print-me", "also-secret", "and-this");
    }

    @Test
    void aConnectionTravelsInTheJobGraph() throws Exception {
        KafkaConnection kafka = KafkaConnection.of("b:1", Map.of("security.protocol", "SSL"));

        var bytes = new ByteArrayOutputStream();
        try (var out = new ObjectOutputStream(bytes)) {
            out.writeObject(kafka);
        }
        try (var in =
                new ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(kafka);
        }
    }
}
