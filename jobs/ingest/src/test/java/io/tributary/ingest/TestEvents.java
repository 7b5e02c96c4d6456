package io.tributary.ingest;

import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.kafka.EnvelopeEncoder;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.iot.IotTelemetry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** Named times and event factories for the ingest tests. */
public final class TestEvents {
    public static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    public static final Duration DEDUP_TTL = Duration.ofMinutes(10);

    private TestEvents() {}

    /** A telemetry event as the dedup operator receives it: encoded and routed. */
    public static CanonicalRecord telemetryRecord(String eventId) {
        return telemetryRecord(eventId, 41.0, 0L);
    }

    /**
     * A telemetry event read at {@code offset} of raw.iot, with the raw record it came from; copies
     * read at other offsets differ only in their origin.
     */
    public static CanonicalRecord telemetryRecord(String eventId, double value, long offset) {
        Envelope envelope = telemetry(eventId);
        ((IotTelemetry) envelope.getPayload()).setValue(value);
        envelope.setOrigin(new Origin(Topics.RAW_IOT, 0, offset));
        envelope.setIngestTime(T0.plusMillis(offset));
        CanonicalRecord record = new EnvelopeEncoder(CanonicalTopics.DEFAULTS).encode(envelope);
        record.raw =
                new RawRecord(
                        Topics.RAW_IOT,
                        0,
                        offset,
                        T0.toEpochMilli() + offset,
                        "edge-1".getBytes(StandardCharsets.UTF_8),
                        ("{\"eventId\":\"" + eventId + "\",\"value\":" + value + "}")
                                .getBytes(StandardCharsets.UTF_8));
        return record;
    }

    public static Envelope telemetry(String eventId) {
        return Envelope.newBuilder()
                .setEventId(eventId)
                .setEventType(EventType.TELEMETRY)
                .setDomain(Domain.IOT)
                .setEventTime(T0)
                .setIngestTime(T0)
                .setProducer("iot-gw-1")
                .setOrigin(new Origin(Topics.RAW_IOT, 0, 0L))
                .setPayload(new IotTelemetry("edge-1", "temperature", 41.0, "celsius", null))
                .build();
    }
}
