package io.tributary.cep.rules;

import io.tributary.cep.rules.Rule.Quantifier;
import io.tributary.cep.rules.Rule.Step;
import io.tributary.schemas.Envelope;
import java.util.Optional;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;

/**
 * Turns a checked {@link Rule} into a Flink CEP {@link Pattern}, one construct per rule-file
 * keyword, in the order Flink requires (quantifier, then optional/greedy/inner contiguity, then
 * until). Pure: no Flink runtime involved.
 */
public final class PatternCompiler {
    private PatternCompiler() {}

    public static Pattern<Envelope, Envelope> compile(Rule rule) {
        Pattern<Envelope, Envelope> pattern = null;
        for (Step step : rule.steps()) {
            pattern = attach(pattern, step, skipStrategy(rule.afterMatch()));
            pattern =
                    pattern.where(
                            new StepCondition(
                                    rule.domain(),
                                    step.types(),
                                    step.where(),
                                    step.referencedSteps()));
            pattern = quantify(pattern, step, rule);
        }
        if (rule.within() != null) {
            pattern = pattern.within(rule.within());
        }
        return pattern;
    }

    /**
     * The condition an event must meet to start a match of the rule: the first step's. Empty when
     * another step could start one too (an optional first step) or when the first step's condition
     * needs the match so far (it refers to steps, or ends in until).
     */
    public static Optional<StepCondition> startCondition(Rule rule) {
        Step first = rule.steps().get(0);
        if (first.optional() || first.until() != null || !first.referencedSteps().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new StepCondition(
                        rule.domain(), first.types(), first.where(), first.referencedSteps()));
    }

    private static Pattern<Envelope, Envelope> attach(
            Pattern<Envelope, Envelope> previous, Step step, AfterMatchSkipStrategy skip) {
        return switch (step.contiguity()) {
            case BEGIN -> Pattern.begin(step.name(), skip);
            case NEXT -> previous.next(step.name());
            case FOLLOWED_BY -> previous.followedBy(step.name());
            case FOLLOWED_BY_ANY -> previous.followedByAny(step.name());
            case NOT_NEXT -> previous.notNext(step.name());
            case NOT_FOLLOWED_BY -> previous.notFollowedBy(step.name());
        };
    }

    private static Pattern<Envelope, Envelope> quantify(
            Pattern<Envelope, Envelope> pattern, Step step, Rule rule) {
        Quantifier q = step.quantifier();
        Pattern<Envelope, Envelope> result =
                switch (q.kind()) {
                    case ONCE -> pattern;
                    case TIMES ->
                            q.from() == q.to()
                                    ? pattern.times(q.from())
                                    : pattern.times(q.from(), q.to());
                    case TIMES_OR_MORE -> pattern.timesOrMore(q.from());
                    case ONE_OR_MORE -> pattern.oneOrMore();
                };
        if (step.optional()) {
            result = result.optional();
        }
        if (step.greedy()) {
            result = result.greedy();
        }
        switch (step.looping()) {
            case CONSECUTIVE -> result = result.consecutive();
            case ALLOW_COMBINATIONS -> result = result.allowCombinations();
            case RELAXED -> {}
        }
        if (step.until() != null) {
            // Any input event may end the loop, not only those the step itself accepts.
            result =
                    result.until(
                            new StepCondition(
                                    rule.domain(),
                                    rule.inputs(),
                                    step.until(),
                                    step.referencedSteps()));
        }
        return result;
    }

    static AfterMatchSkipStrategy skipStrategy(Rule.AfterMatch afterMatch) {
        return switch (afterMatch.kind()) {
            case NO_SKIP -> AfterMatchSkipStrategy.noSkip();
            case SKIP_TO_NEXT -> AfterMatchSkipStrategy.skipToNext();
            case SKIP_PAST_LAST_EVENT -> AfterMatchSkipStrategy.skipPastLastEvent();
            case SKIP_TO_FIRST -> AfterMatchSkipStrategy.skipToFirst(afterMatch.step());
            case SKIP_TO_LAST -> AfterMatchSkipStrategy.skipToLast(afterMatch.step());
        };
    }
}
