package io.tributary.testkit.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.schemas.registry.SchemaRegistryClient;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite's registry client against a registry that wants a client certificate (mutual TLS): with
 * {@code ssl.keystore.*} it registers and reads schemas, without it the error says which setting to
 * give.
 */
class RegistryClientCertificateTest {
    @Test
    void aClientCertificateFromTheKeystoreOpensAMutualTlsRegistry(@TempDir Path dir) {
        TestCertificates certificates = TestCertificates.create(dir.resolve("ca"));
        try (SchemaRegistry registry = SchemaRegistry.start();
                AuthenticatingProxy mutualTls =
                        AuthenticatingProxy.clientCertificate(registry.url(), certificates)) {
            Map<String, String> trust =
                    Map.of(
                            "ssl.truststore.location", certificates.truststore().toString(),
                            "ssl.truststore.password", certificates.storePassword());
            Map<String, String> withCertificate = new java.util.HashMap<>(trust);
            withCertificate.put("ssl.keystore.location", certificates.serverKeystore().toString());
            withCertificate.put("ssl.keystore.password", certificates.storePassword());

            SchemaRegistryClient client =
                    new SchemaRegistryClient(
                            RegistryConnection.of(mutualTls.url(), withCertificate));
            client.verifyAccess();
            int id =
                    client.register(
                            "mtls-value",
                            SchemaBuilder.record("Probe").fields().requiredString("x").endRecord());
            assertThat(client.schemaById(id).getName()).isEqualTo("Probe");

            assertThatThrownBy(
                            () ->
                                    new SchemaRegistryClient(
                                                    RegistryConnection.of(mutualTls.url(), trust))
                                            .verifyAccess())
                    .hasMessageContaining(mutualTls.url())
                    .hasMessageContaining("client certificate")
                    .hasMessageContaining("ssl.keystore.location");
        }
    }
}
