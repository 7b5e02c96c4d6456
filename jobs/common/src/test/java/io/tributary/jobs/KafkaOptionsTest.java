package io.tributary.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class KafkaOptionsTest {
    @Command(name = "job", mixinStandardHelpOptions = true)
    static class Job {
        @Mixin KafkaOptions kafka = new KafkaOptions();
    }

    private static KafkaOptions parse(String... args) {
        return JobCommandLine.parse(new Job(), args).kafka;
    }

    @Test
    void settingsComeFromTheFileAndFromTheCommandLineWhichWins(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_SSL\n"
                        + "sasl.mechanism=SCRAM-SHA-256\n"
                        + "ssl.truststore.location=/etc/kafka/ca.p12\n");

        var connection =
                parse(
                                "--bootstrap-servers", "b:9093",
                                "--registry-url", "http://r",
                                "--kafka-properties", file.toString(),
                                "--kafka-property", "sasl.mechanism=SCRAM-SHA-512",
                                "--kafka-property", "client.dns.lookup=use_all_dns_ips")
                        .connection();

        assertThat(connection.bootstrapServers()).isEqualTo("b:9093");
        assertThat(connection.settings())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
                .containsEntry("client.dns.lookup", "use_all_dns_ips");
    }

    @Test
    void aValueMayContainEqualsSigns() {
        var connection =
                parse(
                                "--bootstrap-servers", "b:1",
                                "--registry-url", "http://r",
                                "--kafka-property", "sasl.jaas.config=a b=\"c\";")
                        .connection();

        assertThat(connection.settings()).containsEntry("sasl.jaas.config", "a b=\"c\";");
    }

    @Test
    void aMistypedSettingIsRefusedWithoutEchoingWhatMayBeAPassword() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        "--bootstrap-servers", "b:1",
                                        "--registry-url", "http://r",
                                        "--kafka-property", "hunter2-no-equals-sign"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--kafka-property")
                .hasMessageContaining("KEY=VALUE")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void anUnreadableFileIsNamed(@TempDir Path dir) {
        KafkaOptions options =
                parse(
                        "--bootstrap-servers", "b:1",
                        "--registry-url", "http://r",
                        "--kafka-properties", dir.resolve("missing.properties").toString());

        assertThatThrownBy(options::connection)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.properties");
    }

    @Test
    void helpDocumentsTheSettingsAndHowToNameSecrets() {
        StringWriter help = new StringWriter();
        new CommandLine(new Job()).usage(new PrintWriter(help));

        assertThat(help.toString())
                .contains("--kafka-property=KEY=VALUE", "--kafka-properties=FILE", "${env:NAME}");
    }
}
