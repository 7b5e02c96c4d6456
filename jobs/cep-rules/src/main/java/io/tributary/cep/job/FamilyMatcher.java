package io.tributary.cep.job;

import io.tributary.cep.alerts.EmitAlerts;
import io.tributary.cep.flink.FlinkInternals;
import io.tributary.cep.flink.FlinkInternals.EventTimers;
import io.tributary.cep.flink.FlinkInternals.KeyedBackend;
import io.tributary.cep.flink.FlinkInternals.MatchBuffer;
import io.tributary.cep.flink.FlinkInternals.Namespaced;
import io.tributary.cep.flink.FlinkInternals.Nfa;
import io.tributary.cep.flink.FlinkInternals.Run;
import io.tributary.cep.flink.FlinkInternals.RunState;
import io.tributary.cep.flink.FlinkInternals.Step;
import io.tributary.cep.flink.FlinkInternals.TimedOutput;
import io.tributary.cep.rules.RuleFamily;
import io.tributary.cep.rules.StepCondition;
import io.tributary.jobs.state.StateTtl;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.alerts.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.runtime.TupleSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;

/**
 * Runs a key's events through rule families, as Flink's {@code NFA} does for {@code CepOperator}:
 * the operator ({@link RuleGroupOperator}) decides which events of which time go to which families;
 * this class holds the matching and its state.
 *
 * <p>Rules with the same pattern but for their alerts or their first step's condition form a {@link
 * RuleFamily}. For a key, the members of a family that started a match on the same events form a
 * <em>cohort</em> and share one NFA run: as long as they agree on whether each event could start a
 * match, their NFAs would go through the same states. An event they disagree on splits the cohort
 * (its state is copied); members with nothing in progress belong to no cohort and keep no state,
 * and an event only they could start begins a new cohort. A hundred market variants of a rule thus
 * cost one NFA run per key and event, plus one condition per distinct first step.
 *
 * <p>A cohort's NFA run and shared buffer live in shared states under the cohort's name ({@code
 * <family id>/<uid of its first member>}) as namespace ({@link RuleStateStore}); the cohorts of a
 * family are listed per key under the family's id. A cohort with no member left (its rules were
 * removed) is dropped when next touched or when its window timer fires. A cohort whose rules have a
 * {@code within} keeps one timer per key (timer namespace = cohort name) at or before the end of
 * its oldest partial match's window, so absence rules fire without further events. Matches, timed
 * out partial matches and pruning follow {@code CepOperator}'s event-time semantics.
 */
final class FamilyMatcher {
    private static final String NFA_STATE = "rule-nfa";
    private static final String COHORTS_STATE = "rule-family-cohorts";
    private static final String CUTS_STATE = "partial-matches-cut";

    /**
     * How long a family's count of partial matches cut since its last alert is kept for a key that
     * sees no alert.
     */
    static final Duration CUTS_TTL = Duration.ofDays(1);

    private static final long NO_TIMER = FlinkInternals.NONE;

    private final RuntimeContext context;
    private final EventTimers timers;
    private final TimedOutput<Alert> out;
    private final Counter partialMatchesCut;
    private final Function<String, EmitAlerts.Counters> countersOfRule;
    private final int maxPartialMatches;

    /** Every cohort's NFA run and shared buffer; namespace = cohort name. */
    private final RuleStateStore nfaStore;

    private final RunState runs;
    private final MatchBuffer buffer;

    /** Per key and family (namespace = family id): its cohorts, their timers and members. */
    private final RuleStateStore cohortStore;

    private final ValueState<List<Tuple3<String, Long, List<String>>>> cohortLists;

    /** Per key and family: partial matches cut since the family's last alert. */
    private final Namespaced<String, ValueState<Long>> cutsSinceAlert;

    /**
     * @param cache the rule state of recently active keys on the heap, or null
     * @param operatorConfig where the shared buffer's own cache finds its sizes
     * @param countersOfRule each rule's alert counters, by rule uid; a rule kept by a new revision
     *     counts on
     */
    FamilyMatcher(
            KeyedBackend backend,
            KeyedStateCache cache,
            TypeSerializer<Envelope> serializer,
            Configuration operatorConfig,
            RuntimeContext context,
            EventTimers timers,
            TimedOutput<Alert> out,
            Counter partialMatchesCut,
            Function<String, EmitAlerts.Counters> countersOfRule,
            int maxPartialMatches)
            throws Exception {
        this.context = context;
        this.timers = timers;
        this.out = out;
        this.partialMatchesCut = partialMatchesCut;
        this.countersOfRule = countersOfRule;
        this.maxPartialMatches = maxPartialMatches;
        nfaStore = new RuleStateStore(backend, cache, RuleGroupOperator.QUEUE);
        runs = new RunState(nfaStore, NFA_STATE);
        // The shared buffer's own cache (Flink's defaults: 1024 slots) keeps the nodes and events
        // of one NFA step: reading a partial match for a condition on an earlier step visits them
        // again and again, and without slots every visit went through the state and the cache's
        // eviction.
        buffer = new MatchBuffer(nfaStore, serializer, operatorConfig);
        cohortStore = new RuleStateStore(backend, cache, RuleGroupOperator.QUEUE);
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
        ValueStateDescriptor<Long> cuts =
                new ValueStateDescriptor<>(CUTS_STATE, LongSerializer.INSTANCE);
        cuts.enableTimeToLive(StateTtl.expireAfterWrite(CUTS_TTL));
        cutsSinceAlert = backend.state(cuts);
    }

