package io.tributary.ingest.kafka;

import io.tributary.ingest.CanonicalRecord;
import io.tributary.ingest.dedup.EnvelopeFingerprint;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.PlayerEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Turns an envelope into the record the sink writes: Avro binary with the writer schema {@link
 * Envelope#getClassSchema()}, routed to its domain's canonical topic, keyed by the entity the event
 * is about (session, media item, order, device) so that downstream jobs find one entity's events in
 * one partition, in order. Not thread-safe: one per task.
 */
public final class EnvelopeEncoder {
    private final CanonicalTopics topics;
    private final SpecificDatumWriter<Envelope> writer = new SpecificDatumWriter<>(Envelope.class);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private BinaryEncoder encoder;

    public EnvelopeEncoder(CanonicalTopics topics) {
        this.topics = topics;
    }

    public CanonicalRecord encode(Envelope envelope) {
        buffer.reset();
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            writer.write(envelope, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode envelope " + envelope.getEventId(), e);
        }
        byte[] envelopeAvro = buffer.toByteArray();
        return new CanonicalRecord(
                envelope.getEventId(),
                topics.forDomain(envelope.getDomain()),
                entityKey(envelope).getBytes(StandardCharsets.UTF_8),
                envelope.getEventTime().toEpochMilli(),
                envelopeAvro,
                EnvelopeFingerprint.of(envelopeAvro));
    }

    /** The id of the entity an event is about. */
    public static String entityKey(Envelope envelope) {
        Object payload = envelope.getPayload();
        if (payload instanceof PlayerEvent player) {
            return player.getSessionId();
        } else if (payload instanceof MediaEvent media) {
            return media.getMediaId();
        } else if (payload instanceof CommerceEvent commerce) {
            return commerce.getOrderId();
        } else if (payload instanceof IotTelemetry iot) {
            return iot.getDeviceId();
        }
        throw new IllegalArgumentException("unknown payload " + payload.getClass());
    }
}
