package io.tributary.sinks;

import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.SchemaRegistryClient;
import io.tributary.schemas.registry.UnknownSchemaIdException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Decodes the Confluent-framed Avro records of one topic and lets through what the store accepts;
 * everything else leaves on {@link #DEAD_LETTERS} with the reason and the original bytes. The
 * sink jobs read raw bytes rather than decoded records for exactly this: a record that cannot be
 * decoded or stored must still be kept, byte for byte.
 */
public final class DecodeRecords<A extends SpecificRecord, T> extends ProcessFunction<RawRecord, T> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final RegistryAvroDeserializationSchema<A> decoder;
    private final RecordCheck<A> decodedCheck;
    private final FromRecord<A, T> toStored;
    private final RecordCheck<T> storedCheck;
    private final String job;

    /**
     * @param decodedCheck what the store accepts of the decoded record
     * @param toStored what is stored of a decoded record; an {@link IllegalArgumentException}
     *     from it dead-letters the record
     * @param storedCheck what the store accepts of what is stored
     */
    public DecodeRecords(Class<A> type, String registryUrl, RecordCheck<A> decodedCheck, SerializableFunction<A, T> toStored,
            RecordCheck<T> storedCheck, String job) {
        this(type, registryUrl, decodedCheck, (raw, decoded) -> toStored.apply(decoded), storedCheck, job);
    }

    private DecodeRecords(Class<A> type, String registryUrl, RecordCheck<A> decodedCheck, FromRecord<A, T> toStored,
            RecordCheck<T> storedCheck, String job) {
        this.decoder = ConfluentAvro.deserializer(type, registryUrl);
        this.decodedCheck = decodedCheck;
        this.toStored = toStored;
        this.storedCheck = storedCheck;
        this.job = job;
    }

    /** Stores the decoded records themselves. */
    public static <A extends SpecificRecord> DecodeRecords<A, A> as(Class<A> type, String registryUrl, RecordCheck<A> check, String job) {
        return new DecodeRecords<>(type, registryUrl, check, record -> record, RecordCheck.acceptAll(), job);
    }

    /** Stores what {@code toStored} makes of each decoded record, checked after it is made. */
    public static <A extends SpecificRecord, T> DecodeRecords<A, T> converting(Class<A> type, String registryUrl,
            SerializableFunction<A, T> toStored, RecordCheck<T> check, String job) {
        return new DecodeRecords<>(type, registryUrl, RecordCheck.acceptAll(), toStored, check, job);
    }

    /**
     * Passes on each decoded record together with the raw record it came from, for jobs that may
     * still have to dead-letter it later (a state machine refusing a transition).
     */
    public static <A extends SpecificRecord, T> DecodeRecords<A, T> keepingRaw(Class<A> type, String registryUrl,
            FromRecord<A, T> withRaw, String job) {
        return new DecodeRecords<>(type, registryUrl, RecordCheck.acceptAll(), withRaw, RecordCheck.acceptAll(), job);
    }

    /** Makes what is passed on from a raw record and its decoded value. */
    @FunctionalInterface
    public interface FromRecord<A, T> extends java.io.Serializable {
        T apply(RawRecord raw, A decoded);
    }

    @Override
    public void processElement(RawRecord raw, Context context, Collector<T> out) {
        if (raw.value == null || raw.value.length == 0) {
            reject(raw, DeadLetterReason.EMPTY_VALUE, "the record has no value", null, context);
            return;
        }
        A decoded;
        try {
            decoded = decoder.deserialize(raw.value);
        } catch (Exception e) {
            if (registryUnavailable(e)) {
                // Not the record's fault: fail, restart from the last checkpoint, decode it again.
                throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
            }
            if (causedBy(e, UnknownSchemaIdException.class)) {
                reject(raw, DeadLetterReason.UNKNOWN_SCHEMA_ID, rootMessage(e), null, context);
            } else {
                reject(raw, DeadLetterReason.MALFORMED_AVRO, "not Avro in the Confluent wire format: " + rootMessage(e), null, context);
            }
            return;
        }
        Optional<Violation> violation = decodedCheck.check(decoded);
        if (violation.isPresent()) {
            reject(raw, violation.get(), context);
            return;
        }
        T record;
        try {
            record = toStored.apply(raw, decoded);
        } catch (IllegalArgumentException e) {
            reject(raw, DeadLetterReason.INVALID_VALUE, e.getMessage(), null, context);
            return;
        }
        violation = storedCheck.check(record);
        if (violation.isPresent()) {
            reject(raw, violation.get(), context);
        } else {
            out.collect(record);
        }
    }

    private void reject(RawRecord raw, Violation violation, Context context) {
        reject(raw, DeadLetterReason.INVALID_VALUE, violation.message(), violation.field(), context);
    }

    private static boolean registryUnavailable(Throwable e) {
        return causedBy(e, UncheckedIOException.class) || causedBy(e, SchemaRegistryClient.RegistryException.class);
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    private void reject(RawRecord raw, DeadLetterReason reason, String message, String field, Context context) {
        context.output(DEAD_LETTERS, DeadLetters.of(raw, reason, message, field, job, Instant.now()));
    }
}
