package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.cep.rules.RuleLoader;
import io.tributary.jobs.JobCommandLine;
import io.tributary.schemas.Topics;
import io.tributary.testkit.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CepRulesJobMainTest {

    @Test
    void parsesTypedOptionsWithDefaults() {
        CepRulesOptions options =
                JobCommandLine.parse(
                        new CepRulesOptions(),
                        new String[] {
                            "--bootstrap-servers",
                            "kafka:9092",
                            "--registry-url",
                            "http://registry:8080/apis/ccompat/v7",
                            "--rules",
                            "/opt/rules"
                        });
        assertThat(options.rules).isEqualTo(Path.of("/opt/rules"));
        assertThat(options.inputTopics)
                .containsExactly(
                        Topics.EVENTS_PLAYER,
                        Topics.EVENTS_MEDIA,
                        Topics.EVENTS_COMMERCE,
                        Topics.EVENTS_IOT);
        assertThat(options.alertsTopic).isEqualTo(Topics.CEP_ALERTS);
        assertThat(options.lateTopic).isEqualTo(Topics.CEP_LATE_EVENTS);
    }

    @Test
    void rulesAreRequired() {
        assertThatThrownBy(
                        () ->
                                JobCommandLine.parse(
                                        new CepRulesOptions(),
                                        new String[] {
                                            "--bootstrap-servers", "k", "--registry-url", "r"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--rules");
    }

    @Test
    void aBadRuleStopsTheSubmissionWithEveryProblem(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("storm.yaml"),
                Files.readString(Repository.rules().resolve("player/rebuffering-storm.yaml"))
                        .replace("key: sessionId", "key: session")
                        .replace("severity: HIGH", "severity: HUGE"));
        assertThatThrownBy(
                        () ->
                                CepRulesJobMain.main(
                                        new String[] {
                                            "--bootstrap-servers",
                                            "k",
                                            "--registry-url",
                                            "r",
                                            "--rules",
                                            dir.toString()
                                        }))
                .isInstanceOf(RuleLoader.InvalidRulesException.class)
                .hasMessageContaining("storm.yaml:")
                .hasMessageContaining("'HUGE' is not a valid severity");
    }

    @Test
    void helpIsPrintedNotRun() {
        assertThat(JobCommandLine.parse(new CepRulesOptions(), new String[] {"--help"})).isNull();
    }
}
