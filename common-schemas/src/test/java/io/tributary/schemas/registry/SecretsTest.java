package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
    private final Secrets secrets = Secrets.withEnvironment(Map.of("PW", "from-env")::get);

    @Test
    void referencesAreReplacedInsideLargerValues(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.properties");
        Files.writeString(file, "password=from-file\n");
        Files.writeString(dir.resolve("token"), "from-dir\n");

        assertThat(secrets.resolve("user:${env:PW}")).isEqualTo("user:from-env");
        assertThat(secrets.resolve("a ${file:" + file + ":password} b")).isEqualTo("a from-file b");
        assertThat(secrets.resolve("${dir:" + dir + ":token}")).isEqualTo("from-dir");
        assertThat(secrets.resolve("plain $ {not} ${")).isEqualTo("plain $ {not} ${");
    }

    @Test
    void whatIsMissingIsNamedWithoutAnyValue(@TempDir Path dir) {
        assertThatThrownBy(() -> secrets.resolve("${env:NOT_SET}"))
                .hasMessageContaining("NOT_SET")
                .hasMessageContaining("not set");
        assertThatThrownBy(() -> secrets.resolve("${dir:" + dir + ":missing}"))
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> secrets.resolve("${file:" + dir.resolve("x") + ":key}"))
                .hasMessageContaining("x");
    }
}
