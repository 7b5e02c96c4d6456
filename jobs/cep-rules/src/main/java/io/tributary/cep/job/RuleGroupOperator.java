package io.tributary.cep.job;

import io.tributary.cep.alerts.EmitAlerts;
import io.tributary.cep.rules.PatternCompiler;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.StepCondition;
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
import java.util.Set;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.cep.configuration.SharedBufferCacheConfig;
import org.apache.flink.cep.nfa.ComputationState;
import org.apache.flink.cep.nfa.NFA;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.NFAStateSerializer;
import org.apache.flink.cep.nfa.State;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBuffer;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBufferAccessor;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Every rule that shares a key, in one keyed operator running each rule's Flink CEP {@link NFA}.
 *
 * <p>One Flink {@code CepOperator} per rule would keep, per key, an event queue and a timer per
 * event time for every rule, and sort that queue once per rule: with a hundred rules that
 * bookkeeping costs more than the matching. Here a key has one queue and one timer per event time
 * for the whole group; when the watermark passes, the events go in time order to the rules that
 * take their type. A rule with nothing in progress for a key keeps no state for it and is not read
 * for events of other types, so an event costs the rules that could use it, not all of them.
 *
 * <p>Each rule's NFA state and shared buffer live in the group's states under the rule's uid as
 * namespace ({@link RuleStateStore}): adding a rule to the group restores the others' partial
 * matches. A rule with a {@code within} keeps one timer per key (timer namespace = rule uid) at
 * the end of its oldest partial match's window, so absence rules fire without further events; a
 * timer per partial match, as {@code CepOperator} keeps, would put a hundred timers in the queue
 * for an event that starts a hundred rules. Matches, timed out partial matches and pruning follow
 * {@code CepOperator}'s event-time semantics.
 */
