package io.tributary.cep.rules;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What publishing a rule set changes against the one the job runs: rules added, changed (a new
 * version: its partial matches start afresh), removed and kept, and key shapes no running rule
 * uses. A rule whose content changed under the same version is refused: the version names the
 * rule's state, so the job would resume old partial matches under new conditions.
 *
 * @param refusals why the set cannot be published; empty when it can
 */
public record RuleSetDiff(
        List<String> added,
        List<String> changed,
        List<String> removed,
        List<String> unchanged,
        List<String> newKeyShapes,
        List<RuleProblem> refusals) {

    /**
     * @param running the set the job runs, null when nothing was published yet
     * @param next the set to publish, already valid
     * @param prefix how problems name next's files
     */
    public static RuleSetDiff between(RuleSet running, RuleSet next, String prefix) {
        Map<String, RuleSet.RuleText> before = running == null ? Map.of() : running.rulesById("");
        Map<String, RuleSet.RuleText> after = next.rulesById(prefix);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<RuleProblem> refusals = new ArrayList<>();
        for (Map.Entry<String, RuleSet.RuleText> rule : after.entrySet()) {
            RuleSet.RuleText was = before.get(rule.getKey());
            RuleSet.RuleText is = rule.getValue();
            if (was == null) {
                added.add(rule.getKey());
            } else if (was.content().equals(is.content())) {
                unchanged.add(rule.getKey());
            } else if (is.version() <= was.version()) {
                refusals.add(
                        is.problemAtVersion(
                                "rule '"
                                        + rule.getKey()
                                        + "' changed but its version is "
                                        + is.version()
                                        + " and the running one is "
                                        + was.version()
                                        + "; set version: "
                                        + (was.version() + 1)
                                        + " (a version names the rule's state: the job would"
                                        + " resume old partial matches under the new rule)"));
            } else {
                changed.add(rule.getKey() + " v" + was.version() + " -> v" + is.version());
            }
        }
        List<String> removed = new ArrayList<>();
        for (String id : before.keySet()) {
            if (!after.containsKey(id)) {
                removed.add(id);
            }
        }
        Set<String> shapesBefore = running == null ? Set.of() : keyShapes(running.load("").rules());
        Set<String> newShapes = new LinkedHashSet<>(keyShapes(next.load(prefix).rules()));
        newShapes.removeAll(shapesBefore);
        return new RuleSetDiff(
                List.copyOf(added),
                List.copyOf(changed),
                List.copyOf(removed),
                List.copyOf(unchanged),
                List.copyOf(running == null ? List.of() : newShapes),
                List.copyOf(refusals));
    }

    /** Whether publishing changes anything the job runs. */
    public boolean changesNothing() {
        return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }

    /** The domain and key fields a rule partitions events by, e.g. {@code PLAYER:sessionId}. */
    public static String keyShape(Rule rule) {
        return rule.domain() + ":" + String.join("+", rule.key());
    }

    private static Set<String> keyShapes(List<Rule> rules) {
        Set<String> shapes = new TreeSet<>();
        rules.forEach(rule -> shapes.add(keyShape(rule)));
        return shapes;
    }

    /** For people: one line per kind of change. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        added.forEach(id -> lines.add("+ " + id + "  (added)"));
        changed.forEach(
                id -> lines.add("~ " + id + "  (new version: its partial matches start afresh)"));
        removed.forEach(
                id -> lines.add("- " + id + "  (removed: its state goes when its window ends)"));
        newKeyShapes.forEach(shape -> lines.add("* new key " + shape));
        if (lines.isEmpty()) {
            lines.add("= no rule changes (" + unchanged.size() + " unchanged)");
        } else if (!unchanged.isEmpty()) {
            lines.add("= " + unchanged.size() + " unchanged");
        }
        return lines;
    }
}
