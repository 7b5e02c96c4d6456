package io.tributary.cep.rules;

import static io.tributary.cep.rules.RuleTexts.load;
import static io.tributary.cep.rules.RuleTexts.player;
import static org.apache.flink.cep.pattern.Quantifier.ConsumingStrategy.NOT_FOLLOW;
import static org.apache.flink.cep.pattern.Quantifier.ConsumingStrategy.SKIP_TILL_ANY;
import static org.apache.flink.cep.pattern.Quantifier.ConsumingStrategy.SKIP_TILL_NEXT;
import static org.apache.flink.cep.pattern.Quantifier.ConsumingStrategy.STRICT;
import static org.apache.flink.cep.pattern.Quantifier.QuantifierProperty.GREEDY;
import static org.apache.flink.cep.pattern.Quantifier.QuantifierProperty.LOOPING;
import static org.apache.flink.cep.pattern.Quantifier.QuantifierProperty.OPTIONAL;
import static org.apache.flink.cep.pattern.Quantifier.QuantifierProperty.TIMES;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Envelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.cep.nfa.aftermatch.NoSkipStrategy;
import org.apache.flink.cep.nfa.aftermatch.SkipPastLastStrategy;
import org.apache.flink.cep.nfa.aftermatch.SkipToFirstStrategy;
import org.apache.flink.cep.nfa.aftermatch.SkipToLastStrategy;
import org.apache.flink.cep.nfa.aftermatch.SkipToNextStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.Quantifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every rule-file construct becomes the matching Flink CEP Pattern construct. */
class PatternCompilerTest {

    @ParameterizedTest
    @CsvSource({
        "next, STRICT",
        "followedBy, SKIP_TILL_NEXT",
        "followedByAny, SKIP_TILL_ANY",
        "notNext, NOT_NEXT",
        "notFollowedBy, NOT_FOLLOW"
    })
    void contiguityOfTheSecondStep(String keyword, Quantifier.ConsumingStrategy expected) {
        String last =
                keyword.startsWith("not") ? "  - followedBy: done\n    type: BUFFER_END\n" : "";
        Pattern<Envelope, Envelope> pattern =
                PatternCompiler.compile(
                        load(
                                player(
                                        "  - begin: play\n    type: PLAY\n  - "
                                                + keyword
                                                + ": second\n    type: FIRST_FRAME\n"
                                                + last)));
        List<Pattern<Envelope, ?>> steps = chain(pattern);
        assertThat(steps.get(0).getName()).isEqualTo("play");
        assertThat(steps.get(1).getName()).isEqualTo("second");
        assertThat(steps.get(1).getQuantifier().getConsumingStrategy()).isEqualTo(expected);
    }

    @Test
    void theFirstStepDecidesWhatCanStartAMatch() throws Exception {
        StepCondition start =
                PatternCompiler.startCondition(
                                load(
                                        player(
                                                "  - begin: stall\n    type: BUFFER_START\n    where: event.region == \"eu-west\"\n  - followedBy: error\n    type: ERROR\n")))
                        .orElseThrow();
        List<Envelope> events =
                io.tributary.cep.fixtures.FixtureEvents.parse(
                        "test",
                        List.of(
                                "{\"type\": \"BUFFER_START\", \"time\": \"0s\", \"sessionId\": \"s\", \"region\": \"eu-west\"}",
                                "{\"type\": \"BUFFER_START\", \"time\": \"1s\", \"sessionId\": \"s\", \"region\": \"us-east\"}",
                                "{\"type\": \"ERROR\", \"time\": \"2s\", \"sessionId\": \"s\", \"region\": \"eu-west\"}"));
        assertThat(start.filter(events.get(0), null))
                .as("the first step's type and condition")
                .isTrue();
        assertThat(start.filter(events.get(1), null)).as("another region").isFalse();
        assertThat(start.filter(events.get(2), null))
                .as("only a later step takes errors")
                .isFalse();
    }

