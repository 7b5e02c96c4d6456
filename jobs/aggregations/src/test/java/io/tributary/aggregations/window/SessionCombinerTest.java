package io.tributary.aggregations.window;

import static io.tributary.aggregations.window.CombinerInput.partials;
import static io.tributary.aggregations.window.CombinerInput.reading;
import static io.tributary.aggregations.window.CombinerInput.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Envelope;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partial sessions: events whose session windows overlap are folded together before the shuffle,
 * and the window of a partial is the union of its events' windows.
 */
class SessionCombinerTest {
    private static final long GAP = 10_000;

    private OneInputStreamOperatorTestHarness<Envelope, Partial<String, long[]>> harness;
    private SessionCombiner<String, long[]> combiner;

    @BeforeEach
    void setUp() throws Exception {
        combiner =
                new SessionCombiner<>(
                        new CombinerInput.ByDevice(),
                        new SpanAndCount(),
                        new ArraySpan(),
                        GAP,
                        0,
                        100);
        harness = new OneInputStreamOperatorTestHarness<>(combiner);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void foldsEventsWithinTheGapAndKeepsSessionsApartOtherwise() throws Exception {
        send(
                harness,
                reading("a", 1_000),
                reading("a", 5_000),
                reading("a", 40_000),
                reading("b", 2_000));
        assertThat(combiner.pendingPartials()).isEqualTo(3);

        harness.processWatermark(new Watermark(0));

        assertThat(combinedSessions())
                .containsExactlyInAnyOrder(
                        "a@1000=[1000..5000]x2",
                        "a@40000=[40000..40000]x1",
                        "b@2000=[2000..2000]x1");
        assertThat(harness.getOutput()).last().isEqualTo(new Watermark(0));
        assertThat(combiner.pendingPartials()).isZero();
    }

    @Test
    void anEventBridgingTwoPendingSessionsMergesThem() throws Exception {
        send(harness, reading("a", 1_000), reading("a", 20_000));
        assertThat(combiner.pendingPartials()).isEqualTo(2);

        send(harness, reading("a", 10_500));

        assertThat(combiner.pendingPartials()).isEqualTo(1);
        harness.endInput();
        assertThat(combinedSessions()).containsExactly("a@1000=[1000..20000]x3");
    }

    @Test
    void thePartialsWindowIsTheUnionOfItsEventsWindows() {
        long[] session = {1_000, 5_000, 2};
        assertThat(SessionCombiner.gapOf(new ArraySpan(), session, GAP)).isEqualTo(4_000 + GAP);
    }

    @Test
    void anEventWhoseOwnSessionIsTooLateGoesAloneWithTheEvent() throws Exception {
        harness.processWatermark(new Watermark(20_000));
        Envelope late = reading("a", 10_001);
        Envelope onTime = reading("a", 10_002);
        send(harness, late, onTime);

        assertThat(partials(harness)).hasSize(1);
        assertThat(partials(harness).get(0).getValue().event).isEqualTo(late);
        assertThat(combiner.pendingPartials()).isEqualTo(1);
        harness.prepareSnapshotPreBarrier(1);
        assertThat(combiner.pendingPartials()).isZero();
    }

    private List<String> combinedSessions() {
        return partials(harness).stream()
                .filter(r -> r.getValue().event == null)
                .map(
                        r ->
                                r.getValue().key
                                        + "@"
                                        + r.getTimestamp()
                                        + "=["
                                        + r.getValue().aggregate[0]
                                        + ".."
                                        + r.getValue().aggregate[1]
                                        + "]x"
                                        + r.getValue().aggregate[2])
                .collect(Collectors.toList());
    }

    /** {first, last, count}. */
    private static final class SpanAndCount implements AggregateFunction<Envelope, long[], long[]> {
        @Override
        public long[] createAccumulator() {
            return new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0};
        }

        @Override
        public long[] add(Envelope event, long[] acc) {
            long at = event.getEventTime().toEpochMilli();
            return new long[] {Math.min(acc[0], at), Math.max(acc[1], at), acc[2] + 1};
        }

        @Override
        public long[] getResult(long[] acc) {
            return acc;
        }

        @Override
        public long[] merge(long[] a, long[] b) {
            return new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1]), a[2] + b[2]};
        }
    }

    private static final class ArraySpan implements SessionCombiner.Span<long[]> {
        @Override
        public long first(long[] acc) {
            return acc[0];
        }

        @Override
        public long last(long[] acc) {
            return acc[1];
        }
    }
}
