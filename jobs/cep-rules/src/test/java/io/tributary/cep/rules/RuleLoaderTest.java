package io.tributary.cep.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad rule files: each problem comes back as file:line:column with a message an analyst
 * understands, and nothing is loaded.
 */
class RuleLoaderTest {
    private static final String HEADER =
            """
            id: storm
            version: 1
            description: stalls
            severity: HIGH
            owner: qoe
            input: [BUFFER_START, PLAY]
            key: sessionId
            """;
    private static final String ALERT =
            """
            alert:
              summary: "stalls in ${stalls.sessionId}"
            """;
    private static final String STEPS =
            """
            pattern:
              - begin: stalls
                type: BUFFER_START
                times: 3
            """;

    @Test
    void aValidRuleLoads() {
        RuleLoader.Loaded loaded =
                RuleLoader.loadText("storm.yaml", HEADER + "within: 60s\n" + STEPS + ALERT);
        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.rules())
                .singleElement()
                .satisfies(
                        rule -> {
                            assertThat(rule.id()).isEqualTo("storm");
                            assertThat(rule.key()).containsExactly("sessionId");
                            assertThat(rule.steps())
                                    .extracting(Rule.Step::name)
                                    .containsExactly("stalls");
                        });
    }

    @Test
    void aPatternWhoseMatchesCanGrowWithoutBoundLoadsWithAWarningAtItsStep() {
        String unbounded =
                """
                pattern:
                  - begin: stalls
                    type: BUFFER_START
                    timesOrMore: 3
                """;
        RuleLoader.Loaded loaded =
                RuleLoader.loadText("storm.yaml", HEADER + "within: 60s\n" + unbounded + ALERT);

        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.rules()).hasSize(1);
        assertThat(loaded.warnings())
                .singleElement()
                .satisfies(
                        warning -> {
                            assertThat(warning.toString())
                                    .startsWith("storm.yaml:10:5: warning: step 'stalls'")
                                    .contains("a relaxed timesOrMore")
                                    .contains("--max-partial-matches");
                        });
        assertThat(
                        RuleLoader.loadText("storm.yaml", HEADER + "within: 60s\n" + STEPS + ALERT)
                                .warnings())
                .as("times: 3 is bounded")
                .isEmpty();
    }

    @Test
    void yamlSyntaxError() {
        assertProblems(
                HEADER + "within: 60s\npattern:\n  - begin: [stalls\n" + ALERT,
                "bad.yaml:11:6: YAML syntax error: expected ',' or ']', but got ':' (in the flow sequence that starts at line 10, column 12)");
    }

    @Test
    void unknownField() {
        assertProblems(
                HEADER
                        + "within: 60s\n"
                        + STEPS.replace("    times: 3\n", "    times: 3\n    repeat: true\n")
                        + ALERT,
                "bad.yaml:13:5: unknown field 'repeat'; expected one of: begin, next, followedBy, followedByAny, notNext, "
                        + "notFollowedBy, type, where, times, timesOrMore, oneOrMore, optional, greedy, consecutive, allowCombinations, until");
    }

    @Test
    void typeMismatchInACondition() {
        assertProblems(
                HEADER
                        + "within: 60s\n"
                        + STEPS.replace("    times: 3\n", "    where: event.positionMs > 'late'\n")
                        + ALERT,
                "bad.yaml:12:29: in 'where': operator > cannot be applied to (int, string)");
    }

    @Test
    void wrongTypeOfValue() {
        assertProblems(
                HEADER + "within: 60s\n" + STEPS.replace("times: 3", "times: three") + ALERT,
                "bad.yaml:12:12: 'times' must be an integer or object, not a string");
    }

    @Test
    void referenceToAnUnknownStep() {
        assertProblems(
                HEADER
                        + "within: 60s\n"
                        + STEPS
                        + "  - followedBy: error\n    type: PLAY\n    where: event.cdn == stall.cdn\n"
                        + ALERT,
                "bad.yaml:15:25: in 'where': unknown step 'stall'; use 'event' for the event being matched, "
                        + "steps that can be referred to here: stalls");
    }

    @Test
    void unknownFieldInAnExpression() {
        assertProblems(
                HEADER
                        + "within: 60s\n"
                        + STEPS
                        + ALERT.replace("stalls.sessionId", "stalls.session"),
                "bad.yaml:14:25: in '${stalls.session}': 'stalls' has no field 'session'; player events have: id, type, time, "
                        + "producer, sessionId, viewerId, accountId, deviceId, titleId, deviceClass, cdn, region, positionMs, renditionId, "
                        + "bitrateKbps, previousBitrateKbps, bufferDurationMs, startupTimeMs, seekFromMs, errorCode, errorFatal, count");
    }

    @Test
    void negativeDuration() {
        assertProblems(
                HEADER + "within: -60s\n" + STEPS + ALERT,
                "bad.yaml:8:9: 'within' must be a positive duration such as 60s, 15m or 48h, not '-60s'");
    }

    @Test
    void malformedDuration() {
        assertProblems(
                HEADER + "within: a minute\n" + STEPS + ALERT,
                "bad.yaml:8:9: 'a minute' is not a duration; write it like 500ms, 60s, 15m, 48h or 1h30m");
    }

    @Test
    void missingDuration() {
        assertProblems(
                HEADER + STEPS + ALERT,
                "bad.yaml:1:1: missing 'within': every rule bounds how long a match may take (e.g. within: 10m), "
                        + "or partial matches that never complete stay in state forever");
    }

    @Test
    void notFollowedByAsTheLastStepWithoutWithin() {
        assertProblems(
                HEADER
                        + "pattern:\n  - begin: play\n    type: PLAY\n  - notFollowedBy: stall\n    type: BUFFER_START\n"
                        + ALERT.replace("stalls.", "play."),
                "bad.yaml:11:5: a pattern that ends with notFollowedBy needs 'within': how long to wait for the event that must not come");
    }

    @Test
    void duplicateRuleIds() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a.yaml", HEADER + "within: 60s\n" + STEPS + ALERT);
        files.put("b.yaml", HEADER + "within: 30s\n" + STEPS + ALERT);
        RuleLoader.Loaded loaded = RuleLoader.loadTexts(files);
        assertThat(loaded.rules()).isEmpty();
        assertThat(loaded.problems())
                .map(RuleProblem::toString)
                .containsExactly(
                        "b.yaml:1:5: rule id 'storm' is already used by a.yaml:1; rule ids must be unique");
    }

    @Test
    void stepsThatCannotBeSeen() {
        assertProblems(
                HEADER
                        + "within: 60s\npattern:\n  - begin: play\n    type: PLAY\n    where: event.cdn != later.cdn\n"
                        + "  - followedBy: later\n    type: BUFFER_START\n"
                        + ALERT.replace("stalls.", "play."),
                "bad.yaml:12:25: in 'where': step 'later' comes later in the pattern; a condition can only use steps before it");
    }

    @Test
    void missingRequiredFieldsAndBadEnums() {
        assertProblems(
                HEADER.replace("severity: HIGH", "severity: urgent").replace("owner: qoe\n", "")
                        + "within: 60s\n"
                        + STEPS
                        + ALERT,
                "bad.yaml:1:1: missing required field 'owner'",
                "bad.yaml:4:11: 'urgent' is not a valid severity; expected one of [INFO, LOW, MEDIUM, HIGH, CRITICAL]");
    }

    @Test
    void inputFromTwoDomains() {
        assertProblems(
                HEADER.replace("[BUFFER_START, PLAY]", "[BUFFER_START, ORDER_PAID]")
                        + "within: 60s\n"
                        + STEPS
                        + ALERT,
                "bad.yaml:6:8: a rule looks at events of one domain, but 'input' mixes BUFFER_START (player), ORDER_PAID (commerce)");
    }

    @Test
    void optionsThatNeedARepeatingStep() {
        assertProblems(
                HEADER
                        + "within: 60s\n"
                        + STEPS.replace("    times: 3\n", "    greedy: true\n")
                        + ALERT,
                "bad.yaml:12:5: 'greedy' only applies to a step that repeats (times, timesOrMore or oneOrMore)");
    }

    /**
     * Flink CEP ignores greedy on a pattern's last step (FLINK-10587): a rule saying it would
     * promise longer matches than it ever reports.
     */
    @Test
    void greedyOnTheLastStepIsRefusedBecauseFlinkCepIgnoresIt() {
        assertProblems(
                HEADER
                        + "within: 60s\n"
                        + STEPS.replace("    times: 3\n", "    timesOrMore: 3\n    greedy: true\n")
                        + ALERT,
                "bad.yaml:13:5: 'greedy' has no effect on the last step: Flink CEP completes the match as"
                        + " soon as the step's minimum is reached (FLINK-10587). Remove it, or add a step"
                        + " after this one");
        assertThat(
                        RuleLoader.loadText(
                                        "ok.yaml",
                                        HEADER
                                                + "within: 60s\n"
                                                + STEPS.replace(
                                                        "    times: 3\n",
                                                        "    timesOrMore: 3\n    greedy: true\n")
                                                + "  - followedBy: recovered\n    type: BUFFER_START\n"
                                                + ALERT)
                                .problems())
                .as("greedy before another step")
                .isEmpty();
    }

    @Test
    void firstStepMustBegin() {
        assertProblems(
                HEADER + "within: 60s\n" + STEPS.replace("begin: stalls", "next: stalls") + ALERT,
                "bad.yaml:10:5: the first step must be 'begin: <name>', not 'next'");
    }

    private static void assertProblems(String text, String... expected) {
        RuleLoader.Loaded loaded = RuleLoader.loadText("bad.yaml", text);
        assertThat(loaded.rules()).as("nothing loads").isEmpty();
        assertThat(loaded.problems()).map(RuleProblem::toString).containsExactly(expected);
        assertThat(List.of(expected)).isNotEmpty();
    }
}
