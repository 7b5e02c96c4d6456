package io.tributary.cep.rules;

import io.tributary.cep.rules.Rule.Step;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Rules of one key whose patterns are the same but for their alerts and, where the first step's
 * condition alone decides whether an event starts a match, that condition. A suite grows this way:
 * a rule per market narrows the first step to a region, a second rule pages someone else for the
 * same pattern. While such rules agree on whether each event could start a match, their NFAs go
 * through the same states for a key, so the job runs one NFA for all of them.
 *
 * @param id names the family's state; derived from the shared pattern alone, so adding, removing or
 *     re-versioning a member keeps it, and a changed pattern starts a new family
 * @param narrowedAtStart whether the members may differ in the first step's condition; when not,
 *     they have the same pattern and always agree
 * @param members in the order the rules were given
 */
public record RuleFamily(String id, boolean narrowedAtStart, List<Rule> members) {
    public RuleFamily {
        members = List.copyOf(members);
    }

    /** The rules grouped into families, in the order of each family's first rule. */
    public static List<RuleFamily> of(List<Rule> rules) {
        Map<String, List<Rule>> byShape = new LinkedHashMap<>();
        for (Rule rule : rules) {
            byShape.computeIfAbsent(shape(rule), s -> new ArrayList<>()).add(rule);
        }
        List<RuleFamily> families = new ArrayList<>();
        byShape.forEach(
                (shape, members) ->
                        families.add(
                                new RuleFamily(
                                        "cep-family-" + digest(shape),
                                        narrowable(members.get(0)),
                                        members)));
        return families;
    }

    /** Whether the first step's condition alone decides if an event starts a match. */
    static boolean narrowable(Rule rule) {
        return PatternCompiler.startCondition(rule).isPresent();
    }

    /**
     * Everything Flink CEP's NFA of the rule depends on, as stable text: the domain and key, the
     * inputs, every step (the first one's condition left out where it is only a start condition),
     * the window and the after-match strategy. Sets are sorted: their iteration order differs
     * between JVMs, and the text names state in savepoints.
     */
    static String shape(Rule rule) {
        boolean narrowable = narrowable(rule);
        StringBuilder text =
                new StringBuilder()
                        .append(rule.domain())
                        .append('|')
                        .append(String.join("+", rule.key()))
                        .append("|inputs=")
                        .append(sorted(rule.inputs()))
                        .append("|within=")
                        .append(rule.within() == null ? "none" : rule.within().toMillis())
                        .append("|after=")
                        .append(rule.afterMatch().kind())
                        .append(':')
                        .append(Objects.toString(rule.afterMatch().step(), ""));
        for (int i = 0; i < rule.steps().size(); i++) {
            Step step = rule.steps().get(i);
            String where = i == 0 && narrowable ? "<start>" : Objects.toString(step.where(), "");
            text.append("|step=")
                    .append(step.name())
                    .append(',')
                    .append(step.contiguity())
                    .append(',')
                    .append(sorted(step.types()))
                    .append(",where=")
                    .append(where.length())
                    .append(':')
                    .append(where)
                    .append(',')
                    .append(step.quantifier().kind())
                    .append(':')
                    .append(step.quantifier().from())
                    .append(':')
                    .append(step.quantifier().to())
                    .append(",optional=")
                    .append(step.optional())
                    .append(",greedy=")
                    .append(step.greedy())
                    .append(',')
                    .append(step.looping());
            String until = Objects.toString(step.until(), "");
            text.append(",until=").append(until.length()).append(':').append(until);
        }
        return text.toString();
    }

    private static String sorted(java.util.Collection<? extends Enum<?>> values) {
        return values.stream().map(Enum::name).sorted().collect(Collectors.joining("+"));
    }

    private static String digest(String shape) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(shape.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
