package io.tributary.ingest.validate;

import static io.tributary.schemas.DeadLetterReason.EMPTY_VALUE;
import static io.tributary.schemas.DeadLetterReason.INVALID_UTF8;
import static io.tributary.schemas.DeadLetterReason.MALFORMED_JSON;
import static io.tributary.schemas.DeadLetterReason.MISSING_KEY;
import static io.tributary.schemas.DeadLetterReason.OVERSIZED;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.jobs.validate.ConfluentAvroDecoder;
import io.tributary.jobs.validate.EnvelopeValidator;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.ConfluentWireFormat;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;
import org.apache.avro.Schema;

/**
 * Decides what one raw Kafka record is: a canonical {@link Envelope}, or a {@link Rejection} that
 * says why not. Raw records come as JSON (gateways, devices) or as Avro in the Confluent wire
 * format (services that already speak the canonical schema); both end in the same {@link
 * EnvelopeValidator}.
 *
 * <p>Checks run cheapest first: presence, size, encoding, syntax, then content. Whatever a record
 * holds, decoding allocates no more than a small multiple of its size: JSON through Jackson's read
 * constraints, Avro through {@link ConfluentAvroDecoder}.
 */
public final class RawEventDecoder {
    /** Keys are entity ids; the dead letter stores a key as well as the record does. */
    public static final int MAX_KEY_BYTES = 1_024;

    static final int MAX_JSON_NESTING = 32;
    static final int MAX_JSON_NUMBER_CHARS = 64;
    private final ObjectMapper json;
    private final IngestLimits limits;
    private final JsonEventNormalizer normalizer;
    private final EnvelopeValidator validator;
    private final ConfluentAvroDecoder<Envelope> avro;

    /**
     * @param schemaById the registry lookup for Avro records, as {@link ConfluentAvroDecoder} takes
     *     it
     */
    public RawEventDecoder(IngestLimits limits, IntFunction<Schema> schemaById) {
        this.limits = limits;
        this.normalizer = new JsonEventNormalizer();
        this.validator = new EnvelopeValidator(limits.maxStringLength(), false);
        this.avro = new ConfluentAvroDecoder<>(Envelope.class, schemaById);
        this.json = jsonMapper(limits);
    }

    /** Jackson as the decoder uses it: bounded nesting, numbers and strings. */
    static ObjectMapper jsonMapper(IngestLimits limits) {
        JsonFactory factory =
                JsonFactory.builder()
                        .streamReadConstraints(
                                StreamReadConstraints.builder()
                                        .maxNestingDepth(MAX_JSON_NESTING)
                                        .maxNumberLength(MAX_JSON_NUMBER_CHARS)
                                        .maxStringLength(limits.maxRecordBytes())
                                        .build())
                        .build();
        // The event's top level refuses a field named twice as it is read (JsonFields); nested
        // values are trees, refused where the tree is built, which costs nothing extra.
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    }

    public Envelope decode(byte[] key, byte[] value, RecordOrigin origin) throws Rejection {
        if (value == null || value.length == 0) {
            throw Rejection.of(EMPTY_VALUE, "the record has no value");
        }
        if (key == null || key.length == 0) {
            throw Rejection.of(
                    MISSING_KEY,
                    "the record has no key; gateways key records by session, order, device or media id");
        }
        if (key.length > MAX_KEY_BYTES) {
            throw Rejection.of(
                    OVERSIZED,
                    "the record's key is "
                            + key.length
                            + " bytes; at most "
                            + MAX_KEY_BYTES
                            + " are accepted");
        }
        if (value.length > limits.maxRecordBytes()) {
            throw Rejection.of(
                    OVERSIZED,
                    "the record is "
                            + value.length
                            + " bytes; at most "
                            + limits.maxRecordBytes()
                            + " are accepted");
        }
        Envelope envelope =
                ConfluentWireFormat.schemaIdOf(value).isPresent()
                        ? fromAvro(value, origin)
                        : normalizer.normalize(parseJson(value), origin);
        validator.check(envelope);
        EventTimeBounds.check(
                envelope.getEventTime().toEpochMilli(),
                origin.timestamp(),
                origin.arrival(),
                limits);
        return envelope;
    }

    private JsonFields parseJson(byte[] value) throws Rejection {
        requireUtf8(value);
        JsonFields fields;
        try (JsonParser parser = json.createParser(value)) {
            fields = JsonFields.read(parser, json, limits.maxStringLength());
            if (parser.nextToken() != null) {
                throw Rejection.of(
                        MALFORMED_JSON,
                        fields == null
                                ? "an event must be a JSON object"
                                : "the record holds more than one JSON value; it must hold exactly one event");
            }
        } catch (StreamConstraintsException e) {
            throw Rejection.of(
                    MALFORMED_JSON,
                    "the JSON exceeds a limit: "
                            + EnvelopeValidator.shown(e.getOriginalMessage(), 200));
        } catch (JsonProcessingException e) {
            throw Rejection.of(
                    MALFORMED_JSON,
                    "not valid JSON: " + EnvelopeValidator.shown(e.getOriginalMessage(), 200));
        } catch (IOException e) {
            throw Rejection.of(
                    MALFORMED_JSON,
                    "not valid JSON: " + EnvelopeValidator.shown(e.getMessage(), 200));
        }
        if (fields == null) {
            throw Rejection.of(MALFORMED_JSON, "an event must be a JSON object");
        }
        return fields;
    }

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    /**
     * Most payloads are ASCII, checked eight bytes at a time (a byte loop was a twentieth of the
     * parse task); only those with high bytes pay for a strict decode.
     */
    private static void requireUtf8(byte[] value) throws Rejection {
        int i = 0;
        long high = 0;
        for (; i + Long.BYTES <= value.length; i += Long.BYTES) {
            high |= (long) LONGS.get(value, i);
        }
        for (; i < value.length; i++) {
            high |= value[i];
        }
        if ((high & HIGH_BITS) == 0) {
            return;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            throw Rejection.of(INVALID_UTF8, "the value is not valid UTF-8");
        }
    }

    private Envelope fromAvro(byte[] value, RecordOrigin origin) throws Rejection {
        Envelope envelope = avro.decode(value);
        // The writer's own fields are typed; lineage is the job's to set.
        envelope.setIngestTime(java.time.Instant.ofEpochMilli(origin.arrival()));
        envelope.setOrigin(origin.toAvro());
        return envelope;
    }
}
