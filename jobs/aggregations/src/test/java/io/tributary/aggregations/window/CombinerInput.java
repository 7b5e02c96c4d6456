package io.tributary.aggregations.window;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.iot.IotTelemetry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/** IoT readings keyed by device, fed to a combiner under test and read back as partials. */
final class CombinerInput {
    private static final AtomicInteger IDS = new AtomicInteger();

    private CombinerInput() {}

    static Envelope reading(String device, long atMillis) {
        return Envelope.newBuilder()
                .setEventId("r-" + IDS.incrementAndGet())
                .setEventType(EventType.TELEMETRY)
                .setDomain(Domain.IOT)
                .setEventTime(Instant.ofEpochMilli(atMillis))
                .setIngestTime(Instant.ofEpochMilli(atMillis))
                .setProducer("gateway-1")
                .setOrigin(new Origin(Topics.RAW_IOT, 0, 0L))
                .setPayload(
                        IotTelemetry.newBuilder()
                                .setDeviceId(device)
                                .setMetric("temperature")
                                .setValue(1.0)
                                .setUnit("C")
                                .build())
                .build();
    }

    static void send(OneInputStreamOperatorTestHarness<Envelope, ?> harness, Envelope... events)
            throws Exception {
        for (Envelope event : events) {
            harness.processElement(new StreamRecord<>(event, event.getEventTime().toEpochMilli()));
        }
    }

    /** The partials emitted so far, without watermarks and statuses. */
    static <A> List<StreamRecord<Partial<String, A>>> partials(
            OneInputStreamOperatorTestHarness<Envelope, Partial<String, A>> harness) {
        List<StreamRecord<Partial<String, A>>> records = new ArrayList<>();
        for (Object element : harness.getOutput()) {
            if (element instanceof StreamRecord<?> record) {
                @SuppressWarnings("unchecked")
                StreamRecord<Partial<String, A>> typed = (StreamRecord<Partial<String, A>>) record;
                records.add(typed);
            }
        }
        return records;
    }

    static final class ByDevice implements KeySelector<Envelope, String> {
        @Override
        public String getKey(Envelope event) {
            return ((IotTelemetry) event.getPayload()).getDeviceId();
        }
    }
}
