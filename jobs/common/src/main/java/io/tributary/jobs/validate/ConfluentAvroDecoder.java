package io.tributary.jobs.validate;

import static io.tributary.schemas.DeadLetterReason.MALFORMED_AVRO;
import static io.tributary.schemas.DeadLetterReason.UNKNOWN_SCHEMA_ID;
import static io.tributary.schemas.DeadLetterReason.UNSUPPORTED_SCHEMA;

import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.schemas.registry.SchemaRegistryClient.UnsupportedSchemaException;
import io.tributary.schemas.registry.UnknownSchemaIdException;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes Avro records in the Confluent wire format without trusting them: whatever the bytes, the
 * answer is a record or a {@link Rejection}, and decoding allocates no more than the bytes allow
 * ({@link AvroBounds} walks them before Avro's reader does). Only a registry that cannot answer
 * makes it throw something else, because that is not the record's fault.
 *
 * <p>Every job of the suite decodes through it: ingest for raw Avro input, every later job for the
 * canonical and aggregate topics it reads. Not thread-safe: one per task.
 */
public final class ConfluentAvroDecoder<T extends SpecificRecord> {
    /** Schema ids the registry refused, remembered so that hostile records do not hammer it. */
    private static final int REFUSED_SCHEMA_IDS_KEPT = 1_024;

    private final Class<T> type;
    private final Schema readerSchema;
    private final IntFunction<Schema> schemaById;
    private final Map<Integer, Reader<T>> readers = new HashMap<>();
    private final Map<Integer, Rejection> refused =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, Rejection> eldest) {
                    return size() > REFUSED_SCHEMA_IDS_KEPT;
                }
            };
    private BinaryDecoder reusableDecoder;

    private record Reader<T>(Schema writer, SpecificDatumReader<T> reader) {}

    /**
     * @param schemaById the registry lookup; throws {@link UnknownSchemaIdException} for an id the
     *     registry does not have, {@link UnsupportedSchemaException} for one that is not Avro, and
     *     anything else when the registry cannot answer
     */
    public ConfluentAvroDecoder(Class<T> type, IntFunction<Schema> schemaById) {
        this.type = type;
        this.readerSchema = SpecificData.getForClass(type).getSchema(type);
        this.schemaById = schemaById;
        // Generated per-record coders instead of Avro's reflective field-by-field path: most of a
        // source task's time in the aggregations job went there.
        SpecificData.getForClass(type).setCustomCoders(true);
    }

    /**
     * @throws Rejection if {@code value} is not one {@code T} in the Confluent wire format
     */
    public T decode(byte[] value) throws Rejection {
        OptionalInt schemaId = ConfluentWireFormat.schemaIdOf(value);
        if (schemaId.isEmpty()) {
            throw Rejection.of(
                    MALFORMED_AVRO,
                    "not Avro in the Confluent wire format (no magic byte and schema id)");
        }
        return decode(schemaId.getAsInt(), value);
    }

    private T decode(int schemaId, byte[] value) throws Rejection {
        Reader<T> reader = reader(schemaId);
        AvroBounds.check(reader.writer(), value, ConfluentWireFormat.HEADER_LENGTH, value.length);
        try {
            reusableDecoder =
                    DecoderFactory.get()
                            .binaryDecoder(
                                    value,
                                    ConfluentWireFormat.HEADER_LENGTH,
                                    value.length - ConfluentWireFormat.HEADER_LENGTH,
                                    reusableDecoder);
            return reader.reader().read(null, reusableDecoder);
        } catch (IOException | RuntimeException e) {
            throw Rejection.of(
                    MALFORMED_AVRO,
                    "Avro body does not match schema "
                            + schemaId
                            + " as a "
                            + type.getSimpleName()
                            + ": "
                            + EnvelopeValidator.shown(e.toString(), 300));
        }
    }

    private Reader<T> reader(int schemaId) throws Rejection {
        Reader<T> reader = readers.get(schemaId);
        if (reader != null) {
            return reader;
        }
        Rejection known = refused.get(schemaId);
        if (known != null) {
            throw known;
        }
        Schema writer;
        try {
            writer = schemaById.apply(schemaId);
        } catch (UnknownSchemaIdException e) {
            throw remember(
                    schemaId,
                    Rejection.of(
                            UNKNOWN_SCHEMA_ID,
                            "Avro record names schema id "
                                    + schemaId
                                    + ", which the registry does not have"));
        } catch (UnsupportedSchemaException e) {
            throw remember(
                    schemaId,
                    Rejection.of(UNSUPPORTED_SCHEMA, EnvelopeValidator.shown(e.getMessage(), 300)));
        }
        SpecificDatumReader<T> datumReader;
        try {
            datumReader =
                    new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForClass(type));
        } catch (RuntimeException e) {
            throw remember(
                    schemaId,
                    Rejection.of(
                            MALFORMED_AVRO,
                            "schema "
                                    + schemaId
                                    + " cannot be read as a "
                                    + type.getSimpleName()
                                    + ": "
                                    + EnvelopeValidator.shown(e.getMessage(), 300)));
        }
        reader = new Reader<>(writer, datumReader);
        readers.put(schemaId, reader);
        return reader;
    }

    private Rejection remember(int schemaId, Rejection rejection) {
        refused.put(schemaId, rejection);
        return rejection;
    }
}