public final class RuleGroupOperator extends AbstractStreamOperator<Alert>
        implements OneInputStreamOperator<Envelope, Alert>, Triggerable<String, String> {
    private static final long serialVersionUID = 1L;

    /** Timer namespace of the event queue; a rule's window timers use the rule's uid. */
    static final String QUEUE = "";
    private static final String QUEUE_STATE = "event-queue";
    private static final String NFA_STATE = "rule-nfa";
    private static final Duration NO_CACHE_STATISTICS = Duration.ofDays(1);
    /** The name Flink CEP's {@link SharedBuffer} gives its per-timestamp event counters. */
    private static final String SHARED_BUFFER_EVENT_COUNTERS = "sharedBuffer-events-count";
    private static final long NO_TIMER = Long.MIN_VALUE;

    private final List<CompiledRule> rules;
    private final TypeSerializer<Envelope> serializer;

    private transient MapState<Long, List<Envelope>> queue;
    private transient InternalTimerService<String> timers;
    private transient TimestampedCollector<Alert> out;
    private transient Counter lateDropped;
    private transient List<RuleRuntime> runtimes;
    private transient Map<EventType, List<RuleRuntime>> byType;
    private transient Map<String, RuleRuntime> byUid;

    public RuleGroupOperator(List<Rule> rules, RuleKey key, TypeSerializer<Envelope> serializer) {
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("a rule group needs at least one rule");
        }
        Set<String> uids = new HashSet<>();
        this.rules = new ArrayList<>();
        for (Rule rule : rules) {
            if (!uids.add(rule.uid())) {
                throw new IllegalArgumentException("rule " + rule.uid() + " is in the group twice");
            }
            this.rules.add(new CompiledRule(rule, key));
        }
        this.serializer = serializer;
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        queue = context.getKeyedStateStore().getMapState(
                new MapStateDescriptor<>(QUEUE_STATE, LongSerializer.INSTANCE, new ListSerializer<>(serializer)));
        // The shared buffer's cache saves deserializing RocksDB values within one step of the NFA;
        // heap state holds the objects already, so there a cache without slots writes through.
        SharedBufferCacheConfig cacheConfig = getKeyedStateBackend() instanceof HeapKeyedStateBackend
                ? new SharedBufferCacheConfig(0, 0, NO_CACHE_STATISTICS)
                : SharedBufferCacheConfig.of(getOperatorConfig().getConfiguration());
        runtimes = new ArrayList<>();
        for (CompiledRule rule : rules) {
            runtimes.add(new RuleRuntime(rule, new RuleStateStore(getKeyedStateBackend(), rule.uid), cacheConfig));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        timers = getInternalTimerService("rule-group-timers", StringSerializer.INSTANCE, this);
        out = new TimestampedCollector<>(output);
        lateDropped = getMetricGroup().counter("numLateRecordsDropped");
        byType = new EnumMap<>(EventType.class);
        byUid = new HashMap<>();
        for (RuleRuntime runtime : runtimes) {
            runtime.open();
            for (EventType type : runtime.rule.inputs) {
                byType.computeIfAbsent(type, t -> new ArrayList<>()).add(runtime);
            }
            byUid.put(runtime.rule.uid, runtime);
        }
    }

    @Override
    public void close() throws Exception {
        super.close();
        if (runtimes != null) {
            for (RuleRuntime runtime : runtimes) {
                runtime.close();
            }
        }
    }

    @Override
    public void processElement(StreamRecord<Envelope> element) throws Exception {
        long time = element.getTimestamp();
        // The watermark promised no event at or before it; the late-event split upstream sends
        // such events to the late topic, so one arriving here is only counted.
        if (time <= timers.currentWatermark()) {
            lateDropped.inc();
            return;
        }
        List<Envelope> atTime = queue.get(time);
        if (atTime == null) {
            atTime = new ArrayList<>(1);
            timers.registerEventTimeTimer(QUEUE, time);
        }
        atTime.add(element.getValue());
        queue.put(time, atTime);
    }

    /**
     * Timers fire in event-time order, so handling exactly the timer's time keeps every rule's
     * events in order without listing the queue: a queue timer hands the events of its time to
     * the rules, a rule's timer advances that rule to the end of its oldest window.
     */
    @Override
    public void onEventTime(InternalTimer<String, String> timer) throws Exception {
        long time = timer.getTimestamp();
        if (!QUEUE.equals(timer.getNamespace())) {
            RuleRuntime runtime = byUid.get(timer.getNamespace());
            if (runtime == null) {
                // A rule removed from the group since the savepoint: its partial matches for this
                // key would never end, so its state goes when its window would have.
                runtimes.get(0).store.clearNamespace(timer.getNamespace());
                return;
            }
            Run run = runtime.load();
            run.advance(time);
            run.store();
            return;
        }
        List<Envelope> events = queue.get(time);
        if (events == null) {
            return;
        }
        // In the order the rules first see an event, so alerts come out in the same order on every run.
        Map<RuleRuntime, Run> runs = new LinkedHashMap<>();
        for (Envelope event : events) {
            List<RuleRuntime> interested = byType.get(event.getEventType());
            if (interested == null) {
                continue;
            }
            for (RuleRuntime runtime : interested) {
                Run run = runs.get(runtime);
                if (run == null) {
                    run = runtime.load();
                    runs.put(runtime, run);
                }
                run.take(event, time);
            }
        }
        queue.remove(time);
        for (Run run : runs.values()) {
            run.store();
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, String> timer) {
        throw new IllegalStateException("rules run in event time; no processing-time timers are registered");
    }

    /** What a rule brings to the operator, compiled on the client so a bad rule fails at submission. */
    private static final class CompiledRule implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        final String uid;
        final Set<EventType> inputs;
        final NFACompiler.NFAFactory<Envelope> nfaFactory;
        final AfterMatchSkipStrategy skip;
        final EmitAlerts emit;
        /** Null when no single condition decides whether an event can start a match. */
        final StepCondition start;

        CompiledRule(Rule rule, RuleKey key) {
            Pattern<Envelope, Envelope> pattern = PatternCompiler.compile(rule);
            this.uid = rule.uid();
            this.inputs = Set.copyOf(rule.inputs());
            // The NFA must report timed-out partial matches: EmitAlerts counts them.
            this.nfaFactory = NFACompiler.compileFactory(pattern, true);
            this.skip = pattern.getAfterMatchSkipStrategy();
            this.emit = new EmitAlerts(rule, key);
            this.start = PatternCompiler.startCondition(rule).orElse(null);
        }

        /**
         * Whether a rule with nothing in progress could do anything with the event: the NFA of
         * such a rule keeps only its start state unless the event meets the first step's condition.
         */
        boolean mayStart(Envelope event) throws Exception {
            return start == null || start.filter(event, null);
        }
    }

    /** A rule at run time: its NFA, its state handles and the names of its NFA's start states. */
    private final class RuleRuntime {
        final CompiledRule rule;
        final RuleStateStore store;
        final ValueState<NFAState> nfaState;
        final SharedBuffer<Envelope> buffer;
        NFA<Envelope> nfa;
        Set<String> startStates;

        RuleRuntime(CompiledRule rule, RuleStateStore store, SharedBufferCacheConfig cacheConfig) {
            this.rule = rule;
            this.store = store;
            this.nfaState = store.getState(new ValueStateDescriptor<>(NFA_STATE, new NFAStateSerializer()));
            this.buffer = new SharedBuffer<>(store, serializer, cacheConfig);
        }

        void open() throws Exception {
            nfa = rule.nfaFactory.createNFA();
            nfa.open(getRuntimeContext(), new Configuration());
            startStates = new HashSet<>();
            for (State<Envelope> state : nfa.getStates()) {
                if (state.isStart()) {
                    startStates.add(state.getName());
                }
            }
            rule.emit.open(getMetricGroup().addGroup("rule", rule.uid));
        }

        void close() throws Exception {
            if (nfa != null) {
                nfa.close();
            }
            buffer.releaseCacheStatisticsTimer();
        }

        /** The rule's state for the current key; a rule with nothing in progress keeps none. */
        Run load() throws Exception {
            return new Run(this, nfaState.value());
        }

        /** When the oldest partial match that can time out does, or {@link #NO_TIMER}. */
        long windowEnd(NFAState state) {
            if (nfa.getWindowTime() <= 0) {
                return NO_TIMER;
            }
            long oldestStart = Long.MAX_VALUE;
            for (ComputationState partial : state.getPartialMatches()) {
                // A start state that has taken no event yet has no start time (-1) and cannot time out.
                if (partial.getPreviousBufferEntry() != null) {
                    oldestStart = Math.min(oldestStart, partial.getStartTimestamp());
                }
            }
            return oldestStart == Long.MAX_VALUE ? NO_TIMER : oldestStart + nfa.getWindowTime();
        }

        /** Nothing in progress: only start states, no match waiting for its turn to be emitted. */
        boolean idle(NFAState state) {
            if (!state.getCompletedMatches().isEmpty()) {
                return false;
            }
            for (ComputationState partial : state.getPartialMatches()) {
                if (partial.getPreviousBufferEntry() != null || !startStates.contains(partial.getCurrentStateName())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One rule's work for one key during one timer: loaded once, stored once. */
    private final class Run {
        private final RuleRuntime runtime;
        private final boolean wasStored;
        private final long windowEndBefore;
        /** Null while the rule has nothing in progress and no event has started anything. */
        private NFAState state;
        private boolean advanced;

        Run(RuleRuntime runtime, NFAState stored) {
            this.runtime = runtime;
            this.state = stored;
            this.wasStored = stored != null;
            this.windowEndBefore = wasStored ? runtime.windowEnd(stored) : NO_TIMER;
        }

        /** Times out partial matches whose window ended by {@code time}, and prunes the buffer. */
        void advance(long time) throws Exception {
            if (state == null) {
                return;
            }
            try (SharedBufferAccessor<Envelope> accessor = runtime.buffer.getAccessor()) {
                Tuple2<Collection<Map<String, List<Envelope>>>, Collection<Tuple2<Map<String, List<Envelope>>, Long>>> ended =
                        runtime.nfa.advanceTime(accessor, state, time, runtime.rule.skip);
                emit(ended.f0, time);
                for (int i = 0; i < ended.f1.size(); i++) {
                    runtime.rule.emit.timedOut();
                }
            }
        }

        void take(Envelope event, long time) throws Exception {
            if (state == null) {
                if (!runtime.rule.mayStart(event)) {
                    return;
                }
                state = runtime.nfa.createInitialNFAState();
            } else if (!advanced && mayEndBy(time)) {
                // As CepOperator does before the events of each time; before the oldest window
                // ends there is nothing to time out, and the rule's timer will come then.
                advance(time);
            }
            advanced = true;
            try (SharedBufferAccessor<Envelope> accessor = runtime.buffer.getAccessor()) {
                Collection<Map<String, List<Envelope>>> matches =
                        runtime.nfa.process(accessor, state, event, time, runtime.rule.skip, timers::currentProcessingTime);
                emit(matches, time);
            }
        }

        /** Whether advancing to {@code time} can end anything; without a window only pruning, so always. */
        private boolean mayEndBy(long time) {
            return runtime.nfa.getWindowTime() <= 0 || (windowEndBefore != NO_TIMER && time >= windowEndBefore);
        }

        void store() throws Exception {
            if (state == null || (!wasStored && !state.isStateChanged())) {
                return;
            }
            long windowEnd;
            if (runtime.idle(state)) {
                // The NFA releases buffered events and their nodes as its partial matches end;
                // left are its own state and the buffer's per-timestamp event counters. Clearing
                // only those saves RocksDB a seek per empty map.
                runtime.nfaState.clear();
                runtime.store.clear(SHARED_BUFFER_EVENT_COUNTERS);
                windowEnd = NO_TIMER;
            } else {
                windowEnd = runtime.windowEnd(state);
                if (state.isStateChanged() || !wasStored) {
                    state.resetStateChanged();
                    state.resetNewStartPartialMatch();
                    runtime.nfaState.update(state);
                }
            }
            if (windowEnd != windowEndBefore) {
                if (windowEndBefore != NO_TIMER) {
                    timers.deleteEventTimeTimer(runtime.rule.uid, windowEndBefore);
                }
                if (windowEnd != NO_TIMER) {
                    timers.registerEventTimeTimer(runtime.rule.uid, windowEnd);
                }
            }
        }

        private void emit(Collection<Map<String, List<Envelope>>> matches, long time) throws Exception {
            if (matches.isEmpty()) {
                return;
            }
            out.setAbsoluteTimestamp(time);
            Instant detectedAt = Instant.ofEpochMilli(timers.currentProcessingTime());
            for (Map<String, List<Envelope>> match : matches) {
                out.collect(runtime.rule.emit.alertFor(match, detectedAt));
            }
        }
    }
}
