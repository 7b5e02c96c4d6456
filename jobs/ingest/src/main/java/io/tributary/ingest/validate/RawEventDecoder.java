package io.tributary.ingest.validate;

import static io.tributary.schemas.DeadLetterReason.EMPTY_VALUE;
import static io.tributary.schemas.DeadLetterReason.INVALID_UTF8;
import static io.tributary.schemas.DeadLetterReason.MALFORMED_AVRO;
import static io.tributary.schemas.DeadLetterReason.MALFORMED_JSON;
import static io.tributary.schemas.DeadLetterReason.MISSING_FIELD;
import static io.tributary.schemas.DeadLetterReason.MISSING_KEY;
import static io.tributary.schemas.DeadLetterReason.OVERSIZED;
import static io.tributary.schemas.DeadLetterReason.UNKNOWN_EVENT_TYPE;
import static io.tributary.schemas.DeadLetterReason.UNKNOWN_SCHEMA_ID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventTypes;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.EventType;
import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.schemas.registry.UnknownSchemaIdException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Decides what one raw Kafka record is: a canonical {@link Envelope}, or a {@link Rejection} that
 * says why not. Raw records come as JSON (gateways, devices) or as Avro in the Confluent wire
 * format (services that already speak the canonical schema).
 *
 * <p>Checks run cheapest first: presence, size, encoding, syntax, then content.
 */
public final class RawEventDecoder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Domain, Class<?>> PAYLOAD_TYPES =
            Map.of(
                    Domain.PLAYER, PlayerEvent.class,
                    Domain.MEDIA, MediaEvent.class,
                    Domain.COMMERCE, CommerceEvent.class,
                    Domain.IOT, IotTelemetry.class,
                    Domain.UNKNOWN, Void.class);

    private final IngestLimits limits;
    private final JsonEventNormalizer normalizer;
    private final IntFunction<Schema> schemaById;
    private final Map<Integer, SpecificDatumReader<Envelope>> readersBySchemaId = new HashMap<>();
    private BinaryDecoder reusableDecoder;

    /**
     * @param schemaById the registry lookup for Avro records; throws {@link UnknownSchemaIdException}
     *     for an id the registry does not have, and any other exception when the registry is down
     *     (which must fail the task, not the record)
     */
    public RawEventDecoder(IngestLimits limits, IntFunction<Schema> schemaById) {
        this.limits = limits;
        this.normalizer = new JsonEventNormalizer(limits);
        this.schemaById = schemaById;
    }

    public Envelope decode(byte[] key, byte[] value, RecordOrigin origin) throws Rejection {
        if (value == null || value.length == 0) {
            throw Rejection.of(EMPTY_VALUE, "the record has no value");
        }
        if (key == null || key.length == 0) {
            throw Rejection.of(MISSING_KEY, "the record has no key; gateways key records by session, order, device or media id");
        }
        if (value.length > limits.maxRecordBytes()) {
            throw Rejection.of(OVERSIZED, "the record is " + value.length + " bytes; at most " + limits.maxRecordBytes() + " are accepted");
        }
        OptionalInt schemaId = ConfluentWireFormat.schemaIdOf(value);
        if (schemaId.isPresent()) {
            return fromAvro(schemaId.getAsInt(), value, origin);
        }
        return normalizer.normalize(parseJson(value), origin);
    }

    private static ObjectNode parseJson(byte[] value) throws Rejection {
        requireUtf8(value);
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw Rejection.of(MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw Rejection.of(MALFORMED_JSON, "not valid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw Rejection.of(MALFORMED_JSON, "an event must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** Most payloads are ASCII; only those with high bytes pay for a strict decode. */
    private static void requireUtf8(byte[] value) throws Rejection {
        for (byte b : value) {
            if (b < 0) {
                try {
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(value));
                    return;
                } catch (CharacterCodingException e) {
                    throw Rejection.of(INVALID_UTF8, "the value is not valid UTF-8");
                }
            }
        }
    }

    private Envelope fromAvro(int schemaId, byte[] value, RecordOrigin origin) throws Rejection {
        SpecificDatumReader<Envelope> reader = readersBySchemaId.get(schemaId);
        if (reader == null) {
            Schema writer;
            try {
                writer = schemaById.apply(schemaId);
            } catch (UnknownSchemaIdException e) {
                throw Rejection.of(UNKNOWN_SCHEMA_ID, "Avro record names schema id " + schemaId + ", which the registry does not have");
            }
            try {
                reader = new SpecificDatumReader<>(writer, Envelope.getClassSchema());
            } catch (RuntimeException e) {
                throw Rejection.of(MALFORMED_AVRO, "schema " + schemaId + " cannot be read as an Envelope: " + e.getMessage());
            }
            readersBySchemaId.put(schemaId, reader);
        }
        Envelope envelope;
        try {
            reusableDecoder =
                    DecoderFactory.get()
                            .binaryDecoder(
                                    value,
                                    ConfluentWireFormat.HEADER_LENGTH,
                                    value.length - ConfluentWireFormat.HEADER_LENGTH,
                                    reusableDecoder);
            envelope = reader.read(null, reusableDecoder);
        } catch (IOException | RuntimeException e) {
            throw Rejection.of(MALFORMED_AVRO, "Avro body does not match schema " + schemaId + ": " + e);
        }
        return checkAvroEnvelope(envelope, origin);
    }

    /** An Avro envelope is typed already; what is left is what types cannot express. */
    private Envelope checkAvroEnvelope(Envelope envelope, RecordOrigin origin) throws Rejection {
        if (envelope.getEventId() == null || envelope.getEventId().isBlank()) {
            throw new Rejection(MISSING_FIELD, "eventId", "eventId must not be blank");
        }
        if (envelope.getEventType() == EventType.UNKNOWN
                || EventTypes.domain(envelope.getEventType()) != envelope.getDomain()) {
            throw new Rejection(UNKNOWN_EVENT_TYPE, "eventType",
                    "event type " + envelope.getEventType() + " does not belong to domain " + envelope.getDomain());
        }
        if (!PAYLOAD_TYPES.get(envelope.getDomain()).isInstance(envelope.getPayload())) {
            throw new Rejection(io.tributary.schemas.DeadLetterReason.INVALID_VALUE, "payload",
                    "a " + envelope.getDomain() + " event carries a " + envelope.getPayload().getClass().getSimpleName());
        }
        EventTimeBounds.check(envelope.getEventTime().toEpochMilli(), origin.timestamp(), limits);
        envelope.setIngestTime(java.time.Instant.ofEpochMilli(origin.timestamp()));
        envelope.setOrigin(origin.toAvro());
        return envelope;
    }
}
