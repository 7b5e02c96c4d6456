package io.tributary.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.CanonicalRecord;
import io.tributary.ingest.TestEvents;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

class EnvelopeEncoderTest {

    @Test
    void encodesOnceRoutesByDomainAndKeysByEntity() throws Exception {
        EnvelopeEncoder encoder = new EnvelopeEncoder(CanonicalTopics.DEFAULTS);
        Envelope envelope = TestEvents.telemetry("e-1");

        CanonicalRecord record = encoder.encode(envelope);
        CanonicalRecord next = encoder.encode(TestEvents.telemetry("e-2"));

        assertThat(record.topic).isEqualTo(Topics.EVENTS_IOT);
        assertThat(new String(record.key, StandardCharsets.UTF_8)).isEqualTo("edge-1");
        assertThat(record.eventTime).isEqualTo(TestEvents.T0.toEpochMilli());
        Envelope decoded =
                new SpecificDatumReader<>(Envelope.class)
                        .read(null, DecoderFactory.get().binaryDecoder(record.envelopeAvro, null));
        assertThat(decoded).isEqualTo(envelope);
        assertThat(next.envelopeAvro)
                .as("buffers are not shared between records")
                .isNotSameAs(record.envelopeAvro);
        assertThat(
                        new SpecificDatumReader<>(Envelope.class)
                                .read(
                                        null,
                                        DecoderFactory.get()
                                                .binaryDecoder(record.envelopeAvro, null))
                                .getEventId())
                .isEqualTo("e-1");
    }
}
