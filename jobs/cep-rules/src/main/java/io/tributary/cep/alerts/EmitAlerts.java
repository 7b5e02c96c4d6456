package io.tributary.cep.alerts;

import io.tributary.cep.rules.Rule;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import java.io.Serializable;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Turns one rule's matches into alerts. Partial matches that run out of time are not alerts (rules
 * that fire on absence end in notFollowedBy, which Flink completes as a match); they are counted so
 * an operator sees how much a rule starts without finishing.
 */
public final class EmitAlerts implements Serializable {
    private static final long serialVersionUID = 2L;

    private final AlertRenderer renderer;
    private final KeySelector<Envelope, String> key;
    private transient Counter alerts;
    private transient Counter timedOut;

    public EmitAlerts(Rule rule, KeySelector<Envelope, String> key) {
        this.renderer = new AlertRenderer(rule);
        this.key = key;
    }

    /**
     * Registers the rule's counters, {@code alerts} and {@code partialMatchesTimedOut}, in its own
     * group.
     */
    public void open(MetricGroup ruleMetrics) {
        open(Counters.register(ruleMetrics));
    }

    /** Counts into counters registered before: a rule kept by a new rule set keeps its counts. */
    public void open(Counters counters) {
        alerts = counters.alerts();
        timedOut = counters.timedOut();
    }

    /** A rule's counters, registered once per operator and rule uid. */
    public record Counters(Counter alerts, Counter timedOut) {
        public static Counters register(MetricGroup ruleMetrics) {
            return new Counters(
                    ruleMetrics.counter("alerts"), ruleMetrics.counter("partialMatchesTimedOut"));
        }
    }

    public Alert alertFor(Map<String, List<Envelope>> match, Instant detectedAt) throws Exception {
        return alertFor(match, detectedAt, new HashMap<>());
    }

    /**
     * @param rendered the match's templates rendered so far by rules of the same family, by
     *     template
     */
    public Alert alertFor(
            Map<String, List<Envelope>> match, Instant detectedAt, Map<String, String> rendered)
            throws Exception {
        Envelope any = match.values().iterator().next().get(0);
        Alert alert = renderer.render(key.getKey(any), match, detectedAt, rendered);
        alerts.inc();
        return alert;
    }

    public void timedOut() {
        timedOut.inc();
    }
}
