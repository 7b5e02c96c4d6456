package io.tributary.cep.job;

import io.tributary.cep.job.RevisionCompiler.Compiling;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleProblem;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.ruleset.RuleSetStatus;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Where published rule sets enter the job, at parallelism 1: it decides once, for every subtask,
 * from which event time a revision judges events, and refuses a revision that does not compile.
 *
 * <p>Its second input carries no records, only the events' watermark, which it passes on. The rule
 * operators take the smaller of their events' watermark and this one, so none of them judges an
 * event time before the gate has decided about every revision it read by then: a revision goes out
 * before any watermark at or past its effective time. A revision read when the watermark has passed
 * its effective time already takes effect just after the watermark instead, the same on every
 * subtask, and its status says so.
 *
 * <p>Each decision is reported as a {@link RuleSetStatus} on the {@link #STATUS} side output.
 *
 * <p>The effective time is decided when a revision arrives; whether it compiles is found out on a
 * thread of its own ({@link RevisionCompiler}), so the watermark goes on meanwhile and alerts are
 * not held up. Only a watermark at or past a pending revision's effective time waits for its
 * decision, and so does a checkpoint barrier: a checkpoint never holds a revision read but not
 * decided.
 */
public final class RuleSetGate extends AbstractStreamOperator<byte[]>
        implements TwoInputStreamOperator<byte[], byte[], byte[]> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<byte[]> STATUS =
            new OutputTag<>(
                    "rule-set-status", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    private final long startingRevision;
    private final String job;

    private transient ListState<Long> acceptedState;
    private transient long accepted;
    private transient long watermark;
    private transient Counter refused;
    private transient RevisionCompiler compiler;

    /** Revisions read and not yet decided, in the order read. */
    private transient ArrayDeque<Pending> pending;

    private transient boolean pollScheduled;

    /** How often the gate looks for decisions made while no watermark came. */
    private static final long POLL_MS = 50;

    /**
     * A revision read, with the effective time decided on arrival, while it compiles.
     *
     * @param problems empty when the rules compile
     */
    private record Pending(RuleSet ruleSet, List<String> notes, Compiling<List<String>> problems) {}

    /**
     * @param startingRevision the revision the job was submitted with; the topic's older ones are
     *     passed over
     */
    public RuleSetGate(long startingRevision, String job) {
        this.startingRevision = startingRevision;
        this.job = job;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        acceptedState =
                context.getOperatorStateStore()
                        .getUnionListState(
                                new ListStateDescriptor<>(
                                        "accepted-rule-set-revision", LongSerializer.INSTANCE));
        accepted = startingRevision;
        for (Long revision : acceptedState.get()) {
            accepted = Math.max(accepted, revision);
        }
        watermark = Long.MIN_VALUE;
    }

    @Override
    public void open() throws Exception {
        super.open();
        refused = getMetricGroup().counter("ruleSetRevisionsRefused");
        compiler = new RevisionCompiler("the rule-set gate");
        pending = new ArrayDeque<>();
    }

    @Override
    public void close() throws Exception {
        super.close();
        if (compiler != null) {
            compiler.close();
        }
    }

    /** Every revision read goes out, or is refused, before the barrier. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        decide(Long.MAX_VALUE);
    }

    /** Decides every pending revision, waiting for their compilation (tests, and barriers). */
    void decideAll() {
        decide(Long.MAX_VALUE);
    }

    @Override
    public void snapshotState(org.apache.flink.runtime.state.StateSnapshotContext context)
            throws Exception {
        super.snapshotState(context);
        acceptedState.update(List.of(accepted));
    }

    @Override
    public void processElement1(StreamRecord<byte[]> record) {
        RuleSet ruleSet;
        try {
            ruleSet = RuleSet.fromJson(record.getValue());
        } catch (IllegalArgumentException e) {
            refuse(-1, List.of("not a rule set: " + e.getMessage()));
            return;
        }
        long newest = pending.isEmpty() ? accepted : pending.getLast().ruleSet().revision();
        if (ruleSet.revision() <= newest) {
            // Read again after a restore, or superseded by the set the job was submitted with.
            return;
        }
        long effectiveAt = ruleSet.effectiveAt().toEpochMilli();
        List<String> notes = List.of();
        if (effectiveAt <= watermark) {
            notes =
                    List.of(
                            "effective "
                                    + Instant.ofEpochMilli(watermark + 1)
                                    + " instead of "
                                    + ruleSet.effectiveAt()
                                    + ": the job had judged events up to then when it read the"
                                    + " revision");
            effectiveAt = watermark + 1;
        }
        RuleSet decided = ruleSet.as(ruleSet.revision(), Instant.ofEpochMilli(effectiveAt));
        pending.add(new Pending(decided, notes, compiler.compile(() -> problemsOf(decided))));
        schedulePoll();
    }

    /** What keeps the rule set from running; empty when it compiles. */
    private static List<String> problemsOf(RuleSet ruleSet) {
        RuleLoader.Loaded loaded = ruleSet.load("");
        if (!loaded.ok()) {
            return loaded.problems().stream().map(RuleProblem::toString).toList();
        }
        try {
            RuleRevision.of(
                    ruleSet.revision(), ruleSet.effectiveAt().toEpochMilli(), loaded.rules());
        } catch (RuntimeException e) {
            return List.of("the rules do not compile: " + e.getMessage());
        }
        return List.of();
    }

    /**
     * Decides the pending revisions in the order read: those compiled, and all of them (waiting)
     * while one takes effect at or before {@code upTo}, the watermark about to go out.
     */
    private void decide(long upTo) {
        while (!pending.isEmpty()) {
            boolean due = pending.stream().anyMatch(p -> effectiveAt(p) <= upTo);
            Pending next = pending.peekFirst();
            if (!due && !next.problems().isDone()) {
                return;
            }
            pending.removeFirst();
            List<String> problems;
            try {
                problems = next.problems().get();
            } catch (RuntimeException e) {
                problems = List.of("the rules cannot be read: " + e);
            }
            if (problems.isEmpty()) {
                accept(next);
            } else {
                refuse(next.ruleSet().revision(), problems);
            }
        }
    }

    private static long effectiveAt(Pending pending) {
        return pending.ruleSet().effectiveAt().toEpochMilli();
    }

    private void accept(Pending decided) {
        RuleSet taken = decided.ruleSet();
        accepted = taken.revision();
        output.collect(new StreamRecord<>(taken.toJson()));
        report(
                new RuleSetStatus(
                        taken.revision(),
                        true,
                        taken.effectiveAt(),
                        decided.notes(),
                        job,
                        Instant.now()));
        LOG.info(
                "Rule set revision {} accepted, effective at {}",
                taken.revision(),
                taken.effectiveAt());
    }

    /** While revisions compile, looks for decisions now and then, also when no watermark comes. */
    private void schedulePoll() {
        if (pollScheduled) {
            return;
        }
        pollScheduled = true;
        ProcessingTimeService time = getProcessingTimeService();
        time.registerTimer(
                time.getCurrentProcessingTime() + POLL_MS,
                now -> {
                    pollScheduled = false;
                    decide(watermark);
                    if (!pending.isEmpty()) {
                        schedulePoll();
                    }
                });
    }

    private void refuse(long revision, List<String> problems) {
        refused.inc();
        LOG.warn("Rule set revision {} refused; the rules in force stay: {}", revision, problems);
        report(new RuleSetStatus(revision, false, null, problems, job, Instant.now()));
    }

    private void report(RuleSetStatus status) {
        output.collect(STATUS, new StreamRecord<>(status.toJson()));
    }

    /** The events' input carries watermarks only. */
    @Override
    public void processElement2(StreamRecord<byte[]> element) {}

    /** The rule-set topic's own watermark means nothing for event time. */
    @Override
    public void processWatermark1(Watermark mark) {}

    @Override
    public void processWatermark2(Watermark mark) {
        decide(mark.getTimestamp());
        watermark = Math.max(watermark, mark.getTimestamp());
        output.emitWatermark(mark);
    }

    /**
     * The base class calls this with the inputs' combined watermark when an input turns idle or
     * active; the rule-set input has none, so only {@link #processWatermark2} speaks for time.
     */
    @Override
    public void processWatermark(Watermark mark) {}
}
