package io.tributary.cep.job;

import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleProblem;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.ruleset.RuleSetStatus;
import java.time.Instant;
import java.util.List;
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
        if (ruleSet.revision() <= accepted) {
            // Read again after a restore, or superseded by the set the job was submitted with.
            return;
        }
        RuleLoader.Loaded loaded = ruleSet.load("");
        if (!loaded.ok()) {
            refuse(
                    ruleSet.revision(),
                    loaded.problems().stream().map(RuleProblem::toString).toList());
            return;
        }
        try {
            RuleRevision.of(ruleSet);
        } catch (RuntimeException e) {
            refuse(ruleSet.revision(), List.of("the rules do not compile: " + e.getMessage()));
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
        accepted = ruleSet.revision();
        RuleSet taken = ruleSet.as(ruleSet.revision(), Instant.ofEpochMilli(effectiveAt));
        output.collect(new StreamRecord<>(taken.toJson()));
        report(
                new RuleSetStatus(
                        taken.revision(), true, taken.effectiveAt(), notes, job, Instant.now()));
        LOG.info(
                "Rule set revision {} accepted, effective at {}",
                taken.revision(),
                taken.effectiveAt());
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
