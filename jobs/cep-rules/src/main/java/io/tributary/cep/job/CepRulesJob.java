package io.tributary.cep.job;

import io.tributary.cep.rules.Rule;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * The CEP rules job: canonical events → the rules, grouped by their key fields, each group in one
 * keyed operator running every rule's Flink CEP NFA in event time → alerts topic, exactly once;
 * events behind the watermark → late-events topic.
 *
 * <pre>
 *                                   ┌─▶ keyBy(sessionId) ─▶ rules A, B (one NFA each) ─┐
 *  canonical events ─▶ split late ──┤                                                  ├─▶ alerts sink
 *                          │        └─▶ keyBy(accountId) ─▶ rule C ────────────────────┘
 *          │               └─(late)─▶ late-events sink
 *          └─(not an event)─▶ dead-letter sink
 * </pre>
 *
 * <p>A group's operator uid names its key ({@link #groupUid}); inside it, each rule's state is kept
 * under the rule id and version ({@link Rule#uid()}). Adding a rule restores from an older
 * savepoint with every other rule's partial matches; a new version of a rule starts without the old
 * ones; a removed rule's state goes when its windows end; removing the last rule of a key needs
 * {@code --allowNonRestoredState}.
 */
public final class CepRulesJob {
    public static final String SOURCE_UID = "canonical-events-source";
    public static final String SPLIT_LATE_UID = "split-late-events";
    public static final String ALERTS_SINK_UID = "alerts-sink";
    public static final String LATE_SINK_UID = "late-events-sink";
    public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";
    public static final String RULE_SET_SOURCE_UID = "rule-set-source";
    public static final String RULE_SET_GATE_UID = "rule-set-gate";
    public static final String RULE_STATUS_SINK_UID = "rule-status-sink";
    public static final String ROUTE_UID = "route-to-rule-keys";
    public static final String RULES_UID = "cep-rules";

    /** The job's name in its dead letters. */
    public static final String JOB = "tributary-cep-rules";

    private CepRulesJob() {}

    /** Where alerts, late events and records that are not canonical events go. */
    public record Sinks(
            Sink<Alert> alerts, Sink<Envelope> lateEvents, Sink<DeadLetter> deadLetters) {}

    /**
     * The canonical topics, decoded and checked in the source; what is not an event is a dead
     * letter.
     */
    public static CanonicalInput readCanonical(
            StreamExecutionEnvironment env,
            Source<Either<DeadLetter, Envelope>, ?, ?> source,
            Duration maxOutOfOrderness,
            Duration idleness) {
        return CanonicalInput.read(env, source, maxOutOfOrderness, idleness, SOURCE_UID);
    }

    /**
     * What the rules make of the events: alerts, and the events that came too late to be judged.
     */
    public record Detection(
            DataStream<Alert> alerts,
            DataStream<Envelope> lateEvents,
            DataStream<byte[]> statuses) {}

    /**
     * Applies every rule to the events, then writes alerts, late events and dead letters to the
     * sinks.
     */
    public static void build(CanonicalInput input, List<Rule> rules, Sinks sinks) {
        build(input, rules, sinks, RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS);
    }

    /**
     * @param stateCacheKeys keys per subtask whose rule state stays on the heap in front of
     *     RocksDB; 0 for none
     */
    public static void build(
            CanonicalInput input, List<Rule> rules, Sinks sinks, int stateCacheKeys) {
        build(input, rules, sinks, stateCacheKeys, RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES);
    }

    /**
     * @param maxPartialMatches partial matches per key and rule cohort beyond which the oldest are
     *     cut
     */
    public static void build(
            CanonicalInput input,
            List<Rule> rules,
            Sinks sinks,
            int stateCacheKeys,
            int maxPartialMatches) {
        build(
                input,
                RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, rules),
                null,
                sinks,
                stateCacheKeys,
                maxPartialMatches);
    }

    /**
     * Published rule sets (records of the rule-set topic), and where the job reports what it made
     * of each ({@link io.tributary.cep.ruleset.RuleSetStatus}).
     */
    public record RuleUpdates(Source<byte[], ?, ?> ruleSets, Sink<byte[]> statuses) {}

    /**
     * @param starting the rules from the start until a published revision takes over
     * @param updates null when the rules never change while the job runs
     */
    public static void build(
            CanonicalInput input,
            RuleRevision starting,
            RuleUpdates updates,
            Sinks sinks,
            int stateCacheKeys,
            int maxPartialMatches) {
        DataStream<byte[]> published = null;
        if (updates != null) {
            published =
                    input.events()
                            .getExecutionEnvironment()
                            .fromSource(
                                    updates.ruleSets(),
                                    WatermarkStrategy.noWatermarks(),
                                    "rule-set topic")
                            .setParallelism(1)
                            .uid(RULE_SET_SOURCE_UID);
        }
        Detection detection =
                detect(input.events(), starting, published, "", stateCacheKeys, maxPartialMatches);
        if (detection.statuses() != null) {
            detection
                    .statuses()
                    .sinkTo(updates.statuses())
                    .setParallelism(1)
                    .uid(RULE_STATUS_SINK_UID)
                    .name("rule-status topic");
        }
        detection.alerts().sinkTo(sinks.alerts()).uid(ALERTS_SINK_UID).name("alerts topic");
        detection
                .lateEvents()
                .sinkTo(sinks.lateEvents())
                .uid(LATE_SINK_UID)
                .name("late-events topic");
        if (input.deadLetters() != null) {
            input.deadLetters()
                    .sinkTo(sinks.deadLetters())
                    .uid(DEAD_LETTER_SINK_UID)
                    .name("dead-letter topic");
        }
    }

    /**
     * Applies every rule to the events; the rules were loaded and checked by {@code RuleLoader}.
     *
     * @param uidPrefix empty in the job; lets several independent detections share one job graph
     *     (rule fixtures) without their operator uids colliding
     */
    public static Detection detect(
            DataStream<Envelope> events, List<Rule> rules, String uidPrefix) {
        return detect(
                events,
                RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, rules),
                null,
                uidPrefix,
                RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
                RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES);
    }

    /**
     * @param starting the rules from the start until a published revision takes over
     * @param published records of the rule-set topic; null when the rules never change
     */
    static Detection detect(
            DataStream<Envelope> events,
            RuleRevision starting,
            DataStream<byte[]> published,
            String uidPrefix,
            int stateCacheKeys,
            int maxPartialMatches) {
        SingleOutputStreamOperator<Envelope> onTime =
                events.process(new SplitLateEvents())
                        .uid(uidPrefix + SPLIT_LATE_UID)
                        .name("split late events");
        // Without published rule sets, the rule operator's second input is a stream that carries
        // only the events' watermark; with them, the gate's output. Both hold back the rule
        // operator's watermark and carry (nearly) no records, so they send each watermark at once
        // instead of after the buffer timeout: each such hop would otherwise delay every alert.
        DataStream<byte[]> watermarks =
                onTime.flatMap(
                                new WatermarksOnly(),
                                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                        .setBufferTimeout(0)
                        .uid(uidPrefix + "event-watermarks")
                        .name("event watermarks");
        DataStream<byte[]> revisions = watermarks;
        DataStream<byte[]> statuses = null;
        if (published != null) {
            SingleOutputStreamOperator<byte[]> gate =
                    published
                            .connect(watermarks)
                            .transform(
                                    "rule-set gate",
                                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
                                    new RuleSetGate(starting.revision(), JOB))
                            .setParallelism(1)
                            .setMaxParallelism(1)
                            .setBufferTimeout(0)
                            .uid(uidPrefix + RULE_SET_GATE_UID);
            revisions = gate;
            statuses = gate.getSideOutput(RuleSetGate.STATUS);
        }
        SingleOutputStreamOperator<Tuple2<String, Envelope>> routed =
                onTime.connect(revisions.broadcast(RouteToRuleKeys.REVISIONS))
                        .process(new RouteToRuleKeys(starting), KEYED_EVENT)
                        .uid(uidPrefix + ROUTE_UID)
                        .name("route to rule keys");
        KeyedStream<Tuple2<String, Envelope>, String> keyed = routed.keyBy(new StateKey());
        TypeSerializer<Envelope> serializer =
                new AvroTypeInfo<>(Envelope.class)
                        .createSerializer(keyed.getExecutionConfig().getSerializerConfig());
        SingleOutputStreamOperator<Alert> alerts =
                keyed.connect(revisions.broadcast())
                        .transform(
                                "rules",
                                TypeInformation.of(Alert.class),
                                new RuleGroupOperator(
                                        starting, serializer, stateCacheKeys, maxPartialMatches))
                        .uid(uidPrefix + RULES_UID);
        return new Detection(alerts, onTime.getSideOutput(SplitLateEvents.LATE), statuses);
    }

    /** An event routed to a key shape: the state key, then the event. */
    static final TypeInformation<Tuple2<String, Envelope>> KEYED_EVENT =
            new TupleTypeInfo<>(Types.STRING, new AvroTypeInfo<>(Envelope.class));

    /** The state key {@link RouteToRuleKeys} put in front of the event. */
    static final class StateKey implements KeySelector<Tuple2<String, Envelope>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Tuple2<String, Envelope> routed) {
            return routed.f0;
        }
    }

    /** No records, so nothing but the events' watermark, for the rule-set gate. */
    static final class WatermarksOnly implements FlatMapFunction<Envelope, byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(Envelope event, Collector<byte[]> out) {}
    }
}