    @Test
    void aConditionThatComparesAFieldWithTextIsAnsweredAsCelWould() throws Exception {
        RuleExpressions.Scope scope =
                new RuleExpressions.Scope(
                        io.tributary.schemas.Domain.PLAYER, List.of(), java.util.Map.of(), false);
        RuleExpressions.Comparison regionIsEuWest =
                new RuleExpressions.Comparison(
                        new RuleExpressions.Operand(null, "region", null),
                        true,
                        new RuleExpressions.Operand(null, null, "eu-west"));
        assertThat(RuleExpressions.comparisons(scope, "event.region == \"eu-west\""))
                .contains(List.of(regionIsEuWest));
        assertThat(RuleExpressions.comparisons(scope, "event.region == \"eu-west\" && true"))
                .as("not only comparisons")
                .isEmpty();
        assertThat(RuleExpressions.comparisons(scope, "event.bitrateKbps > 500"))
                .as("another operator")
                .isEmpty();
        assertThat(RuleExpressions.comparisons(scope, "event.bitrateKbps == 500.0"))
                .as("an int and a double")
                .isEmpty();
        assertThat(
                        RuleExpressions.comparisons(
                                scope, "event.region == \"a\" || event.region == \"b\""))
                .as("or")
                .isEmpty();

        List<Envelope> events =
                io.tributary.cep.fixtures.FixtureEvents.parse(
                        "test",
                        List.of(
                                "{\"type\": \"BUFFER_START\", \"time\": \"0s\", \"sessionId\": \"s\", \"region\": \"eu-west\"}",
                                "{\"type\": \"BUFFER_START\", \"time\": \"1s\", \"sessionId\": \"s\", \"region\": \"us-east\"}",
                                "{\"type\": \"BUFFER_START\", \"time\": \"2s\", \"sessionId\": \"s\"}",
                                "{\"type\": \"ERROR\", \"time\": \"3s\", \"sessionId\": \"s\", \"region\": \"eu-west\"}"));
        StepCondition byCel = startOf("event.region == \"eu-west\" && true");
        for (String fast : List.of("event.region == \"eu-west\"", "'eu-west' == event.region")) {
            StepCondition condition = startOf(fast);
            for (Envelope event : events) {
                assertThat(condition.filter(event, null))
                        .as(fast + " for " + event.getEventTime() + " " + event.getPayload())
                        .isEqualTo(byCel.filter(event, null));
            }
        }
        assertThat(byCel.filter(events.get(0), null)).isTrue();
        assertThat(byCel.filter(events.get(1), null)).isFalse();
        assertThat(byCel.filter(events.get(2), null)).as("no region").isFalse();
        assertThat(byCel.filter(events.get(3), null)).as("not the step's type").isFalse();
    }

    /**
     * Comparisons of the event's fields with an earlier step's, joined by {@code &&}, are answered
     * without CEL; every pair of events, with fields present or absent and an earlier step that
     * matched or not, gets CEL's verdict ({@code && true} keeps CEL evaluating).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "event.deviceId != first.deviceId && event.region != first.region",
                "event.bitrateKbps == first.bitrateKbps",
                "event.bitrateKbps != first.bitrateKbps && event.errorCode == \"E1\"",
                "first.errorFatal == event.errorFatal && event.bitrateKbps != 500",
                "event.errorFatal != true"
            })
    void comparisonsWithEarlierStepsAreAnsweredAsCelWould(String expression) throws Exception {
        RuleExpressions.Scope scope =
                new RuleExpressions.Scope(
                        io.tributary.schemas.Domain.PLAYER,
                        List.of("first"),
                        java.util.Map.of(),
                        false);
        assertThat(RuleExpressions.comparisons(scope, expression))
                .as("answered without CEL")
                .isPresent();
        java.util.Set<io.tributary.schemas.EventType> types =
                java.util.EnumSet.of(io.tributary.schemas.EventType.ERROR);
        StepCondition fast =
                new StepCondition(
                        io.tributary.schemas.Domain.PLAYER, types, expression, List.of("first"));
        StepCondition byCel =
                new StepCondition(
                        io.tributary.schemas.Domain.PLAYER,
                        types,
                        expression + " && true",
                        List.of("first"));
        List<Envelope> events =
                io.tributary.cep.fixtures.FixtureEvents.parse(
                        "test",
                        List.of(
                                "{\"type\": \"ERROR\", \"time\": \"0s\", \"sessionId\": \"s\", \"deviceId\": \"d1\", \"region\": \"eu-west\", \"bitrateKbps\": 500, \"errorCode\": \"E1\", \"errorFatal\": true}",
                                "{\"type\": \"ERROR\", \"time\": \"1s\", \"sessionId\": \"s\", \"deviceId\": \"d2\", \"region\": \"us-east\", \"bitrateKbps\": 1000, \"errorCode\": \"E1\", \"errorFatal\": false}",
                                "{\"type\": \"ERROR\", \"time\": \"2s\", \"sessionId\": \"s\", \"deviceId\": \"d2\", \"region\": \"eu-west\", \"errorCode\": \"E2\"}",
                                "{\"type\": \"ERROR\", \"time\": \"3s\", \"sessionId\": \"s\", \"deviceId\": \"d3\", \"region\": \"ap-south\", \"bitrateKbps\": 500}"));
        List<Envelope> firsts = new ArrayList<>(events);
        firsts.add(null);
        int verdicts = 0;
        for (Envelope first : firsts) {
            StepsSoFar context = new StepsSoFar(first);
            for (Envelope event : events) {
                boolean expected = byCel.filter(event, context);
                assertThat(fast.filter(event, context))
                        .as(
                                expression
                                        + " for "
                                        + event.getPayload()
                                        + " after "
                                        + (first == null ? "no first step" : first.getPayload()))
                        .isEqualTo(expected);
                verdicts += expected ? 1 : 0;
            }
        }
        assertThat(verdicts).as("some pairs satisfy it").isPositive();
    }

    /** An earlier step that matched one event, or none. */
    private record StepsSoFar(Envelope first)
            implements org.apache.flink.cep.pattern.conditions.IterativeCondition.Context<
                    Envelope> {
        @Override
        public Iterable<Envelope> getEventsForPattern(String name) {
            return name.equals("first") && first != null ? List.of(first) : List.of();
        }

        @Override
        public long timestamp() {
            return 0;
        }

        @Override
        public long currentProcessingTime() {
            return 0;
        }
    }