    void close() {
        buffer.close();
    }

    /** A family ready to run on this subtask: its members' NFAs opened. */
    Family family(CompiledFamily compiled) throws Exception {
        return new Family(compiled);
    }

    /**
     * Hands a key's events of one event time, in arrival order, to the families that take their
     * type, in the order the families first see an event, so alerts come out in the same order on
     * every run.
     */
    void process(Map<EventType, List<Family>> familiesByType, List<Envelope> events, long time)
            throws Exception {
        Map<Family, FamilyRun> active = new LinkedHashMap<>();
        for (Envelope event : events) {
            List<Family> interested = familiesByType.get(event.getEventType());
            if (interested == null) {
                continue;
            }
            for (Family family : interested) {
                FamilyRun run = active.get(family);
                if (run == null) {
                    run = new FamilyRun(family);
                    active.put(family, run);
                }
                run.take(event, time);
            }
        }
        for (FamilyRun run : active.values()) {
            run.store();
        }
    }

    /**
     * A cohort's window timer for the current key: partial matches whose window ended time out.
     *
     * @param family the cohort's family in the revision that judges the timer's time; null when its
     *     rules all left the rule set (at a switch, or since the savepoint): the cohort's partial
     *     matches would never end, so its state goes when its window would have
     */
    void onCohortTimer(Family family, String cohortName, long time) throws Exception {
        if (family == null) {
            nfaStore.clearNamespace(cohortName);
            int slash = cohortName.indexOf('/');
            if (slash >= 0) {
                cohortStore.clearNamespace(cohortName.substring(0, slash));
            }
            return;
        }
        FamilyRun run = new FamilyRun(family);
        Cohort cohort = run.cohort(cohortName);
        // A cohort keeps one timer; others under its name were left by an earlier cohort of that
        // name, whose state went when it ended.
        if (cohort == null || cohort.timer != time) {
            // Loading may have dropped cohorts whose members left the group at a restore; this
            // timer was their last chance to leave the family's list.
            run.storeListIfChanged();
            return;
        }
        cohort.timerFired();
        // Early: partial matches that would have ended then have ended through events since.
        // Advancing would find nothing to time out and cost CEP's buffer a scan of its counters.
        if (!cohort.mayEndBy(time)) {
            run.store();
            return;
        }
        cohort.advance(time);
        run.store();
    }

    /** A family at run time: an NFA per member (they differ only in how a match starts). */
    final class Family {
        final CompiledFamily compiled;
        final List<Nfa> nfas = new ArrayList<>();
        final Map<String, Integer> memberByUid = new HashMap<>();
        final Set<String> startStates;
        final long windowTime;

        private Family(CompiledFamily compiled) throws Exception {
            this.compiled = compiled;
            for (int i = 0; i < compiled.members.size(); i++) {
                CompiledFamily.Member member = compiled.members.get(i);
                Nfa nfa = member.nfaFactory.create();
                nfa.open(context);
                nfas.add(nfa);
                memberByUid.put(member.uid, i);
                member.emit.open(countersOfRule.apply(member.uid));
            }
            this.startStates = nfas.get(0).startStates();
            this.windowTime = nfas.get(0).windowTime();
        }

        void close() throws Exception {
            for (Nfa nfa : nfas) {
                nfa.close();
            }
        }

        private void countCuts(long cut) throws Exception {
            ValueState<Long> cuts = cutsSinceAlert.at(compiled.id);
            Long before = cuts.value();
            cuts.update(before == null ? cut : before + cut);
        }

        /** The cuts the next alert reports; from then on the count starts again. */
        private long takeCuts() throws Exception {
            ValueState<Long> cuts = cutsSinceAlert.at(compiled.id);
            Long count = cuts.value();
            if (count == null) {
                return 0;
            }
            cuts.clear();
            return count;
        }

