package io.tributary.cep.flink;

import io.tributary.schemas.Envelope;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.cep.configuration.SharedBufferCacheConfig;
import org.apache.flink.cep.nfa.ComputationState;
import org.apache.flink.cep.nfa.NFA;
import org.apache.flink.cep.nfa.NFAState;
import org.apache.flink.cep.nfa.NFAStateSerializer;
import org.apache.flink.cep.nfa.StateTransition;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBuffer;
import org.apache.flink.cep.nfa.sharedbuffer.SharedBufferAccessor;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.runtime.state.internal.InternalKvState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Every use of Flink API that Flink does not promise to keep (classes without {@code @Public} or
 * {@code @PublicEvolving}): Flink CEP's NFA and shared buffer, which the rule operator drives
 * itself instead of through {@code CepOperator}; keyed state by namespace and the keyed backend's
 * current key; the operator timer service and output. Nothing else in the project imports them, so
 * a Flink upgrade is checked here (the module README lists what to re-check), and the classes that
 * use these calls read in the project's own terms. The only internal type left outside is {@link
 * StreamRecord}, which the public operator interfaces take as their argument.
 */
public final class FlinkInternals {
    private FlinkInternals() {}

    /** A window end or timer that does not exist. */
    public static final long NONE = Long.MIN_VALUE;

    /**
     * The name Flink CEP's {@link SharedBuffer} gives its per-timestamp event counters: the one
     * state an NFA with nothing in progress leaves behind.
     */
    public static final String SHARED_BUFFER_EVENT_COUNTERS = "sharedBuffer-events-count";

    // ---------------------------------------------------------------- Flink CEP: compiling

    /**
     * Refuses a pattern Flink CEP cannot run, with its own message ({@link
     * org.apache.flink.cep.pattern.MalformedPatternException}).
     */
    public static void checkRunnable(Pattern<Envelope, Envelope> pattern) {
        NFACompiler.compileFactory(pattern, false);
    }

    /** A state of the compiled NFA and where its transitions lead, for people. */
    public record StateView(
            String name, boolean start, boolean isFinal, boolean stop, List<String> transitions) {}

    /** The states Flink CEP compiles the pattern to, with transitions as "take -> name". */
    public static List<StateView> states(Pattern<Envelope, Envelope> pattern) {
        List<StateView> views = new ArrayList<>();
        for (org.apache.flink.cep.nfa.State<Envelope> state :
                NFACompiler.compileFactory(pattern, false).createNFA().getStates()) {
            List<String> transitions = new ArrayList<>();
            for (StateTransition<Envelope> transition : state.getStateTransitions()) {
                transitions.add(
                        transition.getAction().name().toLowerCase(Locale.ROOT)
                                + " -> "
                                + transition.getTargetState().getName());
            }
            views.add(
                    new StateView(
                            state.getName(),
                            state.isStart(),
                            state.isFinal(),
                            state.isStop(),
                            transitions));
        }
        return views;
    }

    /** A compiled pattern, shipped to the job: makes the NFA each subtask runs. */
    public static final class NfaFactory implements Serializable {
        private static final long serialVersionUID = 1L;

        private final NFACompiler.NFAFactory<Envelope> factory;
        private final AfterMatchSkipStrategy skip;

        /**
         * The NFA reports timed-out partial matches, as the alert counters need; nothing else
         * differs from what {@code CEP.pattern} would run.
         */
        public NfaFactory(Pattern<Envelope, Envelope> pattern) {
            this.factory = NFACompiler.compileFactory(pattern, true);
            this.skip = pattern.getAfterMatchSkipStrategy();
        }

        public Nfa create() {
            return new Nfa(factory.createNFA(), skip);
        }
    }

    // ---------------------------------------------------------------- Flink CEP: running

    /** One rule's NFA on a subtask: no state of its own; a {@link Run} holds a key's progress. */
    public static final class Nfa {
        private final NFA<Envelope> nfa;
        private final AfterMatchSkipStrategy skip;

        private Nfa(NFA<Envelope> nfa, AfterMatchSkipStrategy skip) {
            this.nfa = nfa;
            this.skip = skip;
        }

        /** Opens the pattern's conditions (rich functions get the runtime context). */
        public void open(RuntimeContext context) throws Exception {
            nfa.open(context, new Configuration());
        }

        public void close() throws Exception {
            nfa.close();
        }

        /** The names of the states a match starts in. */
        public Set<String> startStates() {
            Set<String> names = new HashSet<>();
            for (org.apache.flink.cep.nfa.State<Envelope> state : nfa.getStates()) {
                if (state.isStart()) {
                    names.add(state.getName());
                }
            }
            return names;
        }