    private static StepCondition startOf(String where) {
        return PatternCompiler.startCondition(
                        load(
                                player(
                                        "  - begin: stall\n    type: BUFFER_START\n    where: '"
                                                + where.replace("'", "''")
                                                + "'\n")))
                .orElseThrow();
    }

    @Test
    void noSingleStartConditionWhenMoreThanTheFirstStepDecides() {
        assertThat(
                        PatternCompiler.startCondition(
                                load(
                                        player(
                                                "  - begin: stall\n    type: BUFFER_START\n    optional: true\n  - followedBy: error\n    type: ERROR\n"))))
                .as("an optional first step: the second can start a match")
                .isEmpty();
        assertThat(
                        PatternCompiler.startCondition(
                                load(
                                        player(
                                                "  - begin: stalls\n    type: BUFFER_START\n    oneOrMore: true\n    until: event.type == \"ERROR\"\n  - followedBy: end\n    type: BUFFER_END\n"))))
                .as("a first step ended by until")
                .isEmpty();
    }

    @Test
    void notFollowedByAsTheLastStepWithWithin() {
        Pattern<Envelope, Envelope> pattern =
                PatternCompiler.compile(
                        load(
                                player(
                                        "within: 10s\n",
                                        "  - begin: play\n    type: PLAY\n  - notFollowedBy: frame\n    type: FIRST_FRAME\n")));
        assertThat(pattern.getName()).isEqualTo("frame");
        assertThat(pattern.getQuantifier().getConsumingStrategy()).isEqualTo(NOT_FOLLOW);
        assertThat(pattern.getWindowSize()).contains(Duration.ofSeconds(10));
    }

    @Test
    void timesExactly() {
        Pattern<Envelope, Envelope> pattern = only("    times: 3\n");
        assertThat(pattern.getQuantifier().hasProperty(TIMES)).isTrue();
        assertThat(pattern.getTimes().getFrom()).isEqualTo(3);
        assertThat(pattern.getTimes().getTo()).isEqualTo(3);
    }

    @Test
    void timesRange() {
        Pattern<Envelope, Envelope> pattern = only("    times: {from: 2, to: 4}\n");
        assertThat(pattern.getQuantifier().hasProperty(TIMES)).isTrue();
        assertThat(pattern.getTimes().getFrom()).isEqualTo(2);
        assertThat(pattern.getTimes().getTo()).isEqualTo(4);
    }

    @Test
    void timesOrMore() {
        Pattern<Envelope, Envelope> pattern = only("    timesOrMore: 3\n");
        assertThat(pattern.getQuantifier().hasProperty(LOOPING)).isTrue();
        assertThat(pattern.getTimes().getFrom()).isEqualTo(3);
    }

    @Test
    void oneOrMore() {
        Pattern<Envelope, Envelope> pattern = only("    oneOrMore: true\n");
        assertThat(pattern.getQuantifier().hasProperty(LOOPING)).isTrue();
        assertThat(pattern.getQuantifier().hasProperty(TIMES)).isFalse();
        assertThat(pattern.getTimes().getFrom()).isEqualTo(1);
    }

