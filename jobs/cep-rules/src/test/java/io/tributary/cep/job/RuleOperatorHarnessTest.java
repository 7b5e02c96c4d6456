package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.fixtures.FixtureCase;
import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import io.tributary.testkit.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shipped rules in the operator the job builds for their key, driven by hand-made watermarks:
 * alerts come when the watermark says the pattern is complete (or, for notFollowedBy, that the wait
 * is over), the rules of one group do not see each other's state, and once every match is done or
 * timed out the operator keeps no state and no timers.
 */
class RuleOperatorHarnessTest {
    private static final Path RULES = Repository.rules();
    private static final long SECOND = 1_000;
    private static final long BASE = FixtureEvents.BASE.toEpochMilli();

    @Test
    void rebufferingStormFiresOnceAndLeavesNothingBehind() throws Exception {
        try (var harness = harness(rule("player/rebuffering-storm.yaml"))) {
            harness.open();
            feed(
                    harness,
                    "{\"id\": \"b1\", \"type\": \"BUFFER_START\", \"time\": \"10s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"b2\", \"type\": \"BUFFER_START\", \"time\": \"25s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"b3\", \"type\": \"BUFFER_START\", \"time\": \"40s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"x1\", \"type\": \"BUFFER_START\", \"time\": \"41s\", \"sessionId\": \"s2\"}");
            assertThat(harness.numEventTimeTimers())
                    .as("a timer per key with buffered events")
                    .isPositive();

            harness.processWatermark(BASE + 5 * SECOND);
            assertThat(alerts(harness))
                    .as("nothing before the watermark passes the events")
                    .isEmpty();

            harness.processWatermark(BASE + 200 * SECOND);
            assertThat(alerts(harness))
                    .singleElement()
                    .satisfies(
                            alert -> {
                                assertThat(alert.getKey()).isEqualTo("s1");
                                assertThat(alert.getMatchedEventIds())
                                        .containsExactly("b1", "b2", "b3");
                                assertThat(alert.getRuleId()).isEqualTo("rebuffering-storm");
                            });
            assertThat(harness.numKeyedStateEntries())
                    .as("keyed state after every match ended")
                    .isZero();
            assertThat(harness.numEventTimeTimers()).as("timers after every match ended").isZero();
        }
    }

