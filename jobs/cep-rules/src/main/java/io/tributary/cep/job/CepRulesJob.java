package io.tributary.cep.job;

import io.tributary.cep.alerts.EmitAlerts;
import io.tributary.cep.rules.PatternCompiler;
import io.tributary.cep.rules.Rule;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.time.CanonicalEventTime;
import java.time.Duration;
import io.tributary.schemas.EventType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The CEP rules job: canonical events → one Flink CEP operator per rule, keyed by the rule's key
 * fields (rules with the same key share one shuffle), in event time → alerts topic, exactly once;
 * events behind the watermark → late-events topic.
 *
 * <pre>
 *                                   ┌─▶ keyBy(sessionId) ─▶ fan out ─┬─▶ rule A ─▶ CEP(A) ─┐
 *  canonical events ─▶ split late ──┤                                └─▶ rule B ─▶ CEP(B) ─┼─▶ alerts sink
 *                          │        └─▶ keyBy(accountId) ─▶ fan out ──▶ rule C ─▶ CEP(C) ─┘
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
        Map<String, List<Rule>> byKey = new LinkedHashMap<>();
        for (Rule rule : rules) {
            byKey.computeIfAbsent(rule.domain() + ":" + String.join("+", rule.key()), k -> new ArrayList<>()).add(rule);
        }
        DataStream<Alert> alerts = null;
        for (Map.Entry<String, List<Rule>> group : byKey.entrySet()) {
            for (DataStream<Alert> ruleAlerts : applyGroup(onTime, group.getKey(), group.getValue(), uidPrefix)) {
                alerts = alerts == null ? ruleAlerts : alerts.union(ruleAlerts);
            }
        }
        return new Detection(alerts, onTime.getSideOutput(SplitLateEvents.LATE));
    }

    /**
     * The rules that share a key (the same domain and key fields) share one shuffle: events of any
     * of their types are keyed once, then fanned out inside the task to each rule's filter and CEP
     * operator, all chained. Keying once per rule would serialize and send every event once per
     * rule.
     */
    static List<SingleOutputStreamOperator<Alert>> applyGroup(
            DataStream<Envelope> events, String group, List<Rule> rules, String uidPrefix) {
        Rule first = rules.get(0);
        RuleKey key = new RuleKey(first.domain(), first.key());
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        rules.forEach(rule -> types.addAll(rule.inputs()));
        String groupUid = uidPrefix + "cep-key-" + group.toLowerCase(Locale.ROOT).replace(':', '-');
        DataStream<Envelope> keyed = events
                .filter(new RuleInput(types, key))
                .uid(groupUid + "-input")
                .name("input keyed by " + group)
                .keyBy(key)
                .map(new PassOn())
                .uid(groupUid + "-fan-out")
                .name("fan out to " + rules.size() + " rule(s) keyed by " + group);
        List<SingleOutputStreamOperator<Alert>> alerts = new ArrayList<>();
        for (Rule rule : rules) {
            // The fan-out is keyed already; reinterpreting keeps each rule's operators chained to it.
            KeyedStream<Envelope, String> input = DataStreamUtils.reinterpretAsKeyedStream(
                    keyed.filter(new RuleInput(rule.inputs(), key)).uid(uidPrefix + rule.uid() + "-input").name("rule " + rule.id() + " input"),
                    key, Types.STRING);
            alerts.add(input.transform("rule " + rule.id() + " v" + rule.version(), TypeInformation.of(Alert.class),
                            chained(cepOperator(rule, key, input.getType().createSerializer(input.getExecutionConfig().getSerializerConfig()))))
                    .uid(uidPrefix + rule.uid()));
        }
        return alerts;
    }

    /**
     * The operator {@code CEP.pattern(input, pattern).inEventTime().process(..)} builds, made here
     * so it can be chained: Flink's CepOperator starts a new chain by default, which would put each
     * rule in its own task behind a serializing hand-over.
     */
    public static CepOperator<Envelope, String, Alert> cepOperator(Rule rule, RuleKey key, TypeSerializer<Envelope> serializer) {
        Pattern<Envelope, Envelope> pattern = PatternCompiler.compile(rule);
        EmitAlerts emit = new EmitAlerts(rule, key);
        return new CepOperator<>(
                serializer,
                false,
                // EmitAlerts counts timed-out partial matches, so the NFA must report them.
                NFACompiler.compileFactory(pattern, emit instanceof TimedOutPartialMatchHandler),
                null,
                pattern.getAfterMatchSkipStrategy(),
                emit,
                null);
    }

    private static CepOperator<Envelope, String, Alert> chained(CepOperator<Envelope, String, Alert> operator) {
        operator.setChainingStrategy(ChainingStrategy.ALWAYS);
        return operator;
    }

    /** The head of a fan-out: the one consumer of a shuffle, so the rules after it chain to it. */
    static final class PassOn implements MapFunction<Envelope, Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public Envelope map(Envelope event) {
            return event;
        }
    }
}
