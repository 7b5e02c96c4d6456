package io.tributary.cep.rules;

import io.tributary.cep.flink.FlinkInternals;
import io.tributary.cep.rules.Rule.Quantifier;
import io.tributary.cep.rules.Rule.Step;
import java.util.Locale;

/**
 * A rule as Flink will run it: the {@code Pattern} API calls the compiler makes, then the states
 * and transitions of the NFA that Flink CEP compiles from them.
 */
public final class PatternExplainer {
    private PatternExplainer() {}

    public static String explain(Rule rule) {
        StringBuilder text = new StringBuilder();
        text.append("rule ")
                .append(rule.id())
                .append(" v")
                .append(rule.version())
                .append("  [")
                .append(rule.severity())
                .append(", owner ")
                .append(rule.owner())
                .append("]\n");
        text.append("  ").append(rule.description().strip().replace("\n", "\n  ")).append('\n');
        text.append("  input: ")
                .append(rule.inputs())
                .append(" (")
                .append(rule.domain().name().toLowerCase(Locale.ROOT))
                .append(" events), keyed by ")
                .append(String.join(" + ", rule.key()))
                .append(", state kept as ")
                .append(rule.uid())
                .append("\n\n");
        text.append("Pattern API:\n");
        for (Step step : rule.steps()) {
            text.append(
                    step.contiguity() == Rule.Contiguity.BEGIN
                            ? "  Pattern.begin(\""
                                    + step.name()
                                    + "\", "
                                    + skip(rule.afterMatch())
                                    + ")\n"
                            : "      ."
                                    + step.contiguity().keyword()
                                    + "(\""
                                    + step.name()
                                    + "\")\n");
            text.append("          .where(type in ")
                    .append(step.types())
                    .append(step.where() == null ? "" : " && " + step.where())
                    .append(")\n");
            String quantifier = quantifier(step.quantifier());
            if (!quantifier.isEmpty()) {
                text.append("          .").append(quantifier).append('\n');
            }
            if (step.optional()) {
                text.append("          .optional()\n");
            }
            if (step.greedy()) {
                text.append("          .greedy()\n");
            }
            switch (step.looping()) {
                case CONSECUTIVE -> text.append("          .consecutive()\n");
                case ALLOW_COMBINATIONS -> text.append("          .allowCombinations()\n");
                case RELAXED -> {}
            }
            if (step.until() != null) {
                text.append("          .until(").append(step.until()).append(")\n");
            }
        }
        if (rule.within() != null) {
            text.append("      .within(").append(Durations.format(rule.within())).append(")\n");
        }
        text.append("\nNFA compiled by Flink CEP:\n");
        for (FlinkInternals.StateView state :
                FlinkInternals.states(PatternCompiler.compile(rule))) {
            text.append("  ")
                    .append(state.name())
                    .append(state.start() ? " (start)" : "")
                    .append(state.isFinal() ? " (final)" : "")
                    .append(state.stop() ? " (stop)" : "")
                    .append('\n');
            for (String transition : state.transitions()) {
                text.append("      ").append(transition).append('\n');
            }
        }
        text.append("\nalert: ").append(rule.alert().summary()).append('\n');
        rule.alert()
                .fields()
                .forEach(
                        (name, template) ->
                                text.append("  ")
                                        .append(name)
                                        .append(": ")
                                        .append(template)
                                        .append('\n'));
        return text.toString();
    }

    private static String quantifier(Quantifier q) {
        return switch (q.kind()) {
            case ONCE -> "";
            case TIMES ->
                    q.from() == q.to()
                            ? "times(" + q.from() + ")"
                            : "times(" + q.from() + ", " + q.to() + ")";
            case TIMES_OR_MORE -> "timesOrMore(" + q.from() + ")";
            case ONE_OR_MORE -> "oneOrMore()";
        };
    }

    private static String skip(Rule.AfterMatch afterMatch) {
        return switch (afterMatch.kind()) {
            case NO_SKIP -> "noSkip()";
            case SKIP_TO_NEXT -> "skipToNext()";
            case SKIP_PAST_LAST_EVENT -> "skipPastLastEvent()";
            case SKIP_TO_FIRST -> "skipToFirst(\"" + afterMatch.step() + "\")";
            case SKIP_TO_LAST -> "skipToLast(\"" + afterMatch.step() + "\")";
        };
    }
}
