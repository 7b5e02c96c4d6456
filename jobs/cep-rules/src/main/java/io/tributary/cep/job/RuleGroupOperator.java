package io.tributary.cep.job;

import io.tributary.cep.alerts.EmitAlerts;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleFamily;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.rules.StepCondition;
import io.tributary.jobs.state.StateTtl;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.alerts.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.BytePrimitiveArraySerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializer;
import org.apache.flink.cep.configuration.SharedBufferCacheConfig;
import org.apache.flink.cep.nfa.ComputationState;
import org.apache.flink.cep.nfa.NFA;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.NFAStateSerializer;
import org.apache.flink.cep.nfa.State;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBuffer;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBufferAccessor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Every rule that shares a key, in one keyed operator running Flink CEP {@link NFA}s.
 *
 * <p>One Flink {@code CepOperator} per rule would keep, per key, an event queue and a timer per
 * event time for every rule, and sort that queue once per rule: with a hundred rules that
 * bookkeeping costs more than the matching. Here a key has one queue and one timer per event time
 * for the whole group; when the watermark passes, the events go in time order to the rules that
 * take their type.
 *
 * <p>Rules with the same pattern but for their alerts or their first step's condition form a {@link
 * RuleFamily}. For a key, the members of a family that started a match on the same events form a
 * <em>cohort</em> and share one NFA run: as long as they agree on whether each event could start a
 * match, their NFAs would go through the same states. An event they disagree on splits the cohort
 * (its state is copied); members with nothing in progress belong to no cohort and keep no state,
 * and an event only they could start begins a new cohort. A hundred market variants of a rule thus
 * cost one NFA run per key and event, plus one condition per distinct first step.
 *
 * <p>A cohort's NFA state and shared buffer live in the group's states under the cohort's name
 * ({@code <family id>/<uid of its first member>}) as namespace ({@link RuleStateStore}); the
 * cohorts of a family are listed per key under the family's id. Adding a rule to the group keeps
 * every other rule's partial matches; a rule removed from the group leaves its cohorts, and a
 * cohort with no member left is dropped when next touched or when its window timer fires. A cohort
 * whose rules have a {@code within} keeps one timer per key (timer namespace = cohort name) at or
 * before the end of its oldest partial match's window, so absence rules fire without further
 * events. Matches, timed out partial matches and pruning follow {@code CepOperator}'s event-time
 * semantics.
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
        implements TwoInputStreamOperator<Tuple2<String, Envelope>, byte[], Alert>,
                Triggerable<String, String> {
    private static final long serialVersionUID = 3L;

    /** Timer namespace of the event queue; a cohort's window timers use the cohort's name. */
    static final String QUEUE = "";

    private static final String NFA_STATE = "rule-nfa";
    private static final String COHORTS_STATE = "rule-family-cohorts";
    private static final String CUTS_STATE = "partial-matches-cut";

    /** Operator state: the published rule sets still scheduled, as the gate accepted them. */
    private static final String REVISIONS_STATE = "rule-set-revisions";

    /**
     * How long a key's count of cut partial matches waits for the alert that reports it; a key that
     * stops matching keeps nothing longer.
     */
    static final Duration CUTS_TTL = Duration.ofDays(1);

    /** The name Flink CEP's {@link SharedBuffer} gives its per-timestamp event counters. */
    private static final String SHARED_BUFFER_EVENT_COUNTERS = "sharedBuffer-events-count";

    private static final long NO_TIMER = Long.MIN_VALUE;

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

    private transient InternalTimerService<String> timers;
    private transient TimestampedCollector<Alert> out;
    private transient Counter lateDropped;
    private transient Counter partialMatchesCut;

    /**
     * Per family (namespace = family id): partial matches cut for the key since its last alert,
     * which that alert reports. Read only when a family cuts or alerts, both rare.
     */
    private transient ValueStateDescriptor<Long> cutsSinceAlert;

    /** Every cohort's NFA state and shared buffer; namespace = cohort name. */
    private transient RuleStateStore nfaStore;

    private transient ValueState<NFAState> nfaState;
    private transient SharedBuffer<Envelope> buffer;

    /**
     * Per family (namespace = family id): its cohorts, each as (name, window timer, member uids).
     */
    private transient RuleStateStore cohortStore;

    private transient ValueState<List<Tuple3<String, Long, List<String>>>> cohortLists;

    /** Which revision judges which event time; each with its families at run time. */
    private transient RuleSchedule<RevisionRuntime> schedule;

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
    @SuppressWarnings("unchecked")
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
        queue = new EventQueue(getKeyedStateBackend(), serializer);
        boolean heap = getKeyedStateBackend() instanceof HeapKeyedStateBackend;
        cache =
                heap || stateCacheKeys == 0
                        ? null
                        : new KeyedStateCache(getKeyedStateBackend(), stateCacheKeys);
        // The shared buffer's own cache (Flink's defaults: 1024 slots) keeps the nodes and events
        // of
        // one NFA step: reading a partial match for a condition on an earlier step visits them
        // again and again, and without slots every visit went through the state and the cache's
        // eviction.
        SharedBufferCacheConfig cacheConfig =
                SharedBufferCacheConfig.of(getOperatorConfig().getConfiguration());
        nfaStore = new RuleStateStore(getKeyedStateBackend(), cache, QUEUE);
        nfaState =
                nfaStore.getState(new ValueStateDescriptor<>(NFA_STATE, new NFAStateSerializer()));
        buffer = new SharedBuffer<>(nfaStore, serializer, cacheConfig);
        cohortStore = new RuleStateStore(getKeyedStateBackend(), cache, QUEUE);
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializer<Tuple3<String, Long, List<String>>> entry =
                new TupleSerializer<>(
                        (Class) Tuple3.class,
                        new TypeSerializer<?>[] {
                            StringSerializer.INSTANCE,
                            LongSerializer.INSTANCE,
                            new ListSerializer<>(StringSerializer.INSTANCE)
                        });
        cohortLists =
                cohortStore.getState(
                        new ValueStateDescriptor<>(COHORTS_STATE, new ListSerializer<>(entry)));
        cutsSinceAlert = new ValueStateDescriptor<>(CUTS_STATE, LongSerializer.INSTANCE);
        cutsSinceAlert.enableTimeToLive(StateTtl.expireAfterWrite(CUTS_TTL));
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
        timers = getInternalTimerService("rule-group-timers", StringSerializer.INSTANCE, this);
        out = new TimestampedCollector<>(output);
        lateDropped = getMetricGroup().counter("numLateRecordsDropped");
        partialMatchesCut = getMetricGroup().counter("partialMatchesCut");
        revisionsTaken = getMetricGroup().counter("ruleSetRevisionsTaken");
        ruleCounters = new HashMap<>();
        schedule = new RuleSchedule<>();
        schedule.add(
                submitted.revision, submitted.effectiveAt, new RevisionRuntime(submitted, null));
        restoredRevisions.sort(java.util.Comparator.comparingLong(RuleSet::revision));
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
        if (buffer != null) {
            buffer.releaseCacheStatisticsTimer();
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

    private void take(RuleSet ruleSet) throws Exception {
        if (ruleSet.revision() <= schedule.newestRevision()) {
            return;
        }
        RuleRevision compiled;
        try {
            compiled = RuleRevision.of(ruleSet);
        } catch (RuleLoader.InvalidRulesException e) {
            // The gate compiled it before accepting it; a Flink upgrade that refuses a rule the
            // gate took must not stop detection with the rules in force.
            LOG.error(
                    "Rule set revision {} was accepted but does not compile here; keeping the"
                            + " rules in force: {}",
                    ruleSet.revision(),
                    e.problems());
            return;
        }
        RevisionRuntime runtime = new RevisionRuntime(compiled, ruleSet.toJson());
        List<RevisionRuntime> replaced = new ArrayList<>(schedule.all());
        schedule.add(compiled.revision, compiled.effectiveAt, runtime);
        replaced.removeAll(schedule.all());
        for (RevisionRuntime gone : replaced) {
            gone.close();
        }
        revisionsTaken.inc();
        LOG.info(
                "Rule set revision {} judges events from {} on ({} families)",
                compiled.revision,
                java.time.Instant.ofEpochMilli(compiled.effectiveAt),
                compiled.families.size());
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
        timers.registerEventTimeTimer(QUEUE, time);
    }

    /**
     * Timers fire in event-time order, so handling exactly the timer's time keeps every rule's
     * events in order without listing the queue: a queue timer hands the events of its time to the
     * families, a cohort's timer advances that cohort to the end of its oldest window.
     */
    @Override
    public void onEventTime(InternalTimer<String, String> timer) throws Exception {
        long time = timer.getTimestamp();
        String namespace = timer.getNamespace();
        if (!QUEUE.equals(namespace)) {
            int slash = namespace.indexOf('/');
            RevisionRuntime revision = schedule.at(time);
            FamilyRuntime family =
                    slash < 0 || revision == null
                            ? null
                            : revision.byId.get(namespace.substring(0, slash));
            if (family == null) {
                // The family's rules all left the rule set (at a switch, or since the savepoint):
                // this cohort's partial matches would never end, so its state goes when its window
                // would have.
                nfaStore.clearNamespace(namespace);
                if (slash >= 0) {
                    cohortStore.clearNamespace(namespace.substring(0, slash));
                }
                return;
            }
            FamilyRun run = new FamilyRun(family);
            Cohort cohort = run.cohort(namespace);
            // A cohort keeps one timer; others under its name were left by an earlier cohort of
            // that name, whose state went when it ended.
            if (cohort == null || cohort.timer != time) {
                // Loading may have dropped cohorts whose members left the group at a restore; this
                // timer was their last chance to leave the family's list.
                run.storeListIfChanged();
                return;
            }
            cohort.timerFired();
            // Early: partial matches that would have ended then have ended through events since.
            // Advancing would find nothing to time out and cost CEP's buffer a scan of its
            // counters.
            if (!cohort.mayEndBy(time)) {
                run.store();
                return;
            }
            cohort.advance(time);
            run.store();
            return;
        }
        Object key = getCurrentKey();
        List<Envelope> events = queue.take(key, time);
        if (events == null) {
            return;
        }
        RevisionRuntime revision = schedule.at(time);
        Map<EventType, List<FamilyRuntime>> byType =
                revision == null
                        ? null
                        : revision.byShapeAndType.get(RuleRevision.shapeOf((String) key));
        if (byType == null) {
            // No rule of this revision keys events this way: the rule that did was removed.
            return;
        }
        // In the order the families first see an event, so alerts come out in the same order on
        // every run.
        Map<FamilyRuntime, FamilyRun> runs = new LinkedHashMap<>();
        for (Envelope event : events) {
            List<FamilyRuntime> interested = byType.get(event.getEventType());
            if (interested == null) {
                continue;
            }
            for (FamilyRuntime family : interested) {
                FamilyRun run = runs.get(family);
                if (run == null) {
                    run = new FamilyRun(family);
                    runs.put(family, run);
                }
                run.take(event, time);
            }
        }
        for (FamilyRun run : runs.values()) {
            run.store();
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, String> timer) {
        throw new IllegalStateException(
                "rules run in event time; no processing-time timers are registered");
    }

    /** A revision at run time: its families, found by key shape and event type, or by id. */
    private final class RevisionRuntime {
        final long revision;

        /** As published; null for the rules the job was submitted with. */
        final byte[] json;

        final List<FamilyRuntime> families = new ArrayList<>();
        final Map<String, Map<EventType, List<FamilyRuntime>>> byShapeAndType = new HashMap<>();
        final Map<String, FamilyRuntime> byId = new HashMap<>();

        RevisionRuntime(RuleRevision compiled, byte[] json) throws Exception {
            this.revision = compiled.revision;
            this.json = json;
            for (CompiledFamily family : compiled.families) {
                FamilyRuntime runtime = new FamilyRuntime(family);
                families.add(runtime);
                Map<EventType, List<FamilyRuntime>> byType =
                        byShapeAndType.computeIfAbsent(
                                family.keyShape, shape -> new EnumMap<>(EventType.class));
                for (EventType type : family.inputs) {
                    byType.computeIfAbsent(type, t -> new ArrayList<>()).add(runtime);
                }
                byId.put(family.id, runtime);
            }
        }

        void close() {
            for (FamilyRuntime family : families) {
                try {
                    family.close();
                } catch (Exception e) {
                    LOG.warn("Closing the NFAs of rule set revision {} failed", revision, e);
                }
            }
        }
    }

    /** A family at run time: an NFA per member (they differ only in how a match starts). */
    private final class FamilyRuntime {
        final CompiledFamily compiled;
        final List<NFA<Envelope>> nfas = new ArrayList<>();
        final Map<String, Integer> memberByUid = new HashMap<>();
        final Set<String> startStates = new HashSet<>();
        final long windowTime;

        FamilyRuntime(CompiledFamily compiled) throws Exception {
            this.compiled = compiled;
            for (int i = 0; i < compiled.members.size(); i++) {
                CompiledFamily.Member member = compiled.members.get(i);
                NFA<Envelope> nfa = member.nfaFactory.createNFA();
                nfa.open(getRuntimeContext(), new Configuration());
                nfas.add(nfa);
                memberByUid.put(member.uid, i);
                member.emit.open(
                        ruleCounters.computeIfAbsent(
                                member.uid,
                                uid ->
                                        EmitAlerts.Counters.register(
                                                getMetricGroup().addGroup("rule", uid))));
            }
            for (State<Envelope> state : nfas.get(0).getStates()) {
                if (state.isStart()) {
                    startStates.add(state.getName());
                }
            }
            this.windowTime = nfas.get(0).getWindowTime();
        }

        void close() throws Exception {
            for (NFA<Envelope> nfa : nfas) {
                nfa.close();
            }
        }

        void countCuts(long cut) throws Exception {
            ValueState<Long> cuts =
                    getPartitionedState(compiled.id, StringSerializer.INSTANCE, cutsSinceAlert);
            Long before = cuts.value();
            cuts.update(before == null ? cut : before + cut);
        }

        /** The cuts the next alert reports; from then on the count starts again. */
        long takeCuts() throws Exception {
            ValueState<Long> cuts =
                    getPartitionedState(compiled.id, StringSerializer.INSTANCE, cutsSinceAlert);
            Long count = cuts.value();
            if (count == null) {
                return 0;
            }
            cuts.clear();
            return count;
        }

        String cohortName(int firstMember) {
            return compiled.id + "/" + compiled.members.get(firstMember).uid;
        }

        /** When the oldest partial match that can time out does, or {@link #NO_TIMER}. */
        long windowEnd(NFAState state) {
            if (windowTime <= 0) {
                return NO_TIMER;
            }
            long oldestStart = Long.MAX_VALUE;
            for (ComputationState partial : state.getPartialMatches()) {
                // A start state that has taken no event yet has no start time (-1) and cannot time
                // out.
                if (partial.getPreviousBufferEntry() != null) {
                    oldestStart = Math.min(oldestStart, partial.getStartTimestamp());
                }
            }
            return oldestStart == Long.MAX_VALUE ? NO_TIMER : oldestStart + windowTime;
        }

        /** Nothing in progress: only start states, no match waiting for its turn to be emitted. */
        boolean idle(NFAState state) {
            if (!state.getCompletedMatches().isEmpty()) {
                return false;
            }
            for (ComputationState partial : state.getPartialMatches()) {
                if (partial.getPreviousBufferEntry() != null
                        || !startStates.contains(partial.getCurrentStateName())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One family's work for one key during one timer: its cohorts loaded once, stored once. */
    private final class FamilyRun {
        private final FamilyRuntime family;
        private final List<Cohort> cohorts = new ArrayList<>();

        /** Members in no cohort: nothing in progress for this key. */
        private final boolean[] inCohort;

        private boolean cohortsChanged;

        FamilyRun(FamilyRuntime family) throws Exception {
            this.family = family;
            this.inCohort = new boolean[family.compiled.members.size()];
            cohortStore.use(family.compiled.id);
            List<Tuple3<String, Long, List<String>>> stored = cohortLists.value();
            if (stored == null) {
                return;
            }
            for (Tuple3<String, Long, List<String>> entry : stored) {
                String name = entry.f0;
                List<Integer> members = new ArrayList<>(entry.f2.size());
                for (String uid : entry.f2) {
                    Integer member = family.memberByUid.get(uid);
                    if (member != null && !inCohort[member]) {
                        members.add(member);
                        inCohort[member] = true;
                    }
                }
                if (members.size() != entry.f2.size()) {
                    // Members left the group since the savepoint; with none left nobody needs the
                    // state.
                    cohortsChanged = true;
                }
                nfaStore.use(name);
                NFAState state = members.isEmpty() ? null : nfaState.value();
                if (state == null) {
                    nfaStore.clearNamespace(name);
                    members.forEach(member -> inCohort[member] = false);
                    cohortsChanged = true;
                    continue;
                }
                cohorts.add(new Cohort(family, name, members, state, true, entry.f1));
            }
        }

        Cohort cohort(String name) {
            for (Cohort cohort : cohorts) {
                if (cohort.name.equals(name)) {
                    return cohort;
                }
            }
            return null;
        }

        void take(Envelope event, long time) throws Exception {
            CompiledFamily compiled = family.compiled;
            Boolean[] startsMatch = new Boolean[compiled.startConditions.size()];
            if (compiled.startConditions.size() > 1) {
                for (int i = 0, n = cohorts.size(); i < n; i++) {
                    splitIfDivided(cohorts.get(i), event, startsMatch);
                }
            }
            List<Integer> starters = null;
            for (int member = 0; member < inCohort.length; member++) {
                if (!inCohort[member]
                        && startsMatch(compiled.startConditionOf[member], event, startsMatch)) {
                    if (starters == null) {
                        starters = new ArrayList<>();
                    }
                    starters.add(member);
                    inCohort[member] = true;
                }
            }
            if (starters != null) {
                NFAState initial = family.nfas.get(starters.get(0)).createInitialNFAState();
                String name = family.cohortName(starters.get(0));
                // An earlier cohort of that name left nothing: its NFA released every event and
                // node.
                nfaStore.startEmpty(name);
                cohorts.add(new Cohort(family, name, starters, initial, false, NO_TIMER));
                cohortsChanged = true;
            }
            for (Cohort cohort : cohorts) {
                cohort.take(event, time);
            }
        }

        /**
         * Members that disagree on whether the event starts a match part here: the side without the
         * member the cohort is named after continues under a copy of its state.
         */
        private void splitIfDivided(Cohort cohort, Envelope event, Boolean[] startsMatch)
                throws Exception {
            int[] conditionOf = family.compiled.startConditionOf;
            int first = conditionOf[cohort.members.get(0)];
            if (cohort.members.stream().allMatch(member -> conditionOf[member] == first)) {
                // One condition for all of them: they cannot disagree.
                return;
            }
            List<Integer> yes = new ArrayList<>();
            List<Integer> no = new ArrayList<>();
            for (int member : cohort.members) {
                (startsMatch(family.compiled.startConditionOf[member], event, startsMatch)
                                ? yes
                                : no)
                        .add(member);
            }
            if (yes.isEmpty() || no.isEmpty()) {
                return;
            }
            Integer namer =
                    family.memberByUid.get(cohort.name.substring(family.compiled.id.length() + 1));
            List<Integer> leaving = namer != null && no.contains(namer) ? yes : no;
            cohort.members.removeAll(leaving);
            String name = family.cohortName(leaving.get(0));
            cohort.write();
            nfaStore.copyNamespace(cohort.name, name);
            nfaStore.use(name);
            // The copy has the state but no timer yet; storing it sets one.
            Cohort split = new Cohort(family, name, leaving, nfaState.value(), true, NO_TIMER);
            split.advanced = cohort.advanced;
            cohorts.add(split);
            cohortsChanged = true;
        }

        private boolean startsMatch(int condition, Envelope event, Boolean[] decided)
                throws Exception {
            Boolean starts = decided[condition];
            if (starts == null) {
                StepCondition start = family.compiled.startConditions.get(condition);
                starts = start == null || start.filter(event, null);
                decided[condition] = starts;
            }
            return starts;
        }

        void store() throws Exception {
            for (java.util.Iterator<Cohort> it = cohorts.iterator(); it.hasNext(); ) {
                Cohort cohort = it.next();
                if (!cohort.store()) {
                    it.remove();
                    cohortsChanged = true;
                }
                cohortsChanged |= cohort.timerMoved;
            }
            storeListIfChanged();
        }

        /** Writes the family's list of cohorts for the key if it changed (or clears it). */
        void storeListIfChanged() throws Exception {
            if (!cohortsChanged) {
                return;
            }
            cohortStore.use(family.compiled.id);
            if (cohorts.isEmpty()) {
                cohortLists.clear();
                return;
            }
            List<Tuple3<String, Long, List<String>>> lists = new ArrayList<>(cohorts.size());
            for (Cohort cohort : cohorts) {
                List<String> uids = new ArrayList<>(cohort.members.size());
                for (int member : cohort.members) {
                    uids.add(family.compiled.members.get(member).uid);
                }
                lists.add(Tuple3.of(cohort.name, cohort.timer, uids));
            }
            cohortLists.update(lists);
        }
    }

    /**
     * Members of a family that share one NFA run for the current key: their state, loaded once,
     * stored once.
     */
    private final class Cohort {
        private final FamilyRuntime family;
        private final String name;
        private final List<Integer> members;

        /** Whether the state is in the backend under {@link #name}. */
        private boolean stored;

        /** When the oldest partial match that can time out did so before this run. */
        private final long windowEndBefore;

        /**
         * The cohort's window timer, at or before its oldest partial match's window end, or {@link
         * #NO_TIMER}. As partial matches end, that window end moves later with nearly every event;
         * the timer stays and, when it fires early, is set again, which saves deleting and
         * registering a timer per event.
         */
        private long timer;

        /** Whether {@link #timer} changed: the family's list of cohorts records it. */
        private boolean timerMoved;

        private final NFAState state;
        private boolean advanced;

        /**
         * @param stored whether the state is in the backend under the name
         * @param timer the cohort's window timer, {@link #NO_TIMER} for none
         */
        Cohort(
                FamilyRuntime family,
                String name,
                List<Integer> members,
                NFAState state,
                boolean stored,
                long timer) {
            this.family = family;
            this.name = name;
            this.members = members;
            this.state = state;
            this.stored = stored;
            this.timer = timer;
            this.windowEndBefore = state == null ? NO_TIMER : family.windowEnd(state);
        }

        void timerFired() {
            timer = NO_TIMER;
            timerMoved = true;
        }

        /** The members agree on every event so far, so the first one's NFA stands for all. */
        private NFA<Envelope> nfa() {
            return family.nfas.get(members.get(0));
        }

        private AfterMatchSkipStrategy skip() {
            return family.compiled.members.get(members.get(0)).skip;
        }

        /** Times out partial matches whose window ended by {@code time}, and prunes the buffer. */
        void advance(long time) throws Exception {
            nfaStore.use(name);
            try (SharedBufferAccessor<Envelope> accessor = buffer.getAccessor()) {
                Tuple2<
                                Collection<Map<String, List<Envelope>>>,
                                Collection<Tuple2<Map<String, List<Envelope>>, Long>>>
                        ended = nfa().advanceTime(accessor, state, time, skip());
                emit(ended.f0, time);
                for (int i = 0; i < ended.f1.size(); i++) {
                    for (int member : members) {
                        family.compiled.members.get(member).emit.timedOut();
                    }
                }
            }
        }

        void take(Envelope event, long time) throws Exception {
            if (!advanced && mayEndBy(time)) {
                // As CepOperator does before the events of each time; before the oldest window
                // ends there is nothing to time out, and the cohort's timer will come then.
                advance(time);
            }
            advanced = true;
            nfaStore.use(name);
            try (SharedBufferAccessor<Envelope> accessor = buffer.getAccessor()) {
                Collection<Map<String, List<Envelope>>> matches =
                        nfa().process(
                                        accessor,
                                        state,
                                        event,
                                        time,
                                        skip(),
                                        timers::currentProcessingTime);
                emit(matches, time);
                cutOldestBeyondCap(accessor);
            }
        }

        /**
         * Keeps at most {@link #maxPartialMatches} partial matches in progress, cutting the oldest
         * (those that started first hold the most events). Their nodes are released as when a
         * partial match times out, so the shared buffer keeps nothing of them.
         */
        private void cutOldestBeyondCap(SharedBufferAccessor<Envelope> accessor) throws Exception {
            int running = 0;
            for (ComputationState partial : state.getPartialMatches()) {
                if (partial.getPreviousBufferEntry() != null) {
                    running++;
                }
            }
            int excess = running - maxPartialMatches;
            if (excess <= 0) {
                return;
            }
            List<ComputationState> oldestFirst = new ArrayList<>(state.getPartialMatches());
            oldestFirst.sort(NFAState.COMPUTATION_STATE_COMPARATOR);
            PriorityQueue<ComputationState> kept =
                    new PriorityQueue<>(NFAState.COMPUTATION_STATE_COMPARATOR);
            int cut = 0;
            for (ComputationState partial : oldestFirst) {
                if (cut < excess && partial.getPreviousBufferEntry() != null) {
                    accessor.releaseNode(partial.getPreviousBufferEntry(), partial.getVersion());
                    cut++;
                } else {
                    kept.add(partial);
                }
            }
            state.setNewPartialMatches(kept);
            partialMatchesCut.inc(cut);
            family.countCuts(cut);
        }

        /**
         * Whether advancing to {@code time} can end anything; without a window only pruning, so
         * always.
         */
        private boolean mayEndBy(long time) {
            return family.windowTime <= 0
                    || (windowEndBefore != NO_TIMER && time >= windowEndBefore);
        }

        /** Puts the state as it is now into the backend, so that it can be copied. */
        void write() throws Exception {
            nfaStore.use(name);
            nfaState.update(state);
            stored = true;
        }

        /**
         * Stores the state and sets the window timer; false when nothing is in progress any more
         * and the state is gone (its timer, if any, then finds no cohort and does nothing).
         */
        boolean store() throws Exception {
            nfaStore.use(name);
            long windowEnd;
            boolean inProgress = !family.idle(state);
            if (!inProgress) {
                // The NFA releases buffered events and their nodes as its partial matches end;
                // left are its own state and the buffer's per-timestamp event counters. Clearing
                // only those saves RocksDB a seek per empty map.
                nfaState.clear();
                nfaStore.clear(SHARED_BUFFER_EVENT_COUNTERS);
                windowEnd = NO_TIMER;
            } else {
                windowEnd = family.windowEnd(state);
                if (state.isStateChanged() || !stored) {
                    state.resetStateChanged();
                    state.resetNewStartPartialMatch();
                    nfaState.update(state);
                }
            }
            if (windowEnd != NO_TIMER && (timer == NO_TIMER || timer > windowEnd)) {
                // Only when nothing would fire in time; an earlier timer, now early, is set again
                // when it fires.
                timers.registerEventTimeTimer(name, windowEnd);
                timer = windowEnd;
                timerMoved = true;
            }
            return inProgress;
        }

        private void emit(Collection<Map<String, List<Envelope>>> matches, long time)
                throws Exception {
            if (matches.isEmpty()) {
                return;
            }
            out.setAbsoluteTimestamp(time);
            Instant detectedAt = Instant.ofEpochMilli(timers.currentProcessingTime());
            long cuts = family.takeCuts();
            for (Map<String, List<Envelope>> match : matches) {
                Map<String, String> rendered = new HashMap<>(4);
                for (int member : members) {
                    Alert alert =
                            family.compiled
                                    .members
                                    .get(member)
                                    .emit
                                    .alertFor(match, detectedAt, rendered);
                    alert.setPartialMatchesCut(cuts);
                    out.collect(alert);
                }
                // The first alert reports them; later ones of the same step began after the cut.
                cuts = 0;
            }
        }
    }
}
