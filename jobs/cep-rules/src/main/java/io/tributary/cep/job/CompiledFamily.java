package io.tributary.cep.job;

import io.tributary.cep.alerts.EmitAlerts;
import io.tributary.cep.flink.FlinkInternals;
import io.tributary.cep.rules.PatternCompiler;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleFamily;
import io.tributary.cep.rules.RuleSetDiff;
import io.tributary.cep.rules.StepCondition;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.cep.pattern.Pattern;

/**
 * A {@link RuleFamily} compiled for the operator: each member's NFA factory and alert renderer, and
 * the distinct start conditions the members use. Compiled where the rules are read (on the client
 * for {@code --rules}, in the job for a published revision), so a rule Flink CEP refuses never
 * reaches the matching.
 */
final class CompiledFamily implements Serializable {
    private static final long serialVersionUID = 1L;

    final String id;

    /** The domain and key fields of the members ({@link RuleSetDiff#keyShape}). */
    final String keyShape;

    final Set<EventType> inputs;
    final List<Member> members = new ArrayList<>();

    /**
     * The distinct first-step conditions of the members; null entries when the first step's
     * condition alone does not decide whether an event starts a match (then every event of the
     * inputs may, and the members have the same pattern).
     */
    final List<StepCondition> startConditions = new ArrayList<>();

    /** Index into {@link #startConditions} per member. */
    final int[] startConditionOf;

    CompiledFamily(RuleFamily family) {
        Rule first = family.members().get(0);
        this.id = family.id();
        this.keyShape = RuleSetDiff.keyShape(first);
        this.inputs = Set.copyOf(first.inputs());
        this.startConditionOf = new int[family.members().size()];
        RuleKey key = new RuleKey(first.domain(), first.key());
        Map<String, Integer> byText = new HashMap<>();
        for (int i = 0; i < family.members().size(); i++) {
            Rule rule = family.members().get(i);
            members.add(new Member(rule, key));
            String text =
                    family.narrowedAtStart() ? String.valueOf(rule.steps().get(0).where()) : "";
            Integer index = byText.get(text);
            if (index == null) {
                index = startConditions.size();
                byText.put(text, index);
                startConditions.add(PatternCompiler.startCondition(rule).orElse(null));
            }
            startConditionOf[i] = index;
        }
    }

    /** Every family of the rules, compiled. */
    static List<CompiledFamily> of(List<Rule> rules) {
        List<CompiledFamily> families = new ArrayList<>();
        for (RuleFamily family : RuleFamily.of(rules)) {
            families.add(new CompiledFamily(family));
        }
        return families;
    }

    /** A member of a family as the operator needs it. */
    static final class Member implements Serializable {
        private static final long serialVersionUID = 3L;

        final String uid;
        final FlinkInternals.NfaFactory nfaFactory;
        final EmitAlerts emit;

        Member(Rule rule, RuleKey key) {
            Pattern<Envelope, Envelope> pattern = PatternCompiler.compile(rule);
            this.uid = rule.uid();
            this.nfaFactory = new FlinkInternals.NfaFactory(pattern);
            this.emit = new EmitAlerts(rule, key);
        }
    }
}
