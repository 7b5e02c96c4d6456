package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A shipped rule in the operator the job builds for it, driven by hand-made watermarks: alerts
 * come when the watermark says the pattern is complete (or, for notFollowedBy, that the wait is
 * over), and once every match is done or timed out the operator keeps no state and no timers.
 */
class RuleOperatorHarnessTest {
    private static final Path RULES = Path.of("../../rules");
    private static final long SECOND = 1_000;

    @Test
    void rebufferingStormFiresOnceAndLeavesNothingBehind() throws Exception {
        Rule rule = rule("player/rebuffering-storm.yaml");
        try (var harness = harness(rule)) {
            feed(harness,
                    "{\"id\": \"b1\", \"type\": \"BUFFER_START\", \"time\": \"10s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"b2\", \"type\": \"BUFFER_START\", \"time\": \"25s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"b3\", \"type\": \"BUFFER_START\", \"time\": \"40s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"x1\", \"type\": \"BUFFER_START\", \"time\": \"41s\", \"sessionId\": \"s2\"}");
            assertThat(harness.numEventTimeTimers()).as("a timer per key with buffered events").isPositive();

            harness.processWatermark(FixtureEvents.BASE.toEpochMilli() + 5 * SECOND);
            assertThat(alerts(harness)).as("nothing before the watermark passes the events").isEmpty();

            harness.processWatermark(FixtureEvents.BASE.toEpochMilli() + 200 * SECOND);
            assertThat(alerts(harness)).singleElement().satisfies(alert -> {
                assertThat(alert.getKey()).isEqualTo("s1");
                assertThat(alert.getMatchedEventIds()).containsExactly("b1", "b2", "b3");
                assertThat(alert.getRuleId()).isEqualTo("rebuffering-storm");
            });
            assertThat(harness.numKeyedStateEntries()).as("keyed state after every match ended").isZero();
            assertThat(harness.numEventTimeTimers()).as("timers after every match ended").isZero();
        }
    }

    @Test
    void absenceFiresWhenTheWaitIsOverAndCleansUp() throws Exception {
        Rule rule = rule("player/playback-start-failure.yaml");
        try (var harness = harness(rule)) {
            feed(harness,
                    "{\"id\": \"p1\", \"type\": \"PLAY\", \"time\": \"0s\", \"sessionId\": \"s1\"}",
                    "{\"id\": \"p2\", \"type\": \"PLAY\", \"time\": \"1s\", \"sessionId\": \"s2\"}",
                    "{\"id\": \"f2\", \"type\": \"FIRST_FRAME\", \"time\": \"3s\", \"sessionId\": \"s2\"}");
            harness.processWatermark(FixtureEvents.BASE.toEpochMilli() + 9 * SECOND);
            assertThat(alerts(harness)).as("s1 is still within its 10 s").isEmpty();

            harness.processWatermark(FixtureEvents.BASE.toEpochMilli() + 11 * SECOND);
            assertThat(alerts(harness)).singleElement()
                    .satisfies(alert -> assertThat(alert.getMatchedEventIds()).containsExactly("p1"));
            harness.processWatermark(FixtureEvents.BASE.toEpochMilli() + 60 * SECOND);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    private static Rule rule(String file) {
        List<Rule> rules = RuleLoader.load(RULES.resolve(file)).rulesOrThrow();
        return rules.get(0);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Alert> harness(Rule rule) throws Exception {
        RuleKey key = new RuleKey(rule.domain(), rule.key());
        CepOperator<Envelope, String, Alert> operator = CepRulesJob.cepOperator(rule, key, new AvroSerializer<>(Envelope.class));
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, key, Types.STRING);
        harness.open();
        return harness;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, Envelope, Alert> harness, String... lines) throws Exception {
        for (Envelope event : FixtureEvents.parse("test", List.of(lines))) {
            harness.processElement(new StreamRecord<>(event, event.getEventTime().toEpochMilli()));
        }
    }

    private static List<Alert> alerts(KeyedOneInputStreamOperatorTestHarness<String, Envelope, Alert> harness) {
        return harness.extractOutputValues();
    }
}
