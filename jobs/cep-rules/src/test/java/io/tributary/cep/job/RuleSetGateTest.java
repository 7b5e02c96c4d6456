package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.ruleset.RuleSetStatus;
import io.tributary.testkit.Repository;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The rule-set gate decides each revision once: accepted from an event time, or refused. */
class RuleSetGateTest {
    private static final long T = Instant.parse("2026-12-07T20:00:00Z").toEpochMilli();

    private static RuleSet shipped(long revision, long effectiveAt) {
        return new RuleSet(
                revision,
                Instant.ofEpochMilli(effectiveAt),
                Instant.EPOCH,
                "test",
                RuleSet.readFiles(Repository.rules()));
    }

    private static TwoInputStreamOperatorTestHarness<byte[], byte[], byte[]> gate(long starting)
            throws Exception {
        return new TwoInputStreamOperatorTestHarness<>(new RuleSetGate(starting, "test-job"));
    }

    /**
     * What the gate decided about every revision it read: it compiles them on a thread of its own
     * and decides when they are compiled, at the latest when the watermark reaches them.
     */
    private static List<RuleSet> decided(
            TwoInputStreamOperatorTestHarness<byte[], byte[], byte[]> harness) {
        ((RuleSetGate) harness.getOperator()).decideAll();
        return passedOn(harness);
    }

    private static List<RuleSet> passedOn(
            TwoInputStreamOperatorTestHarness<byte[], byte[], byte[]> harness) {
        List<RuleSet> sets = new ArrayList<>();
        for (Object item : harness.getOutput()) {
            if (item instanceof StreamRecord<?> record) {
                sets.add(RuleSet.fromJson((byte[]) record.getValue()));
            }
        }
        return sets;
    }

    private static List<Long> watermarks(
            TwoInputStreamOperatorTestHarness<byte[], byte[], byte[]> harness) {
        List<Long> marks = new ArrayList<>();
        for (Object item : harness.getOutput()) {
            if (item instanceof Watermark mark) {
                marks.add(mark.getTimestamp());
            }
        }
        return marks;
    }

    private static List<RuleSetStatus> statuses(
            TwoInputStreamOperatorTestHarness<byte[], byte[], byte[]> harness) {
        List<RuleSetStatus> statuses = new ArrayList<>();
        var side = harness.getSideOutput(RuleSetGate.STATUS);
        if (side != null) {
            side.forEach(record -> statuses.add(RuleSetStatus.fromJson(record.getValue())));
        }
        return statuses;
    }

    @Test
    void aRevisionAheadOfTheWatermarkGoesOnBeforeTheWatermarkPassesItsTime() throws Exception {
        try (var harness = gate(0)) {
            harness.open();
            harness.processWatermark2(new Watermark(T - 5_000));
            harness.processElement1(new StreamRecord<>(shipped(1, T).toJson()));
            harness.processWatermark2(new Watermark(T + 1_000));

            assertThat(passedOn(harness)).extracting(RuleSet::revision).containsExactly(1L);
            assertThat(passedOn(harness).get(0).effectiveAt().toEpochMilli()).isEqualTo(T);
            List<Object> output = new ArrayList<>(harness.getOutput());
            assertThat(output.get(1))
                    .as("the revision before the watermark past it")
                    .isInstanceOf(StreamRecord.class);
            assertThat(watermarks(harness)).containsExactly(T - 5_000, T + 1_000);
            assertThat(statuses(harness))
                    .singleElement()
                    .satisfies(
                            status -> {
                                assertThat(status.accepted()).isTrue();
                                assertThat(status.effectiveAt().toEpochMilli()).isEqualTo(T);
                                assertThat(status.problems()).isEmpty();
                                assertThat(status.job()).isEqualTo("test-job");
                            });
        }
    }

    @Test
    void aRevisionReadAfterTheWatermarkPassedItsTimeTakesEffectJustAfterTheWatermark()
            throws Exception {
        try (var harness = gate(0)) {
            harness.open();
            harness.processWatermark2(new Watermark(T + 7_000));
            harness.processElement1(new StreamRecord<>(shipped(1, T).toJson()));

            assertThat(decided(harness).get(0).effectiveAt().toEpochMilli()).isEqualTo(T + 7_001);
            assertThat(statuses(harness).get(0).problems())
                    .singleElement()
                    .asString()
                    .contains("instead of");
        }
    }

    @Test
    void anInvalidRevisionIsRefusedWithItsProblemsAndNothingGoesOn() throws Exception {
        try (var harness = gate(0)) {
            harness.open();
            RuleSet broken =
                    new RuleSet(
                            1,
                            Instant.ofEpochMilli(T),
                            null,
                            null,
                            new TreeMap<>(Map.of("player/bad.yaml", "id: x\nversion: one\n")));
            harness.processElement1(new StreamRecord<>(broken.toJson()));

            assertThat(decided(harness)).isEmpty();
            RuleSetStatus status = statuses(harness).get(0);
            assertThat(status.accepted()).isFalse();
            assertThat(status.revision()).isEqualTo(1);
            assertThat(status.problems())
                    .isNotEmpty()
                    .allMatch(p -> p.startsWith("player/bad.yaml:"));

            // The job keeps its rules, and a fixed revision after the broken one is taken.
            harness.processElement1(new StreamRecord<>(shipped(2, T).toJson()));
            assertThat(decided(harness)).extracting(RuleSet::revision).containsExactly(2L);
        }
    }

