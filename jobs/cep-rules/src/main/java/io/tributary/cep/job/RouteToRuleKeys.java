package io.tributary.cep.job;

import io.tributary.cep.job.RevisionCompiler.Compiling;
import io.tributary.cep.rules.RuleSet;
import io.tributary.schemas.Envelope;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sends each event once to every key shape of the rule set in force at its event time that takes
 * its type and finds a value for every key field, keyed {@code <shape>=<key values>} ({@link
 * RuleRevision#stateKey}). The rule operator decides by the same schedule which rules judge it.
 *
 * <p>An event stamped at or after a revision's effective time that arrives before the revision can
 * only reach the key shapes of the revision before: a rule of a new key shape misses it. {@code
 * rules publish} sets the effective time ahead ({@code --effective-in}) so that this does not
 * happen; when it does, {@code eventsRoutedBeforeRevision} counts it.
 */
public final class RouteToRuleKeys
        extends BroadcastProcessFunction<Envelope, byte[], Tuple2<String, Envelope>> {
    private static final long serialVersionUID = 1L;

    /** Published revisions by number, as the gate accepted them. */
    public static final MapStateDescriptor<Long, byte[]> REVISIONS =
            new MapStateDescriptor<>(
                    "rule-set-routes",
                    Types.LONG,
                    PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private final RuleRevision submitted;

    private transient RuleSchedule<Compiling<List<RuleRevision.Route>>> schedule;
    private transient long newestEventTime;
    private transient Counter routedBeforeRevision;
    private transient RevisionCompiler compiler;

    public RouteToRuleKeys(RuleRevision submitted) {
        this.submitted = submitted;
    }

    @Override
    public void open(Configuration parameters) {
        newestEventTime = Long.MIN_VALUE;
        routedBeforeRevision =
                getRuntimeContext().getMetricGroup().counter("eventsRoutedBeforeRevision");
        compiler = new RevisionCompiler("routing to rule keys");
    }

    @Override
    public void close() throws Exception {
        super.close();
        if (compiler != null) {
            compiler.close();
        }
    }

    @Override
    public void processElement(
            Envelope event, ReadOnlyContext context, Collector<Tuple2<String, Envelope>> out)
            throws Exception {
        if (schedule == null) {
            load(context.getBroadcastState(REVISIONS).immutableEntries());
        }
        long time = context.timestamp();
        newestEventTime = Math.max(newestEventTime, time);
        Compiling<List<RuleRevision.Route>> routes = schedule.at(time);
        if (routes == null) {
            return;
        }
        // Compiled long before its effective time as a rule; waits only when published late.
        for (RuleRevision.Route route : routes.get()) {
            if (route.types.contains(event.getEventType())) {
                String key = route.key.getKey(event);
                if (key != null) {
                    out.collect(Tuple2.of(RuleRevision.stateKey(route.shape, key), event));
                }
            }
        }
    }

    @Override
    public void processBroadcastElement(
            byte[] json, Context context, Collector<Tuple2<String, Envelope>> out)
            throws Exception {
        BroadcastState<Long, byte[]> state = context.getBroadcastState(REVISIONS);
        if (schedule == null) {
            load(state.immutableEntries());
        }
        RuleSet ruleSet = RuleSet.fromJson(json);
        if (!schedule.add(
                ruleSet.revision(), ruleSet.effectiveAt().toEpochMilli(), routesOf(ruleSet))) {
            return;
        }
        state.put(ruleSet.revision(), json);
        if (newestEventTime >= ruleSet.effectiveAt().toEpochMilli()) {
            routedBeforeRevision.inc();
        }
        // Only revisions still scheduled stay in the state.
        schedule.retire(context.currentWatermark(), routes -> {});
        java.util.Set<Long> scheduled = schedule.revisions();
        java.util.List<Long> stale = new java.util.ArrayList<>();
        for (Map.Entry<Long, byte[]> entry : state.entries()) {
            if (!scheduled.contains(entry.getKey())) {
                stale.add(entry.getKey());
            }
        }
        for (Long revision : stale) {
            state.remove(revision);
        }
    }

    private void load(Iterable<Map.Entry<Long, byte[]>> published) {
        schedule = new RuleSchedule<>();
        schedule.add(
                submitted.revision, submitted.effectiveAt, RevisionCompiler.done(submitted.routes));
        java.util.TreeMap<Long, byte[]> byRevision = new java.util.TreeMap<>();
        published.forEach(entry -> byRevision.put(entry.getKey(), entry.getValue()));
        for (byte[] json : byRevision.values()) {
            RuleSet ruleSet = RuleSet.fromJson(json);
            schedule.add(
                    ruleSet.revision(), ruleSet.effectiveAt().toEpochMilli(), routesOf(ruleSet));
        }
    }

    /** The routes of a revision the gate accepted, compiled off the task thread. */
    private Compiling<List<RuleRevision.Route>> routesOf(RuleSet ruleSet) {
        return compiler.compile(() -> RuleRevision.routesOf(ruleSet.load("").rulesOrThrow()));
    }
}
