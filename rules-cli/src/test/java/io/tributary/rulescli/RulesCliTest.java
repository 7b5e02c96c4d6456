package io.tributary.rulescli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.Repository;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analysts' command on the repository's own rules: every shipped rule validates, every fixture
 * passes on an embedded Flink, explain shows the compiled pattern; a broken rule file fails with
 * file:line:column and a non-zero exit code.
 */
class RulesCliTest {
    private static final Path RULES = Repository.rules();

    @Test
    void everyShippedRuleValidates() {
        Run run = run("validate", RULES.toString());
        assertThat(run.exit).as(run.err).isEqualTo(RulesCli.OK);
        assertThat(run.out).contains("9 rule(s) valid.");
    }

    @Test
    void everyShippedFixturePasses() {
        Run run = run("test", "--require-fixtures", RULES.toString());
        assertThat(run.exit).as(run.err + run.out).isEqualTo(RulesCli.OK);
        Matcher summary =
                Pattern.compile(
                                "(\\d+) case\\(s\\) passed, 0 failed, 0 rule\\(s\\) without fixtures")
                        .matcher(run.out);
        assertThat(summary.find()).as(run.out).isTrue();
        assertThat(Integer.parseInt(summary.group(1)))
                .as("at least a match and a near miss per rule")
                .isGreaterThanOrEqualTo(18);
        for (String rule :
                new String[] {
                    "rebuffering-storm",
                    "playback-start-failure",
                    "transcode-stuck",
                    "rendition-ladder-incomplete",
                    "card-testing",
                    "order-paid-not-fulfilled",
                    "sensor-flatline",
                    "sensor-spike",
                    "account-sharing"
                }) {
            assertThat(run.out).contains("PASS  " + rule + " / ");
        }
    }

    @Test
    void aWrongExpectationFailsWithADiff(@TempDir Path dir) throws IOException {
        Path rule = dir.resolve("rebuffering-storm.yaml");
        Files.copy(RULES.resolve("player/rebuffering-storm.yaml"), rule);
        Path fixtures = Files.createDirectory(dir.resolve("rebuffering-storm.fixtures"));
        Files.writeString(
                fixtures.resolve("storm.events.jsonl"),
                String.join(
                        "\n",
                        "{\"id\": \"b1\", \"type\": \"BUFFER_START\", \"time\": \"0s\", \"sessionId\": \"s1\"}",
                        "{\"id\": \"b2\", \"type\": \"BUFFER_START\", \"time\": \"10s\", \"sessionId\": \"s1\"}",
                        "{\"id\": \"b3\", \"type\": \"BUFFER_START\", \"time\": \"20s\", \"sessionId\": \"s1\"}"));
        Files.writeString(
                fixtures.resolve("storm.alerts.jsonl"),
                "{\"key\": \"s1\", \"events\": [\"b1\", \"b2\"]}\n");

        Run run = run("test", dir.toString());
        assertThat(run.exit).isEqualTo(RulesCli.PROBLEMS);
        assertThat(run.err)
                .contains("FAIL  rebuffering-storm / storm")
                .contains(
                        "- expected, not raised:  {\"key\": \"s1\", \"events\": [\"b1\", \"b2\"]}  (storm.alerts.jsonl:1)")
                .contains(
                        "+ raised, not expected:  {\"key\": \"s1\", \"events\": [\"b1\", \"b2\", \"b3\"]");
    }

    @Test
    void aBrokenRuleFailsValidationWithItsPosition(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("broken.yaml"),
                Files.readString(RULES.resolve("player/rebuffering-storm.yaml"))
                        .replace("within: 60s", "within: 60 seconds"));
        Run run = run("validate", dir.toString());
        assertThat(run.exit).isEqualTo(RulesCli.PROBLEMS);
        assertThat(run.err)
                .containsPattern("broken\\.yaml:\\d+:9: '60 seconds' is not a duration")
                .contains("1 problem(s); nothing was deployed.");
    }

    @Test
    void explainShowsThePatternAndTheNfa() {
        Run run = run("explain", "--rule", "card-testing", RULES.toString());
        assertThat(run.exit).as(run.err).isEqualTo(RulesCli.OK);
        assertThat(run.out)
                .contains("Pattern.begin(\"failures\", skipPastLastEvent())")
                .contains(".timesOrMore(3)")
                .contains(".followedBy(\"success\")")
                .contains(".within(5m)")
                .contains("NFA compiled by Flink CEP:")
                .contains("$endState$ (final)");
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = RulesCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }
}
