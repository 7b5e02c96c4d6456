package io.tributary.cep.job;

import io.tributary.cep.alerts.EmitAlerts;
import io.tributary.cep.rules.PatternCompiler;
import io.tributary.cep.rules.Rule;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.time.CanonicalEventTime;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.cep.CEP;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The CEP rules job: canonical events → one Flink CEP operator per rule, keyed by the rule's key
 * field, in event time → alerts topic, exactly once; events behind the watermark → late-events
 * topic.
 *
 * <pre>
 *                                   ┌─▶ rule A input ─▶ keyBy(A.key) ─▶ CEP(A) ─┐
 *  canonical events ─▶ split late ──┼─▶ rule B input ─▶ keyBy(B.key) ─▶ CEP(B) ─┼─▶ alerts sink
 *                          │        └─▶ ...                                      ┘
 *                          └─(late)─▶ late-events sink
 * </pre>
 *
 * <p>Each rule's operators carry uids derived from the rule id and version ({@link Rule#uid()}):
 * adding a rule adds operators and restores from an older savepoint; removing one needs
 * {@code --allowNonRestoredState}; a new version of a rule starts without the old partial matches.
 */
public final class CepRulesJob {
    public static final String SOURCE_UID = "canonical-events-source";
    public static final String SPLIT_LATE_UID = "split-late-events";
    public static final String ALERTS_SINK_UID = "alerts-sink";
    public static final String LATE_SINK_UID = "late-events-sink";

    private CepRulesJob() {}

    /** Where alerts and late events go. */
    public record Sinks(Sink<Alert> alerts, Sink<Envelope> lateEvents) {}

    public static DataStream<Envelope> readCanonical(
            StreamExecutionEnvironment env, Source<Envelope, ?, ?> source, Duration maxOutOfOrderness, Duration idleness) {
        return env.fromSource(source, CanonicalEventTime.watermarks(maxOutOfOrderness, idleness), "canonical events")
                .uid(SOURCE_UID)
                .name("canonical events");
    }

    /** What the rules make of the events: alerts, and the events that came too late to be judged. */
    public record Detection(DataStream<Alert> alerts, DataStream<Envelope> lateEvents) {}

    /** Applies every rule to the events, then writes alerts and late events to the sinks. */
    public static void build(DataStream<Envelope> events, List<Rule> rules, Sinks sinks) {
        Detection detection = detect(events, rules, "");
        detection.alerts().sinkTo(sinks.alerts()).uid(ALERTS_SINK_UID).name("alerts topic");
        detection.lateEvents().sinkTo(sinks.lateEvents()).uid(LATE_SINK_UID).name("late-events topic");
    }

    /**
     * Applies every rule to the events; the rules were loaded and checked by {@code RuleLoader}.
     *
     * @param uidPrefix empty in the job; lets several independent detections share one job graph
     *     (rule fixtures) without their operator uids colliding
     */
    public static Detection detect(DataStream<Envelope> events, List<Rule> rules, String uidPrefix) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("no rules to apply");
        }
        SingleOutputStreamOperator<Envelope> onTime = events.process(new SplitLateEvents())
                .uid(uidPrefix + SPLIT_LATE_UID)
                .name("split late events");
        DataStream<Alert> alerts = null;
        for (Rule rule : rules) {
            DataStream<Alert> ruleAlerts = apply(onTime, rule, uidPrefix);
            alerts = alerts == null ? ruleAlerts : alerts.union(ruleAlerts);
        }
        return new Detection(alerts, onTime.getSideOutput(SplitLateEvents.LATE));
    }

    static SingleOutputStreamOperator<Alert> apply(DataStream<Envelope> events, Rule rule, String uidPrefix) {
        RuleKey key = new RuleKey(rule.domain(), rule.key());
        KeyedStream<Envelope, String> input = events
                .filter(new RuleInput(rule.inputs(), key))
                .uid(uidPrefix + rule.uid() + "-input")
                .name("rule " + rule.id() + " input")
                .keyBy(key);
        return CEP.pattern(input, PatternCompiler.compile(rule))
                .inEventTime()
                .process(new EmitAlerts(rule, key))
                .uid(uidPrefix + rule.uid())
                .name("rule " + rule.id() + " v" + rule.version());
    }
}