    @Test
    void absenceFiresWhenTheWaitIsOverAndCleansUp() throws Exception {
        try (var harness = harness(rule("player/playback-start-failure.yaml"))) {
            harness.open();
            feed(
                    harness,
                    "{\"id\": \"p1\", \"type\": \"PLAY\", \"time\": \"0s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"p2\", \"type\": \"PLAY\", \"time\": \"1s\", \"sessionId\": \"s2\"}",
                    "{\"id\": \"f2\", \"type\": \"FIRST_FRAME\", \"time\": \"3s\", \"sessionId\": \"s2\"}");
            harness.processWatermark(BASE + 9 * SECOND);
            assertThat(alerts(harness)).as("s1 is still within its 10 s").isEmpty();

            harness.processWatermark(BASE + 11 * SECOND);
            assertThat(alerts(harness))
                    .singleElement()
                    .satisfies(
                            alert -> assertThat(alert.getMatchedEventIds()).containsExactly("p1"));
            harness.processWatermark(BASE + 60 * SECOND);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void rulesOfOneKeyShareTheQueueButNotTheirMatches() throws Exception {
        try (var harness =
                harness(
                        rule("player/rebuffering-storm.yaml"),
                        rule("player/playback-start-failure.yaml"))) {
            harness.open();
            feed(
                    harness,
                    "{\"id\": \"p1\", \"type\": \"PLAY\", \"time\": \"0s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"b1\", \"type\": \"BUFFER_START\", \"time\": \"2s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"b2\", \"type\": \"BUFFER_START\", \"time\": \"4s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"b3\", \"type\": \"BUFFER_START\", \"time\": \"6s\", \"sessionId\": \"s1\"}");
            assertThat(harness.numEventTimeTimers())
                    .as("one queue timer per event time, whatever the number of rules")
                    .isEqualTo(4);

            harness.processWatermark(BASE + 7 * SECOND);
            assertThat(alerts(harness))
                    .extracting(Alert::getRuleId)
                    .containsExactly("rebuffering-storm");
            harness.processWatermark(BASE + 120 * SECOND);
            assertThat(alerts(harness))
                    .extracting(Alert::getRuleId)
                    .containsExactly("rebuffering-storm", "playback-start-failure");
            assertThat(alerts(harness).get(1).getMatchedEventIds())
                    .as("the buffering events are not the other rule's")
                    .containsExactly("p1");
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aRuleAddedToTheGroupRestoresTheOthersPartialMatches() throws Exception {
        Rule storm = rule("player/rebuffering-storm.yaml");
        OperatorSubtaskState snapshot;
        try (var before = harness(storm)) {
            before.open();
            feed(
                    before,
                    "{\"id\": \"b1\", \"type\": \"BUFFER_START\", \"time\": \"10s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"b2\", \"type\": \"BUFFER_START\", \"time\": \"20s\", \"sessionId\": \"s1\"}");
            before.processWatermark(BASE + 21 * SECOND);
            assertThat(before.numKeyedStateEntries())
                    .as("a partial match in progress")
                    .isPositive();
            snapshot = before.snapshot(1, BASE);
        }
        try (var after = harness(storm, rule("player/playback-start-failure.yaml"))) {
            after.initializeState(snapshot);
            after.open();
            feed(
                    after,
                    "{\"id\": \"b3\", \"type\": \"BUFFER_START\", \"time\": \"30s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"p1\", \"type\": \"PLAY\", \"time\": \"31s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"f1\", \"type\": \"FIRST_FRAME\", \"time\": \"32s\", \"sessionId\": \"s1\"}");
            after.processWatermark(BASE + 300 * SECOND);
            assertThat(alerts(after))
                    .singleElement()
                    .satisfies(
                            alert -> {
                                assertThat(alert.getRuleId()).isEqualTo("rebuffering-storm");
                                assertThat(alert.getMatchedEventIds())
                                        .containsExactly("b1", "b2", "b3");
                            });
            assertThat(after.numKeyedStateEntries()).isZero();
            assertThat(after.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void aRuleRemovedFromTheGroupLeavesNoStateOnceItsWindowWouldHaveEnded() throws Exception {
        Rule storm = rule("player/rebuffering-storm.yaml");
        Rule startFailure = rule("player/playback-start-failure.yaml");
        OperatorSubtaskState snapshot;
        try (var before = harness(storm, startFailure)) {
            before.open();
            feed(
                    before,
                    "{\"id\": \"b1\", \"type\": \"BUFFER_START\", \"time\": \"10s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"p1\", \"type\": \"PLAY\", \"time\": \"11s\", \"sessionId\": \"s1\"}");
            before.processWatermark(BASE + 12 * SECOND);
            snapshot = before.snapshot(1, BASE);
        }
        try (var after = harness(startFailure)) {
            after.initializeState(snapshot);
            after.open();
            after.processWatermark(BASE + 300 * SECOND);
            assertThat(alerts(after))
                    .extracting(Alert::getRuleId)
                    .containsExactly("playback-start-failure");
            assertThat(after.numKeyedStateEntries())
                    .as("the removed storm rule's partial match")
                    .isZero();
            assertThat(after.numEventTimeTimers()).isZero();
        }
    }

    /**
     * Every shipped rule over each of its fixtures, watermark far past the end: the operator clears
     * a rule's NFA state and its buffer's counters, and nothing else, once the rule is idle; this
     * shows Flink's NFA left nothing else behind for any pattern the rules use.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shippedFixtures")
    void everyShippedRuleLeavesNoStateAfterItsFixtures(String title, FixtureCase fixture)
            throws Exception {
        long expectedAlerts =
                Files.readAllLines(fixture.alerts()).stream()
                        .map(String::strip)
                        .filter(
                                line ->
                                        !line.isEmpty()
                                                && !line.startsWith("#")
                                                && !line.startsWith("//"))
                        .count();
        try (var harness = harness(fixture.rule())) {
            harness.open();
            List<Envelope> events =
                    new ArrayList<>(
                            FixtureEvents.parse(
                                    fixture.events().toString(),
                                    Files.readAllLines(fixture.events())));
            events.sort(Comparator.comparing(Envelope::getEventTime));
            for (Envelope event : events) {
                harness.processElement(
                        new StreamRecord<>(event, event.getEventTime().toEpochMilli()));
            }
            harness.processWatermark(BASE + Duration.ofDays(30).toMillis());
            assertThat(alerts(harness)).as("alerts of " + title).hasSize((int) expectedAlerts);
            assertThat(harness.numKeyedStateEntries()).as("keyed state after " + title).isZero();
            assertThat(harness.numEventTimeTimers()).as("timers after " + title).isZero();
        }
    }

    static Stream<Arguments> shippedFixtures() {
        return RuleLoader.load(RULES).rulesOrThrow().stream()
                .flatMap(rule -> FixtureCase.of(rule).stream())
                .map(fixture -> Arguments.of(fixture.title(), fixture));
    }

    /**
     * A card-testing bot: 2,000 failed payments on one account in 200 s, then a success. Every
     * failure starts partial matches that every later failure extends (uncapped, 300 failures
     * already take seconds here, and work grows with the square); the cap keeps the newest 50, so
     * state and work per event stay bounded, and the attack is still detected from them; the alert
     * says how many partial matches were cut, and that count is state the alert clears.
     */
    @Test
    void aFloodForOneKeyIsCutToTheCapAndStillDetected() throws Exception {
        int cap = 50;
        try (var harness = harness(cap, rule("commerce/card-testing.yaml"))) {
            harness.open();
            String[] lines = new String[2_001];
            for (int i = 0; i < 2_000; i++) {
                lines[i] =
                        "{\"id\": \"f"
                                + i
                                + "\", \"type\": \"PAYMENT_FAILED\", \"time\": \""
                                + FixtureEvents.BASE.plusMillis(100L * i)
                                + "\", \"accountId\": \"bot\"}";
            }
            lines[2_000] =
                    "{\"id\": \"ok\", \"type\": \"PAYMENT_SUCCEEDED\", \"time\": \"201s\", \"accountId\": \"bot\"}";
            feed(harness, lines);
            harness.processWatermark(BASE + 202 * SECOND);

            assertThat(alerts(harness))
                    .singleElement()
                    .satisfies(
                            alert -> {
                                assertThat(alert.getMatchedEventCount()).isBetween(4, cap + 1);
                                assertThat(alert.getMatchedEventIds()).endsWith("ok");
                                int firstFailure =
                                        Integer.parseInt(
                                                alert.getMatchedEventIds().get(0).substring(1));
                                assertThat(firstFailure)
                                        .as("only the newest partial matches are left")
                                        .isGreaterThanOrEqualTo(2_000 - cap);
                                // Every failure started at least one partial match; all but the
                                // cap's worth were cut.
                                assertThat(alert.getPartialMatchesCut())
                                        .as("the alert says what was cut")
                                        .isGreaterThanOrEqualTo(2_000 - 2L * cap);
                            });
            harness.processWatermark(BASE + 3_600 * SECOND);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    private static Rule rule(String file) {
        List<Rule> rules = RuleLoader.load(RULES.resolve(file)).rulesOrThrow();
        return rules.get(0);
    }

    private static RuleHarness harness(Rule... rules) throws Exception {
        return harness(RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES, rules);
    }

    private static RuleHarness harness(int maxPartialMatches, Rule... rules) throws Exception {
        return new RuleHarness(
                List.of(rules), RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS, maxPartialMatches);
    }

    private static void feed(RuleHarness harness, String... lines) throws Exception {
        for (Envelope event : FixtureEvents.parse("test", List.of(lines))) {
            harness.processElement(new StreamRecord<>(event, event.getEventTime().toEpochMilli()));
        }
    }

    private static List<Alert> alerts(RuleHarness harness) {
        return harness.extractOutputValues();
    }
}
