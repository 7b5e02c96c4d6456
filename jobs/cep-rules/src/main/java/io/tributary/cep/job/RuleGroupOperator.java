package io.tributary.cep.job;

import io.tributary.cep.alerts.EmitAlerts;
import io.tributary.cep.flink.FlinkInternals.EventTimers;
import io.tributary.cep.flink.FlinkInternals.KeyedBackend;
import io.tributary.cep.flink.FlinkInternals.TimedOutput;
import io.tributary.cep.job.RevisionCompiler.Compiling;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleSet;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.alerts.Alert;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Every rule of the job in one keyed operator: the plumbing around {@link FamilyMatcher}, as
 * Flink's {@code CepOperator} is around its {@code NFA}. It takes events keyed by rule key ({@link
 * RouteToRuleKeys}), queues them until the watermark passes ({@link EventQueue}), and hands each
 * key's events of one time to the families of the revision in force then ({@link RuleSchedule});
 * published revisions come on the second input from the gate ({@link RuleSetGate}).
 *
 * <p>One Flink {@code CepOperator} per rule would keep, per key, an event queue and a timer per
 * event time for every rule, and sort that queue once per rule: with a hundred rules that
 * bookkeeping costs more than the matching. Here a key has one queue and one timer per event time
 * for the whole group; when the watermark passes, the events go in time order to the rules that
 * take their type.
 *
 * <p>Between checkpoints, work stays on the heap. Queued events wait there for the watermark; a
 * checkpoint writes those still waiting to keyed state, and a restore reads them back. With
 * RocksDB, a {@link KeyedStateCache} holds the rule state of recently active keys as objects: Flink
 * CEP's shared buffer reads and writes a key's nodes and events about a dozen times per event and
 * family, each a RocksDB access through the serializers, and nearly all of them touch what the same
 * key wrote moments before. The cache writes back at each checkpoint (in {@link #snapshotState},
 * before the backend's snapshot) and when a key is evicted.
 */
public final class RuleGroupOperator extends AbstractStreamOperator<Alert>
        implements TwoInputStreamOperator<Tuple2<String, Envelope>, byte[], Alert> {
    private static final long serialVersionUID = 3L;

    /** Timer namespace of the event queue; a cohort's window timers use the cohort's name. */
    static final String QUEUE = "";

    /** Operator state: the published rule sets still scheduled, as the gate accepted them. */
    private static final String REVISIONS_STATE = "rule-set-revisions";

    /**
     * Keys per subtask whose rule state the {@link KeyedStateCache} holds on the heap in front of
     * RocksDB; with a few partial matches each, some megabytes.
     */
    public static final int DEFAULT_STATE_CACHE_KEYS = 4096;

    /**
     * Partial matches one key may have in progress per cohort; beyond it the oldest are cut. A
     * relaxed repeating step ({@code timesOrMore} with {@code followedBy} semantics) starts a new
     * partial match with every event it takes, and every later event extends all of them: a bot
     * sending 30,000 failed payments would otherwise make state and work per event grow without
     * bound.
     */
    public static final int DEFAULT_MAX_PARTIAL_MATCHES = 1_000;

    /** The rules the job was submitted with: from the start until a published revision. */
    private final RuleRevision submitted;

    private final TypeSerializer<Envelope> serializer;
    private final int stateCacheKeys;
    private final int maxPartialMatches;

    private transient EventQueue queue;

    private transient boolean restored;

    /** Null on heap state, which holds objects already. */
    private transient KeyedStateCache cache;

    private transient KeyedBackend backend;
    private transient EventTimers timers;
    private transient FamilyMatcher matcher;
    private transient Counter lateDropped;

    /** Which revision judges which event time; each with its families at run time. */
    private transient RuleSchedule<RevisionRuntime> schedule;

    private transient RevisionCompiler compiler;

    /** Published revisions as received, for checkpoints; written by subtask 0 only. */
    private transient ListState<byte[]> revisionsState;

    private transient List<RuleSet> restoredRevisions;

    /** Per rule uid: a rule kept by a new revision counts on. */
    private transient Map<String, EmitAlerts.Counters> ruleCounters;

    private transient Counter revisionsTaken;

    public RuleGroupOperator(List<Rule> rules, TypeSerializer<Envelope> serializer) {
        this(rules, serializer, DEFAULT_STATE_CACHE_KEYS);
    }

    public RuleGroupOperator(
            List<Rule> rules, TypeSerializer<Envelope> serializer, int stateCacheKeys) {
        this(rules, serializer, stateCacheKeys, DEFAULT_MAX_PARTIAL_MATCHES);
    }

    /**
     * @param stateCacheKeys how many keys' state to keep on the heap in front of RocksDB; 0 for
     *     none
     * @param maxPartialMatches partial matches per key and cohort beyond which the oldest are cut
     */
    public RuleGroupOperator(
            List<Rule> rules,
            TypeSerializer<Envelope> serializer,
            int stateCacheKeys,
            int maxPartialMatches) {
        this(
                RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, rules),
                serializer,
                stateCacheKeys,
                maxPartialMatches);
    }

    /**
     * @param submitted the rules from the start until a published revision takes over
     */
    RuleGroupOperator(
            RuleRevision submitted,
            TypeSerializer<Envelope> serializer,
            int stateCacheKeys,
            int maxPartialMatches) {
        Set<String> uids = new HashSet<>();
        for (CompiledFamily family : submitted.families) {
            for (CompiledFamily.Member member : family.members) {
                if (!uids.add(member.uid)) {
                    throw new IllegalArgumentException(
                            "rule " + member.uid + " is in the rule set twice");
                }
            }
        }
        this.submitted = submitted;
        this.serializer = serializer;
        if (stateCacheKeys < 0) {
            throw new IllegalArgumentException(
                    "the state cache cannot hold a negative number of keys: " + stateCacheKeys);
        }
        this.stateCacheKeys = stateCacheKeys;
        if (maxPartialMatches < 1) {
            throw new IllegalArgumentException(
                    "at least one partial match per key must be allowed: " + maxPartialMatches);
        }
        this.maxPartialMatches = maxPartialMatches;
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
        backend = new KeyedBackend(this);
        queue = new EventQueue(backend, serializer);
        cache =
                backend.onHeap() || stateCacheKeys == 0
                        ? null
                        : new KeyedStateCache(backend, stateCacheKeys);
        // Every subtask got every revision (broadcast); a union list gives each the whole list on
        // restore, at any parallelism.
        revisionsState =
                getOperatorStateBackend()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        REVISIONS_STATE, BytePrimitiveArraySerializer.INSTANCE));
        restoredRevisions = new ArrayList<>();
        for (byte[] json : revisionsState.get()) {
            restoredRevisions.add(RuleSet.fromJson(json));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = EventTimers.of(this, "rule-group-timers", this::onEventTime);
        lateDropped = getMetricGroup().counter("numLateRecordsDropped");
        ruleCounters = new HashMap<>();
        matcher =
                new FamilyMatcher(
                        backend,
                        cache,
                        serializer,
                        getOperatorConfig().getConfiguration(),
                        getRuntimeContext(),
                        timers,
                        new TimedOutput<>(output),
                        getMetricGroup().counter("partialMatchesCut"),
                        uid ->
                                ruleCounters.computeIfAbsent(
                                        uid,
                                        u ->
                                                EmitAlerts.Counters.register(
                                                        getMetricGroup().addGroup("rule", u))),
                        maxPartialMatches);
        revisionsTaken = getMetricGroup().counter("ruleSetRevisionsTaken");
        ruleCounters = new HashMap<>();
        compiler = new RevisionCompiler("the rule operator");
        schedule = new RuleSchedule<>();
        schedule.add(
                submitted.revision,
                submitted.effectiveAt,
                new RevisionRuntime(
                        submitted.revision, null, RevisionCompiler.done(submitted), null));
        restoredRevisions.sort(Comparator.comparingLong(RuleSet::revision));
        for (RuleSet ruleSet : restoredRevisions) {
            take(ruleSet);
        }
        restoredRevisions = null;
        if (restored) {
            queue.restore();
        }
    }

    /**
     * Before the backends' snapshot: the queued events and the cached state that it does not yet
     * hold go into keyed state.
     */
    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        queue.snapshot();
        if (cache != null) {
            cache.writeBack();
        }
        revisionsState.clear();
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            for (RevisionRuntime revision : schedule.all()) {
                if (revision.json != null) {
                    revisionsState.add(revision.json);
                }
            }
        }
    }

    /**
     * How many keys the state cache holds (0 without one): after a checkpoint, those with something
     * in progress.
     */
    int cachedKeys() {
        return cache == null ? 0 : cache.size();
    }

    /** The revisions that judge some time still to come. */
    List<Long> scheduledRevisions() {
        List<Long> revisions = new ArrayList<>();
        schedule.all().forEach(revision -> revisions.add(revision.revision));
        return revisions;
    }

    /** How many keys have events waiting for the watermark. */
    int keysWithQueuedEvents() {
        return queue.keys();
    }

    @Override
    public void close() throws Exception {
        super.close();
        if (schedule != null) {
            for (RevisionRuntime revision : schedule.all()) {
                revision.close();
            }
        }
        if (matcher != null) {
            matcher.close();
        }
        if (compiler != null) {
            compiler.close();
        }
    }

    /**
     * A revision the gate accepted, with the event time from which it judges events; every subtask
     * gets it before its watermark passes that time.
     */
    @Override
    public void processElement2(StreamRecord<byte[]> element) throws Exception {
        take(RuleSet.fromJson(element.getValue()));
    }

    /**
     * Schedules a revision; it compiles on a thread of its own meanwhile, and is ready long before
     * the watermark reaches its effective time (at worst, the first event it judges waits).
     */
    private void take(RuleSet ruleSet) {
        if (ruleSet.revision() <= schedule.newestRevision()) {
            return;
        }
        long effectiveAt = ruleSet.effectiveAt().toEpochMilli();
        RevisionRuntime runtime =
                new RevisionRuntime(
                        ruleSet.revision(),
                        ruleSet.toJson(),
                        compiler.compile(() -> RuleRevision.of(ruleSet)),
                        schedule.at(effectiveAt - 1));
        List<RevisionRuntime> replaced = new ArrayList<>(schedule.all());
        schedule.add(ruleSet.revision(), effectiveAt, runtime);
        replaced.removeAll(schedule.all());
        for (RevisionRuntime gone : replaced) {
            gone.close();
        }
        revisionsTaken.inc();
        LOG.info(
                "Rule set revision {} judges events from {} on",
                ruleSet.revision(),
                ruleSet.effectiveAt());
    }

    /** Past the next revision's effective time, a revision judges nothing any more. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        schedule.retire(mark.getTimestamp(), RevisionRuntime::close);
    }

    @Override
    public void processElement1(StreamRecord<Tuple2<String, Envelope>> element) throws Exception {
        long time = element.getTimestamp();
        // The watermark promised no event at or before it; the late-event split upstream sends
        // such events to the late topic, so one arriving here is only counted.
        if (time <= timers.currentWatermark()) {
            lateDropped.inc();
            return;
        }
        queue.add(getCurrentKey(), time, element.getValue().f1);
        // The timer service keeps one timer per key, namespace and time however often it is asked.
        timers.register(QUEUE, time);
    }

    /**
     * Timers fire in event-time order, so handling exactly the timer's time keeps every rule's
     * events in order without listing the queue: a queue timer hands the events of its time to the
     * families, a cohort's timer advances that cohort to the end of its oldest window.
     */
    private void onEventTime(String namespace, long time) throws Exception {
        RevisionRuntime revision = schedule.at(time);
        if (revision != null) {
            revision.ready();
        }
        if (!QUEUE.equals(namespace)) {
            int slash = namespace.indexOf('/');
            FamilyMatcher.Family family =
                    slash < 0 || revision == null
                            ? null
                            : revision.byId.get(namespace.substring(0, slash));
            matcher.onCohortTimer(family, namespace, time);
            return;
        }
        Object key = backend.currentKey();
        List<Envelope> events = queue.take(key, time);
        if (events == null) {
            return;
        }
        Map<EventType, List<FamilyMatcher.Family>> byType =
                revision == null
                        ? null
                        : revision.byShapeAndType.get(RuleRevision.shapeOf((String) key));
        if (byType == null) {
            // No rule of this revision keys events this way: the rule that did was removed.
            return;
        }
        matcher.process(byType, events, time);
    }

    /**
     * A revision at run time: its families, found by key shape and event type, or by id, built on
     * the task thread when first needed from the rules compiled meanwhile.
     */
    private final class RevisionRuntime {
        final long revision;

        /** As published; null for the rules the job was submitted with. */
        final byte[] json;

        private final Compiling<RuleRevision> compiled;

        /** In force before this one: its rules stay if this one does not compile here. */
        private RevisionRuntime before;

        private RuleRevision rules;
        private boolean built;

        final List<FamilyMatcher.Family> families = new ArrayList<>();
        final Map<String, Map<EventType, List<FamilyMatcher.Family>>> byShapeAndType =
                new HashMap<>();
        final Map<String, FamilyMatcher.Family> byId = new HashMap<>();

        RevisionRuntime(
                long revision,
                byte[] json,
                Compiling<RuleRevision> compiled,
                RevisionRuntime before) {
            this.revision = revision;
            this.json = json;
            this.compiled = compiled;
            this.before = before;
        }

        /** The compiled rules, waiting for them if need be. */
        RuleRevision rules() {
            if (rules == null) {
                try {
                    rules = compiled.get();
                } catch (RuntimeException e) {
                    // The gate compiled it before accepting it; a Flink upgrade that refuses a
                    // rule the gate took must not stop detection with the rules in force.
                    LOG.error(
                            "Rule set revision {} was accepted but does not compile here; keeping"
                                    + " the rules in force before it",
                            revision,
                            e);
                    rules = before.rules();
                }
                before = null;
            }
            return rules;
        }

        /** Builds the families (their NFAs opened) unless done. */
        void ready() throws Exception {
            if (built) {
                return;
            }
            built = true;
            for (CompiledFamily compiledFamily : rules().families) {
                FamilyMatcher.Family family = matcher.family(compiledFamily);
                families.add(family);
                Map<EventType, List<FamilyMatcher.Family>> byType =
                        byShapeAndType.computeIfAbsent(
                                compiledFamily.keyShape, shape -> new EnumMap<>(EventType.class));
                for (EventType type : compiledFamily.inputs) {
                    byType.computeIfAbsent(type, t -> new ArrayList<>()).add(family);
                }
                byId.put(compiledFamily.id, family);
            }
        }

        void close() {
            for (FamilyMatcher.Family family : families) {
                try {
                    family.close();
                } catch (Exception e) {
                    LOG.warn("Closing the NFAs of rule set revision {} failed", revision, e);
                }
            }
        }
    }
}
