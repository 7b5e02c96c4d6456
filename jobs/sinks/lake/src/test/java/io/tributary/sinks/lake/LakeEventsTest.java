package io.tributary.sinks.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.iot.IotTelemetry;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class LakeEventsTest {

    @Test
    void thePayloadUnionBecomesOneNullableColumnPerDomain() {
        assertThat(LakeEvents.SCHEMA.getFields().stream().map(Schema.Field::name))
                .containsExactly(
                        "eventId",
                        "eventType",
                        "domain",
                        "eventTime",
                        "ingestTime",
                        "producer",
                        "origin",
                        "player",
                        "media",
                        "commerce",
                        "iot");
        assertThat(LakeEvents.SCHEMA.getField("iot").schema().getTypes().get(0).getType())
                .isEqualTo(Schema.Type.NULL);
    }

    @Test
    void anEventLandsInItsDomainsColumnWithItsTimesAsMillis() {
        Instant time = Instant.parse("2026-03-01T10:15:00Z");
        IotTelemetry reading =
                IotTelemetry.newBuilder()
                        .setDeviceId("d-1")
                        .setMetric("temperature")
                        .setValue(21.5)
                        .setUnit("celsius")
                        .setSite(null)
                        .build();
        Envelope envelope =
                Envelope.newBuilder()
                        .setEventId("e-1")
                        .setEventType(EventType.TELEMETRY)
                        .setDomain(Domain.IOT)
                        .setEventTime(time)
                        .setIngestTime(time.plusSeconds(1))
                        .setProducer("p")
                        .setOrigin(new Origin(Topics.RAW_IOT, 1, 42L))
                        .setPayload(reading)
                        .build();

        GenericRecord lake = LakeEvents.of(envelope);

        assertThat(lake.get("iot")).isEqualTo(reading);
        assertThat(lake.get("player")).isNull();
        assertThat(lake.get("eventTime")).isEqualTo(time.toEpochMilli());
        assertThat(LakeEvents.eventTime(lake)).isEqualTo(time);
        assertThat(HourPartitions.partitionOf(time))
                .isEqualTo("event_date=2026-03-01/event_hour=10");
    }
}
