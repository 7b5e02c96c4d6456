package io.tributary.cep.job;

import io.tributary.cep.rules.Rule;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.alerts.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

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
    public record Detection(DataStream<Alert> alerts, DataStream<Envelope> lateEvents) {}

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
        Detection detection = detect(input.events(), rules, "", stateCacheKeys, maxPartialMatches);
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
                rules,
                uidPrefix,
                RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
                RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES);
    }

    static Detection detect(
            DataStream<Envelope> events,
            List<Rule> rules,
            String uidPrefix,
            int stateCacheKeys,
            int maxPartialMatches) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("no rules to apply");
        }
        SingleOutputStreamOperator<Envelope> onTime =
                events.process(new SplitLateEvents())
                        .uid(uidPrefix + SPLIT_LATE_UID)
                        .name("split late events");
        Map<String, List<Rule>> byKey = new LinkedHashMap<>();
        for (Rule rule : rules) {
            byKey.computeIfAbsent(
                            rule.domain() + ":" + String.join("+", rule.key()),
                            k -> new ArrayList<>())
                    .add(rule);
        }
        DataStream<Alert> alerts = null;
        for (Map.Entry<String, List<Rule>> group : byKey.entrySet()) {
            DataStream<Alert> groupAlerts =
                    applyGroup(
                            onTime,
                            group.getKey(),
                            group.getValue(),
                            uidPrefix,
                            stateCacheKeys,
                            maxPartialMatches);
            alerts = alerts == null ? groupAlerts : alerts.union(groupAlerts);
        }
        return new Detection(alerts, onTime.getSideOutput(SplitLateEvents.LATE));
    }

    /**
     * The rules that share a key (the same domain and key fields) share one shuffle and one
     * operator: events of any of their types are keyed once and queued once per key, and each event
     * goes only to the rules that take its type ({@link RuleGroupOperator}). The operator's uid
     * names the group, and each rule's state inside it is named by the rule's uid.
     */
    static SingleOutputStreamOperator<Alert> applyGroup(
            DataStream<Envelope> events,
            String group,
            List<Rule> rules,
            String uidPrefix,
            int stateCacheKeys,
            int maxPartialMatches) {
        Rule first = rules.get(0);
        RuleKey key = new RuleKey(first.domain(), first.key());
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        rules.forEach(rule -> types.addAll(rule.inputs()));
        String groupUid = uidPrefix + groupUid(group);
        KeyedStream<Envelope, String> keyed =
                events.filter(new RuleInput(types, key))
                        .uid(groupUid + "-input")
                        .name("input keyed by " + group)
                        .keyBy(key);
        TypeSerializer<Envelope> serializer =
                keyed.getType().createSerializer(keyed.getExecutionConfig().getSerializerConfig());
        return keyed.transform(
                        rules.size() + " rule(s) keyed by " + group,
                        TypeInformation.of(Alert.class),
                        new RuleGroupOperator(
                                rules, key, serializer, stateCacheKeys, maxPartialMatches))
                .uid(groupUid);
    }

    /**
     * The uid of the operator that runs the rules keyed alike, e.g. {@code
     * cep-key-player-sessionid}.
     */
    public static String groupUid(String group) {
        return "cep-key-" + group.toLowerCase(Locale.ROOT).replace(':', '-');
    }
}
