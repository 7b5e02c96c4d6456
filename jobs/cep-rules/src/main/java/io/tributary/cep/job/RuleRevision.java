package io.tributary.cep.job;

import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.rules.RuleSetDiff;
import io.tributary.schemas.EventType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One rule set as the job runs it from an event time on: its families compiled, and the key shapes
 * events are routed by.
 *
 * @see RuleSchedule
 */
public final class RuleRevision implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Revision of the rules given at submission when nothing was published. */
    public static final long SUBMITTED = 0;

    final long revision;

    public long revision() {
        return revision;
    }

    /** Event time from which events are judged by this revision; {@link Long#MIN_VALUE} for all. */
    final long effectiveAt;

    final List<CompiledFamily> families;
    final List<Route> routes;

    private RuleRevision(long revision, long effectiveAt, List<Rule> rules) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("a rule set needs at least one rule");
        }
        this.revision = revision;
        this.effectiveAt = effectiveAt;
        this.families = CompiledFamily.of(rules);
        this.routes = routesOf(rules);
    }

    /**
     * Where the rules need events: per key shape, the key and the event types. Needs only the rules
     * as loaded, not their compiled patterns.
     */
    static List<Route> routesOf(List<Rule> rules) {
        Map<String, Route> byShape = new LinkedHashMap<>();
        for (Rule rule : rules) {
            byShape.computeIfAbsent(
                            RuleSetDiff.keyShape(rule),
                            shape ->
                                    new Route(
                                            shape,
                                            new RuleKey(rule.domain(), rule.key()),
                                            EnumSet.noneOf(EventType.class)))
                    .types
                    .addAll(rule.inputs());
        }
        return List.copyOf(byShape.values());
    }

    /** Rules checked by {@link RuleLoader}, judged from the event time on. */
    public static RuleRevision of(long revision, long effectiveAt, List<Rule> rules) {
        return new RuleRevision(revision, effectiveAt, rules);
    }

    /**
     * A published rule set.
     *
     * @throws RuleLoader.InvalidRulesException with every problem when a rule is invalid
     */
    public static RuleRevision of(RuleSet ruleSet) {
        List<Rule> rules = ruleSet.load("").rulesOrThrow();
        return new RuleRevision(
                ruleSet.revision(), ruleSet.effectiveAt().toEpochMilli(), new ArrayList<>(rules));
    }

    /**
     * Events of these types with a value for every key field go to the rules of the shape, keyed
     * {@code <shape>=<key values>}.
     */
    static final class Route implements Serializable {
        private static final long serialVersionUID = 1L;

        final String shape;
        final RuleKey key;
        final Set<EventType> types;

        Route(String shape, RuleKey key, Set<EventType> types) {
            this.shape = shape;
            this.key = key;
            this.types = types;
        }
    }

    /** The key of an event's state in the rule operator: the shape, then the key values. */
    static String stateKey(String shape, String keyValues) {
        return shape + '=' + keyValues;
    }

    /** The shape part of {@link #stateKey}; shapes hold no '='. */
    static String shapeOf(String stateKey) {
        return stateKey.substring(0, stateKey.indexOf('='));
    }
}
