package io.tributary.cep.rules;

import io.tributary.schemas.Domain;
import io.tributary.schemas.EventType;
import io.tributary.schemas.alerts.Severity;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One detection rule as an analyst wrote it, checked: every name resolves, every expression
 * type-checks against the Avro schema of {@link #domain()}. Built only by {@link RuleLoader}.
 *
 * @param inputs the event types the rule looks at; other events never reach its pattern, so {@code
 *     next} means "the next of these events for the same key"
 * @param key the event fields whose values partition the stream (sessionId; or deviceId and metric)
 * @param within the time from the first to the last event of a match; null for no bound
 * @param file where the rule came from, for messages
 */
public record Rule(
        String id,
        int version,
        String description,
        Severity severity,
        String owner,
        Set<EventType> inputs,
        Domain domain,
        List<String> key,
        Duration within,
        AfterMatch afterMatch,
        List<Step> steps,
        AlertTemplate alert,
        String file)
        implements Serializable {

    /**
     * The name under which the rule's state is kept in its key's operator; a new version starts
     * afresh.
     */
    public String uid() {
        return "cep-rule-" + id + "-v" + version;
    }

    /**
     * How a step attaches to the one before it (Flink CEP's contiguity), or that it starts the
     * pattern.
     */
    public enum Contiguity {
        BEGIN("begin"),
        NEXT("next"),
        FOLLOWED_BY("followedBy"),
        FOLLOWED_BY_ANY("followedByAny"),
        NOT_NEXT("notNext"),
        NOT_FOLLOWED_BY("notFollowedBy");

        private final String keyword;

        Contiguity(String keyword) {
            this.keyword = keyword;
        }

        public String keyword() {
            return keyword;
        }

        public boolean negated() {
            return this == NOT_NEXT || this == NOT_FOLLOWED_BY;
        }
    }

    /** How often a step matches. */
    public record Quantifier(Kind kind, int from, int to) implements Serializable {
        public static final Quantifier ONCE = new Quantifier(Kind.ONCE, 1, 1);

        public enum Kind {
            ONCE,
            TIMES,
            TIMES_OR_MORE,
            ONE_OR_MORE
        }

        public boolean looping() {
            return kind != Kind.ONCE;
        }
    }

    /** Inner contiguity of a looping step. */
    public enum Looping {
        RELAXED,
        CONSECUTIVE,
        ALLOW_COMBINATIONS
    }

    /**
     * One named step of the pattern.
     *
     * @param types event types this step accepts (a subset of the rule's inputs)
     * @param where CEL condition over {@code event} and earlier steps; null accepts every event of
     *     {@link #types()}
     * @param referencedSteps earlier steps that {@link #where()} or {@link #until()} read
     */
    public record Step(
            String name,
            Contiguity contiguity,
            Set<EventType> types,
            String where,
            Quantifier quantifier,
            boolean optional,
            boolean greedy,
            Looping looping,
            String until,
            List<String> referencedSteps)
            implements Serializable {}

    /** What happens after a match: Flink CEP's after-match skip strategy. */
    public record AfterMatch(Kind kind, String step) implements Serializable {
        public static final AfterMatch NO_SKIP = new AfterMatch(Kind.NO_SKIP, null);

        public enum Kind {
            NO_SKIP,
            SKIP_TO_NEXT,
            SKIP_PAST_LAST_EVENT,
            SKIP_TO_FIRST,
            SKIP_TO_LAST
        }
    }

    /**
     * The alert a match produces. Summary and field values are templates: text with {@code
     * ${expression}} parts evaluated over the match.
     */
    public record AlertTemplate(String summary, Map<String, String> fields)
            implements Serializable {}
}
