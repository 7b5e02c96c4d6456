package io.tributary.aggregations.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.iot.IotTelemetry;
import java.time.Instant;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** What leaves a two-phase window as too late: the events of lone partials; combined ones are counted. */
class EventOfLatePartialTest {
    @Test
    void writesLoneEventsAndCountsCombinedPartials() throws Exception {
        Envelope event = Envelope.newBuilder()
                .setEventId("r-1").setEventType(EventType.TELEMETRY).setDomain(Domain.IOT)
                .setEventTime(Instant.ofEpochMilli(1_000)).setIngestTime(Instant.ofEpochMilli(1_000))
                .setProducer("gateway-1").setOrigin(new Origin("raw.iot", 0, 0L))
                .setPayload(IotTelemetry.newBuilder().setDeviceId("a").setMetric("temperature").setValue(1.0).setUnit("C").build())
                .build();
        var tooLate = new TwoPhaseWindow.EventOfLatePartial<String, Long>();
        try (var harness = new OneInputStreamOperatorTestHarness<Partial<String, Long>, Envelope>(new StreamFlatMap<>(tooLate))) {
            harness.open();
            harness.processElement(new StreamRecord<>(Partial.alone("a", 1L, event), 1_000));
            harness.processElement(new StreamRecord<>(Partial.combined("a", 3L), 0));

            assertThat(harness.extractOutputValues()).containsExactly(event);
            assertThat(tooLate.combinedPartialsTooLate()).isEqualTo(1);
        }
    }
}