    @Test
    void optionalAndGreedy() {
        Pattern<Envelope, Envelope> pattern =
                only("    oneOrMore: true\n    optional: true\n    greedy: true\n");
        assertThat(pattern.getQuantifier().hasProperty(OPTIONAL)).isTrue();
        assertThat(pattern.getQuantifier().hasProperty(GREEDY)).isTrue();
    }

    @Test
    void innerContiguityOfALoop() {
        assertThat(only("    oneOrMore: true\n").getQuantifier().getInnerConsumingStrategy())
                .isEqualTo(SKIP_TILL_NEXT);
        assertThat(
                        only("    oneOrMore: true\n    consecutive: true\n")
                                .getQuantifier()
                                .getInnerConsumingStrategy())
                .isEqualTo(STRICT);
        assertThat(
                        only("    oneOrMore: true\n    allowCombinations: true\n")
                                .getQuantifier()
                                .getInnerConsumingStrategy())
                .isEqualTo(SKIP_TILL_ANY);
    }

    @Test
    void untilEndsALoop() {
        Pattern<Envelope, Envelope> pattern =
                only("    oneOrMore: true\n    until: event.type == 'BUFFER_END'\n");
        assertThat(pattern.getUntilCondition()).isInstanceOf(StepCondition.class);
        assertThat(pattern.getUntilCondition().toString()).contains("event.type == 'BUFFER_END'");
    }

    @Test
    void withinBoundsTheWholeMatch() {
        assertThat(
                        PatternCompiler.compile(load(player("within: 1h30m\n", "  - begin: a\n")))
                                .getWindowSize())
                .contains(Duration.ofMinutes(90));
    }

    @Test
    void everySkipStrategy() {
        assertThat(skip("noSkip")).isInstanceOf(NoSkipStrategy.class);
        assertThat(skip("skipToNext")).isInstanceOf(SkipToNextStrategy.class);
        assertThat(skip("skipPastLastEvent")).isInstanceOf(SkipPastLastStrategy.class);
        assertThat(skip("skipToFirst(b)")).isInstanceOf(SkipToFirstStrategy.class);
        assertThat(((SkipToFirstStrategy) skip("skipToFirst(b)")).getPatternName()).contains("b");
        assertThat(skip("skipToLast(b)")).isInstanceOf(SkipToLastStrategy.class);
        assertThat(((SkipToLastStrategy) skip("skipToLast(b)")).getPatternName()).contains("b");
    }

    @Test
    void withoutAfterMatchNothingIsSkipped() {
        assertThat(
                        PatternCompiler.compile(load(player("  - begin: a\n")))
                                .getAfterMatchSkipStrategy())
                .isInstanceOf(NoSkipStrategy.class);
    }

    @Test
    void stepConditionsCarryTheirTypesAndExpressions() {
        Pattern<Envelope, Envelope> pattern =
                PatternCompiler.compile(
                        load(
                                player(
                                        "  - begin: play\n    type: PLAY\n  - followedBy: error\n    type: ERROR\n    where: event.cdn == play.cdn\n")));
        assertThat(pattern.getCondition().toString())
                .isEqualTo("[ERROR] where event.cdn == play.cdn");
        assertThat(pattern.getPrevious().getCondition().toString()).isEqualTo("[PLAY]");
    }

    private static org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy skip(
            String strategy) {
        return PatternCompiler.compile(
                        load(
                                player(
                                        "within: 1m\nafterMatch: " + strategy + "\n",
                                        "  - begin: a\n    type: PLAY\n  - followedBy: b\n    type: ERROR\n")))
                .getAfterMatchSkipStrategy();
    }

    /** The first of two steps, carrying the options under test. */
    @SuppressWarnings("unchecked")
    private static Pattern<Envelope, Envelope> only(String options) {
        Pattern<Envelope, Envelope> last =
                PatternCompiler.compile(
                        load(
                                player(
                                        "  - begin: stall\n    type: BUFFER_START\n"
                                                + options
                                                + "  - followedBy: end\n    type: ERROR\n")));
        return (Pattern<Envelope, Envelope>) last.getPrevious();
    }

    private static List<Pattern<Envelope, ?>> chain(Pattern<Envelope, ?> last) {
        List<Pattern<Envelope, ?>> steps = new ArrayList<>();
        for (Pattern<Envelope, ?> p = last; p != null; p = p.getPrevious()) {
            steps.add(0, p);
        }
        return steps;
    }
}