    @Test
    void revisionsTakenBeforeOrWithTheSubmittedRulesArePassedOver() throws Exception {
        try (var harness = gate(5)) {
            harness.open();
            harness.processElement1(new StreamRecord<>(shipped(4, T).toJson()));
            harness.processElement1(new StreamRecord<>(shipped(5, T).toJson()));
            assertThat(decided(harness)).isEmpty();
            assertThat(statuses(harness)).isEmpty();
        }
    }

    @Test
    void afterARestoreTheRevisionsReadAgainArePassedOver() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = gate(0)) {
            harness.open();
            harness.processElement1(new StreamRecord<>(shipped(1, T).toJson()));
            // As the task does: pre-barrier work, then the barrier, then the snapshot.
            harness.prepareSnapshotPreBarrier(1);
            checkpoint = harness.snapshot(1, 0);
        }
        try (var harness = gate(0)) {
            harness.initializeState(checkpoint);
            harness.open();
            harness.processElement1(new StreamRecord<>(shipped(1, T).toJson()));
            harness.processElement1(new StreamRecord<>(shipped(2, T).toJson()));
            assertThat(decided(harness)).extracting(RuleSet::revision).containsExactly(2L);
        }
    }

    @Test
    void aRevisionCompilesWhileTheWatermarkGoesOnAndIsDecidedWithoutOne() throws Exception {
        try (var harness = gate(0)) {
            harness.open();
            harness.processWatermark2(new Watermark(T - 5_000));
            harness.processElement1(new StreamRecord<>(shipped(1, T).toJson()));
            // Before its effective time the watermark does not wait for the revision.
            harness.processWatermark2(new Watermark(T - 4_000));
            assertThat(watermarks(harness)).containsExactly(T - 5_000, T - 4_000);

            // No further watermark: the gate looks for the decision on processing-time timers.
            long now = 0;
            for (int i = 0; i < 600 && passedOn(harness).isEmpty(); i++) {
                Thread.sleep(10);
                now += 60;
                harness.setProcessingTime(now);
            }
            assertThat(passedOn(harness)).extracting(RuleSet::revision).containsExactly(1L);
            assertThat(statuses(harness)).singleElement().matches(RuleSetStatus::accepted);
        }
    }

    @Test
    void aCheckpointBarrierWaitsForTheDecisionSoNoCheckpointHoldsARevisionUndecided()
            throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = gate(0)) {
            harness.open();
            harness.processElement1(new StreamRecord<>(shipped(1, T).toJson()));
            // As the task does: pre-barrier work, then the barrier, then the snapshot.
            harness.prepareSnapshotPreBarrier(1);
            checkpoint = harness.snapshot(1, 0);
            assertThat(passedOn(harness))
                    .as("sent before the barrier")
                    .extracting(RuleSet::revision)
                    .containsExactly(1L);
        }
        try (var harness = gate(0)) {
            harness.initializeState(checkpoint);
            harness.open();
            harness.processElement1(new StreamRecord<>(shipped(1, T).toJson()));
            assertThat(decided(harness)).as("taken before the checkpoint").isEmpty();
        }
    }

    /** Whatever lands on the topic, the gate refuses it and carries on. */
    @Test
    void hostileRecordsAreRefusedAndNeverStopTheGate() throws Exception {
        Random random = new Random(3);
        byte[] valid = shipped(1, T).toJson();
        List<byte[]> hostile = new ArrayList<>();
        hostile.add(new byte[0]);
        hostile.add("{}".getBytes(StandardCharsets.UTF_8));
        hostile.add(
                "{\"revision\": 9, \"effectiveAt\": \"2026-12-07T20:00:00Z\", \"files\": {\"a.yaml\": \"id: a\"}}"
                        .getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 300; i++) {
            byte[] value = valid.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                value[random.nextInt(value.length)] = (byte) random.nextInt(256);
            }
            hostile.add(value);
        }
        try (var harness = gate(0)) {
            harness.open();
            for (byte[] value : hostile) {
                harness.processElement1(new StreamRecord<>(value));
            }
            // Whatever was accepted compiles; a valid revision after them all is still taken.
            for (RuleSet set : decided(harness)) {
                assertThat(set.load("").ok()).isTrue();
            }
            harness.processElement1(new StreamRecord<>(shipped(Long.MAX_VALUE, T).toJson()));
            assertThat(decided(harness)).extracting(RuleSet::revision).contains(Long.MAX_VALUE);
            assertThat(statuses(harness).stream().filter(s -> !s.accepted()))
                    .as("refusals, each with a reason")
                    .isNotEmpty()
                    .allMatch(s -> !s.problems().isEmpty());
        }
    }
}
