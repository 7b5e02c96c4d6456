package io.tributary.cep.job;

import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleSet;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * The rule operator in a test harness, fed as the job feeds it: each event routed to the key shapes
 * of the revision in force at its time (as {@link RouteToRuleKeys} does), published revisions on
 * the second input, one watermark for both.
 */
final class RuleHarness
        extends KeyedTwoInputStreamOperatorTestHarness<
                String, Tuple2<String, Envelope>, byte[], Alert> {
    private final RuleSchedule<List<RuleRevision.Route>> routes = new RuleSchedule<>();

    RuleHarness(List<Rule> rules) throws Exception {
        this(
                rules,
                RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
                RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES);
    }

    RuleHarness(List<Rule> rules, int cacheKeys, int maxPartialMatches) throws Exception {
        this(
                RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, rules),
                cacheKeys,
                maxPartialMatches);
    }

    private RuleHarness(RuleRevision starting, int cacheKeys, int maxPartialMatches)
            throws Exception {
        super(
                new RuleGroupOperator(
                        starting,
                        new AvroSerializer<>(Envelope.class),
                        cacheKeys,
                        maxPartialMatches),
                new CepRulesJob.StateKey(),
                null,
                Types.STRING);
        routes.add(starting.revision, starting.effectiveAt, starting.routes);
    }

    /** An event, to every key shape that takes it at its time. */
    void processElement(StreamRecord<Envelope> record) throws Exception {
        Envelope event = record.getValue();
        for (RuleRevision.Route route : routes.at(record.getTimestamp())) {
            if (route.types.contains(event.getEventType())) {
                String key = route.key.getKey(event);
                if (key != null) {
                    processElement1(
                            new StreamRecord<>(
                                    Tuple2.of(RuleRevision.stateKey(route.shape, key), event),
                                    record.getTimestamp()));
                }
            }
        }
    }

    /** A revision as the gate passes it on. */
    void publish(RuleSet ruleSet) throws Exception {
        knowRoutes(ruleSet);
        processElement2(new StreamRecord<>(ruleSet.toJson()));
    }

    /** Routes as a routing function that has the revision in its state. */
    void knowRoutes(RuleSet ruleSet) {
        routes.add(
                ruleSet.revision(),
                ruleSet.effectiveAt().toEpochMilli(),
                RuleRevision.of(ruleSet).routes);
    }

    void processWatermark(long time) throws Exception {
        processBothWatermarks(new Watermark(time));
    }
}