        /** The pattern's {@code within} in milliseconds, 0 or less without one. */
        public long windowTime() {
            return nfa.getWindowTime();
        }

        /** A key's progress before any event. */
        public Run newRun() {
            return new Run(nfa.createInitialNFAState());
        }

        /**
         * Feeds one event (of the event time {@code time}, in time order) and returns the matches
         * it completes. Beyond {@code maxPartialMatches} partial matches in progress, the oldest
         * are cut: their nodes are released as when a partial match times out, so the buffer keeps
         * nothing of them.
         */
        public Step process(
                MatchBuffer buffer,
                Run run,
                Envelope event,
                long time,
                LongSupplier processingTime,
                int maxPartialMatches)
                throws Exception {
            try (SharedBufferAccessor<Envelope> accessor = buffer.buffer.getAccessor()) {
                Collection<Map<String, List<Envelope>>> matches =
                        nfa.process(
                                accessor, run.state, event, time, skip, processingTime::getAsLong);
                return new Step(matches, cutOldest(accessor, run.state, maxPartialMatches));
            }
        }

        /** Times out partial matches whose window ended by {@code time}, and prunes the buffer. */
        public Step advance(MatchBuffer buffer, Run run, long time) throws Exception {
            try (SharedBufferAccessor<Envelope> accessor = buffer.buffer.getAccessor()) {
                Tuple2<
                                Collection<Map<String, List<Envelope>>>,
                                Collection<Tuple2<Map<String, List<Envelope>>, Long>>>
                        ended = nfa.advanceTime(accessor, run.state, time, skip);
                return new Step(ended.f0, 0, ended.f1.size());
            }
        }

        private static int cutOldest(
                SharedBufferAccessor<Envelope> accessor, NFAState state, int maxPartialMatches)
                throws Exception {
            int running = 0;
            for (ComputationState partial : state.getPartialMatches()) {
                if (partial.getPreviousBufferEntry() != null) {
                    running++;
                }
            }
            int excess = running - maxPartialMatches;
            if (excess <= 0) {
                return 0;
            }
            // Those that started first hold the most events.
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
            return cut;
        }
    }

    /**
     * What an NFA step gave: completed matches, partial matches cut at the cap, and partial matches
     * timed out.
     */
    public record Step(Collection<Map<String, List<Envelope>>> matches, int cut, int timedOut) {
        Step(Collection<Map<String, List<Envelope>>> matches, int cut) {
            this(matches, cut, 0);
        }
    }

    /** A key's progress through an NFA: its partial matches and matches not yet emitted. */
    public static final class Run {
        private final NFAState state;

        private Run(NFAState state) {
            this.state = state;
        }

        /**
         * When the oldest partial match that can time out does, or {@link #NONE}; a start state
         * that has taken no event yet has no start time and cannot.
         */
        public long windowEnd(long windowTime) {
            if (windowTime <= 0) {
                return NONE;
            }
            long oldestStart = Long.MAX_VALUE;
            for (ComputationState partial : state.getPartialMatches()) {
                if (partial.getPreviousBufferEntry() != null) {
                    oldestStart = Math.min(oldestStart, partial.getStartTimestamp());
                }
            }
            return oldestStart == Long.MAX_VALUE ? NONE : oldestStart + windowTime;
        }

        /** Nothing in progress: only start states, no match waiting for its turn to be emitted. */
        public boolean idle(Set<String> startStates) {
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

        /** Whether the run changed since it was read or last {@link #markStored() stored}. */
        public boolean changed() {
            return state.isStateChanged();
        }

        /** Before a write that stores the run as it is now. */
        public void markStored() {
            state.resetStateChanged();
            state.resetNewStartPartialMatch();
        }
    }

    /** Where runs are kept: a value state of a {@link KeyedStateStore}, under a name. */
    public static final class RunState {
        private final ValueState<NFAState> state;

        public RunState(KeyedStateStore store, String name) {
            this.state = store.getState(new ValueStateDescriptor<>(name, new NFAStateSerializer()));
        }

        /** The store's current key's and namespace's run, or null. */
        public Run read() throws Exception {
            NFAState value = state.value();
            return value == null ? null : new Run(value);
        }

        public void write(Run run) throws Exception {
            state.update(run.state);
        }

        public void clear() {
            state.clear();
        }
    }

    /**
     * Flink CEP's shared buffer of the events and nodes of partial matches, in a {@link
     * KeyedStateStore} (so one buffer serves every key, and namespaces within it).
     */
    public static final class MatchBuffer {
        private final SharedBuffer<Envelope> buffer;

