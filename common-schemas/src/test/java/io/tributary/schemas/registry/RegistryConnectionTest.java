package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConnectionTest {
    @Test
    void basicAuthSendsTheUserInfoAsConfluentClientsDo() {
        RegistryConnection registry =
                RegistryConnection.of(
                        "https://registry/", Map.of("basic.auth.user.info", "jobs:s3cret"));

        assertThat(registry.url()).isEqualTo("https://registry");
        assertThat(registry.authorization())
                .contains(
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                "jobs:s3cret".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBearerTokenMayComeFromAMountedSecretDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), "abc.def.ghi\n");
        RegistryConnection registry =
                RegistryConnection.of(
                        "https://registry",
                        Map.of("bearer.auth.token", "${dir:" + dir + ":token}"));

        assertThat(registry.authorization()).contains("Bearer abc.def.ghi");
    }

    @Test
    void noCredentialsNoHeader() {
        assertThat(RegistryConnection.of("http://registry").authorization()).isEmpty();
    }

    @Test
    void unknownSettingsAndTwoKindsOfCredentialsAreRefused() {
        assertThatThrownBy(
                        () -> RegistryConnection.of("http://r", Map.of("basic.auth.userinfo", "x")))
                .hasMessageContaining("basic.auth.userinfo")
                .hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(
                        () ->
                                RegistryConnection.of(
                                        "http://r",
                                        Map.of(
                                                "basic.auth.user.info", "a:b",
                                                "bearer.auth.token", "t")))
                .hasMessageContaining("one kind of credentials");
    }

    @Test
    void printingHidesCredentialsAndStorePasswords() {
        RegistryConnection registry =
                RegistryConnection.of(
                        "https://registry",
                        Map.of(
                                "basic.auth.user.info", "jobs:s3cret",
                                "ssl.truststore.location", "/etc/ca.p12",
                                "ssl.truststore.password", "store-pw"));

        assertThat(registry.toString())
                .contains("https://registry", "ssl.truststore.location=/etc/ca.p12")
                .doesNotContain("s3cret", "store-pw");
    }

    @Test
    void anUnreadableTruststoreIsNamed() {
        RegistryConnection registry =
                RegistryConnection.of(
                        "https://registry",
                        Map.of("ssl.truststore.location", "/nonexistent/ca.p12"));

        assertThatThrownBy(registry::httpClient).hasMessageContaining("/nonexistent/ca.p12");
    }
}