        private String cohortName(int firstMember) {
            return compiled.id + "/" + compiled.members.get(firstMember).uid;
        }
    }

    /** One family's work for one key during one timer: its cohorts loaded once, stored once. */
    private final class FamilyRun {
        private final Family family;
        private final List<Cohort> cohorts = new ArrayList<>();

        /** Members in no cohort: nothing in progress for this key. */
        private final boolean[] inCohort;

        private boolean cohortsChanged;

        FamilyRun(Family family) throws Exception {
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
                Run run = members.isEmpty() ? null : runs.read();
                if (run == null) {
                    nfaStore.clearNamespace(name);
                    members.forEach(member -> inCohort[member] = false);
                    cohortsChanged = true;
                    continue;
                }
                cohorts.add(new Cohort(family, name, members, run, true, entry.f1));
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
                Run initial = family.nfas.get(starters.get(0)).newRun();
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
                (startsMatch(conditionOf[member], event, startsMatch) ? yes : no).add(member);
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
            Cohort split = new Cohort(family, name, leaving, runs.read(), true, NO_TIMER);
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
            for (Iterator<Cohort> it = cohorts.iterator(); it.hasNext(); ) {
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
     * Members of a family that share one NFA run for the current key: their run, loaded once,
     * stored once.
     */
    private final class Cohort {
        private final Family family;
        private final String name;
        private final List<Integer> members;

        /** Whether the run is in the backend under {@link #name}. */
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

        private final Run run;
        private boolean advanced;

        /**
         * @param stored whether the run is in the backend under the name
         * @param timer the cohort's window timer, {@link #NO_TIMER} for none
         */
        Cohort(
                Family family,
                String name,
                List<Integer> members,
                Run run,
                boolean stored,
                long timer) {
            this.family = family;
            this.name = name;
            this.members = members;
            this.run = run;
            this.stored = stored;
            this.timer = timer;
            this.windowEndBefore = run == null ? NO_TIMER : run.windowEnd(family.windowTime);
        }

        void timerFired() {
            timer = NO_TIMER;
            timerMoved = true;
        }

        /** The members agree on every event so far, so the first one's NFA stands for all. */
        private Nfa nfa() {
            return family.nfas.get(members.get(0));
        }

        /** Times out partial matches whose window ended by {@code time}, and prunes the buffer. */
        void advance(long time) throws Exception {
            nfaStore.use(name);
            Step ended = nfa().advance(buffer, run, time);
            emit(ended.matches(), time);
            for (int i = 0; i < ended.timedOut(); i++) {
                for (int member : members) {
                    family.compiled.members.get(member).emit.timedOut();
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
            Step step =
                    nfa().process(
                                    buffer,
                                    run,
                                    event,
                                    time,
                                    timers::currentProcessingTime,
                                    maxPartialMatches);
            emit(step.matches(), time);
            if (step.cut() > 0) {
                partialMatchesCut.inc(step.cut());
                family.countCuts(step.cut());
            }
        }

        /**
         * Whether advancing to {@code time} can end anything; without a window only pruning, so
         * always.
         */
        private boolean mayEndBy(long time) {
            return family.windowTime <= 0
                    || (windowEndBefore != NO_TIMER && time >= windowEndBefore);
        }

        /** Puts the run as it is now into the backend, so that it can be copied. */
        void write() throws Exception {
            nfaStore.use(name);
            runs.write(run);
            stored = true;
        }

        /**
         * Stores the run and sets the window timer; false when nothing is in progress any more and
         * the state is gone (its timer, if any, then finds no cohort and does nothing).
         */
        boolean store() throws Exception {
            nfaStore.use(name);
            long windowEnd;
            boolean inProgress = !run.idle(family.startStates);
            if (!inProgress) {
                // The NFA releases buffered events and their nodes as its partial matches end;
                // left are its own state and the buffer's per-timestamp event counters. Clearing
                // only those saves RocksDB a seek per empty map.
                runs.clear();
                nfaStore.clear(FlinkInternals.SHARED_BUFFER_EVENT_COUNTERS);
                windowEnd = NO_TIMER;
            } else {
                windowEnd = run.windowEnd(family.windowTime);
                if (run.changed() || !stored) {
                    run.markStored();
                    runs.write(run);
                }
            }
            if (windowEnd != NO_TIMER && (timer == NO_TIMER || timer > windowEnd)) {
                // Only when nothing would fire in time; an earlier timer, now early, is set again
                // when it fires.
                timers.register(name, windowEnd);
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
                    out.emit(alert, time);
                }
                // The first alert reports them; later ones of the same step began after the cut.
                cuts = 0;
            }
        }
    }
}