        /**
         * @param operatorConfig the operator's configuration: the buffer's own cache takes its
         *     sizes from there (Flink's defaults otherwise)
         */
        public MatchBuffer(
                KeyedStateStore store,
                TypeSerializer<Envelope> serializer,
                Configuration operatorConfig) {
            this.buffer =
                    new SharedBuffer<>(
                            store, serializer, SharedBufferCacheConfig.of(operatorConfig));
        }

        public void close() {
            buffer.releaseCacheStatisticsTimer();
        }
    }

    // ---------------------------------------------------------------- keyed state backend

    /**
     * The operator's keyed state backend, through the calls the rule operator needs: the current
     * key, states by namespace, and the keys and namespaces a state holds.
     */
    public static final class KeyedBackend {
        private final KeyedStateBackend<Object> backend;

        @SuppressWarnings("unchecked")
        public KeyedBackend(AbstractStreamOperator<?> operator) {
            this.backend = (KeyedStateBackend<Object>) operator.getKeyedStateBackend();
        }

        /** Whether state lives on the heap as objects (no serialization on access). */
        public boolean onHeap() {
            return backend instanceof HeapKeyedStateBackend;
        }

        public Object currentKey() {
            return backend.getCurrentKey();
        }

        public void setCurrentKey(Object key) {
            backend.setCurrentKey(key);
        }

        /**
         * A keyed state whose namespace is chosen per access. Every call for one name returns a
         * view of the same state.
         */
        @SuppressWarnings("unchecked")
        public <N, S extends State> Namespaced<N, S> state(
                TypeSerializer<N> namespaceSerializer, StateDescriptor<S, ?> descriptor)
                throws Exception {
            S state = backend.getOrCreateKeyedState(namespaceSerializer, descriptor);
            return new Namespaced<>((InternalKvState<?, N, ?>) state);
        }

        /** A keyed state with string namespaces. */
        public <S extends State> Namespaced<String, S> state(StateDescriptor<S, ?> descriptor)
                throws Exception {
            return state(StringSerializer.INSTANCE, descriptor);
        }

        /** Every key and namespace the named state holds something for. */
        public <N> List<Tuple2<Object, N>> keysAndNamespaces(String state) {
            try (var stream = backend.<N>getKeysAndNamespaces(state)) {
                return stream.map(t -> Tuple2.of(t.f0, t.f1)).toList();
            }
        }
    }

    /** A keyed state of the current key, at a namespace chosen per access. */
    public static final class Namespaced<N, S extends State> {
        private final InternalKvState<?, N, ?> state;

        private Namespaced(InternalKvState<?, N, ?> state) {
            this.state = state;
        }

        /** The state at the namespace, for the backend's current key, until the next call. */
        @SuppressWarnings("unchecked")
        public S at(N namespace) {
            state.setCurrentNamespace(namespace);
            return (S) state;
        }
    }

    // ---------------------------------------------------------------- operator services

    /** What an operator's event-time timers call. */
    @FunctionalInterface
    public interface EventTimeCallback {
        void onEventTime(String namespace, long time) throws Exception;
    }

    /** Event-time timers of the current key, by string namespace. */
    public static final class EventTimers {
        private final InternalTimerService<String> service;

        private EventTimers(InternalTimerService<String> service) {
            this.service = service;
        }

        /**
         * The operator's timer service of that name; timers fire into the callback with the
         * backend's current key set to the timer's key. Processing-time timers are refused.
         */
        public static EventTimers of(
                AbstractStreamOperator<?> operator, String name, EventTimeCallback callback) {
            Triggerable<Object, String> triggerable =
                    new Triggerable<>() {
                        @Override
                        public void onEventTime(InternalTimer<Object, String> timer)
                                throws Exception {
                            callback.onEventTime(timer.getNamespace(), timer.getTimestamp());
                        }

                        @Override
                        public void onProcessingTime(InternalTimer<Object, String> timer) {
                            throw new IllegalStateException(
                                    "event-time timers only; a processing-time timer fired");
                        }
                    };
            return new EventTimers(
                    operator.getInternalTimerService(name, StringSerializer.INSTANCE, triggerable));
        }

        /** One timer per key, namespace and time, however often it is asked. */
        public void register(String namespace, long time) {
            service.registerEventTimeTimer(namespace, time);
        }

        public long currentWatermark() {
            return service.currentWatermark();
        }

        public long currentProcessingTime() {
            return service.currentProcessingTime();
        }
    }

    /** Emits records with an event time of the caller's choosing. */
    public static final class TimedOutput<T> {
        private final TimestampedCollector<T> collector;

        public TimedOutput(Output<StreamRecord<T>> output) {
            this.collector = new TimestampedCollector<>(output);
        }

        public void emit(T record, long time) {
            collector.setAbsoluteTimestamp(time);
            collector.collect(record);
        }
    }
}
