package io.tributary.aggregations.window;

import static io.tributary.aggregations.window.CombinerInput.partials;
import static io.tributary.aggregations.window.CombinerInput.reading;
import static io.tributary.aggregations.window.CombinerInput.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.aggregations.trending.TrendingTitlesStage;
import io.tributary.schemas.Envelope;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The combiner in front of a two-phase window: what it folds, when it lets go, and that nothing is
 * held across a watermark or a checkpoint barrier.
 */
class PaneCombinerTest {
    private static final long MINUTE = 60_000;
    private static final long ALLOWED_LATENESS = 2 * MINUTE;

    private OneInputStreamOperatorTestHarness<Envelope, Partial<String, Long>> harness;
    private PaneCombiner<String, Long> combiner;

    @BeforeEach
    void setUp() throws Exception {
        combiner =
                new PaneCombiner<>(
                        new CombinerInput.ByDevice(),
                        new TrendingTitlesStage.CountPlays(),
                        MINUTE,
                        MINUTE,
                        ALLOWED_LATENESS,
                        4);
        harness = new OneInputStreamOperatorTestHarness<>(combiner);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void foldsEachKeyAndPaneAndSendsThemBeforeTheWatermark() throws Exception {
        send(
                harness,
                reading("a", 1_000),
                reading("a", 2_000),
                reading("b", 3_000),
                reading("a", MINUTE + 1));
        assertThat(harness.getOutput()).isEmpty();

        harness.processWatermark(new Watermark(10_000));

        List<Object> output = new ArrayList<>(harness.getOutput());
        assertThat(output).hasSize(4);
        assertThat(output.get(3)).isEqualTo(new Watermark(10_000));
        List<String> partials = new ArrayList<>();
        for (Object element : output.subList(0, 3)) {
            @SuppressWarnings("unchecked")
            StreamRecord<Partial<String, Long>> record =
                    (StreamRecord<Partial<String, Long>>) element;
            assertThat(record.getValue().event).as("combined partials carry no event").isNull();
            partials.add(
                    record.getValue().key
                            + "@"
                            + record.getTimestamp()
                            + "="
                            + record.getValue().aggregate);
        }
        assertThat(partials).containsExactlyInAnyOrder("a@0=2", "b@0=1", "a@60000=1");
        assertThat(combiner.pendingPartials()).isZero();
    }

    @Test
    void sendsAnEventThatMayBeTooLateAloneWithTheEventAttached() throws Exception {
        harness.processWatermark(new Watermark(MINUTE - 1 + ALLOWED_LATENESS));
        Envelope late = reading("a", 5_000);
        Envelope onTime = reading("a", MINUTE + 5_000);
        send(harness, late, onTime);

        List<StreamRecord<Partial<String, Long>>> records = partials(harness);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getValue().event).isEqualTo(late);
        assertThat(records.get(0).getValue().aggregate).isEqualTo(1L);
        assertThat(records.get(0).getTimestamp()).isEqualTo(5_000);
        assertThat(combiner.pendingPartials())
                .as("the on-time event waits for the watermark")
                .isEqualTo(1);
    }

    @Test
    void slidingWindowsAreLateOnlyWhenTheirLastWindowIs() throws Exception {
        harness.close();
        combiner =
                new PaneCombiner<>(
                        new CombinerInput.ByDevice(),
                        new TrendingTitlesStage.CountPlays(),
                        MINUTE,
                        10 * MINUTE,
                        0,
                        100);
        harness = new OneInputStreamOperatorTestHarness<>(combiner);
        harness.open();
        harness.processWatermark(new Watermark(10 * MINUTE - 1));

        send(harness, reading("a", 30_000), reading("a", MINUTE + 30_000));

        assertThat(partials(harness))
                .extracting(r -> r.getValue().event)
                .hasSize(1)
                .doesNotContainNull();
        assertThat(combiner.pendingPartials()).isEqualTo(1);
    }

    @Test
    void nothingIsPendingAtACheckpointBarrierOrAtTheEndOfInput() throws Exception {
        send(harness, reading("a", 1_000), reading("b", 1_000));
        harness.prepareSnapshotPreBarrier(1);
        assertThat(partials(harness)).hasSize(2);
        assertThat(combiner.pendingPartials()).isZero();

        send(harness, reading("c", 1_000));
        harness.endInput();
        assertThat(partials(harness)).hasSize(3);
        assertThat(combiner.pendingPartials()).isZero();
    }

    @Test
    void sendsEverythingBeforeGoingIdle() throws Exception {
        send(harness, reading("a", 1_000), reading("a", 2_000));
        harness.processWatermarkStatus(WatermarkStatus.IDLE);

        List<Object> output = new ArrayList<>(harness.getOutput());
        assertThat(output).hasSize(2);
        assertThat(output.get(1))
                .as("the partial went out before the idle status")
                .isEqualTo(WatermarkStatus.IDLE);
        assertThat(partials(harness).get(0).getValue().aggregate).isEqualTo(2L);
        assertThat(combiner.pendingPartials()).isZero();
    }

    @Test
    void sendsEarlyWhenTooManyPartialsWait() throws Exception {
        send(harness, reading("a", 1_000), reading("b", 1_000), reading("c", 1_000));
        assertThat(partials(harness)).isEmpty();
        send(harness, reading("d", 1_000));
        assertThat(partials(harness)).hasSize(4);
        assertThat(combiner.pendingPartials()).isZero();
    }
}
