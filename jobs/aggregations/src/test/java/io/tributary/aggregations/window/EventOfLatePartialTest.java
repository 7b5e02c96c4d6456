package io.tributary.aggregations.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Envelope;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * What leaves a two-phase window as too late: the events of lone partials; combined ones are
 * counted.
 */
class EventOfLatePartialTest {
    @Test
    void writesLoneEventsAndCountsCombinedPartials() throws Exception {
        Envelope event = CombinerInput.reading("a", 1_000);
        var tooLate = new TwoPhaseWindow.EventOfLatePartial<String, Long>();
        try (var harness =
                new OneInputStreamOperatorTestHarness<Partial<String, Long>, Envelope>(
                        new StreamFlatMap<>(tooLate))) {
            harness.open();
            harness.processElement(new StreamRecord<>(Partial.alone("a", 1L, event), 1_000));
            harness.processElement(new StreamRecord<>(Partial.combined("a", 3L), 0));

            assertThat(harness.extractOutputValues()).containsExactly(event);
            assertThat(tooLate.combinedPartialsTooLate()).isEqualTo(1);
        }
    }
}
