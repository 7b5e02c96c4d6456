package io.tributary.jobs.deadletters;

import io.tributary.jobs.kafka.RawRecord;
import io.tributary.jobs.validate.ConfluentAvroDecoder;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.schemas.registry.SchemaRegistryClient;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Decodes the Confluent-framed Avro records of one topic and lets through what the store accepts;
 * everything else leaves on {@link #DEAD_LETTERS} with the reason and the original bytes. The sink
 * jobs read raw bytes rather than decoded records for exactly this: a record that cannot be decoded
 * or stored must still be kept, byte for byte.
 */
public final class DecodeRecords<A extends SpecificRecord, T>
        extends ProcessFunction<RawRecord, T> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final Class<A> type;
    private final RegistryConnection registry;
    private final RecordCheck<A> decodedCheck;
    private final FromRecord<A, T> toStored;
    private final RecordCheck<T> storedCheck;
    private final String job;
    private transient ConfluentAvroDecoder<A> decoder;

    /**
     * @param decodedCheck what the store accepts of the decoded record
     * @param toStored what is stored of a decoded record; an {@link IllegalArgumentException} from
     *     it dead-letters the record
     * @param storedCheck what the store accepts of what is stored
     */
    public DecodeRecords(
            Class<A> type,
            RegistryConnection registry,
            RecordCheck<A> decodedCheck,
            SerializableFunction<A, T> toStored,
            RecordCheck<T> storedCheck,
            String job) {
        this(
                type,
                registry,
                decodedCheck,
                (raw, decoded) -> toStored.apply(decoded),
                storedCheck,
                job);
    }

    private DecodeRecords(
            Class<A> type,
            RegistryConnection registry,
            RecordCheck<A> decodedCheck,
            FromRecord<A, T> toStored,
            RecordCheck<T> storedCheck,
            String job) {
        this.type = type;
        this.registry = registry;
        this.decodedCheck = decodedCheck;
        this.toStored = toStored;
        this.storedCheck = storedCheck;
        this.job = job;
    }

    /** Stores the decoded records themselves. */
    public static <A extends SpecificRecord> DecodeRecords<A, A> as(
            Class<A> type, RegistryConnection registry, RecordCheck<A> check, String job) {
        return new DecodeRecords<>(
                type, registry, check, record -> record, RecordCheck.acceptAll(), job);
    }

    /** Stores what {@code toStored} makes of each decoded record, checked after it is made. */
    public static <A extends SpecificRecord, T> DecodeRecords<A, T> converting(
            Class<A> type,
            RegistryConnection registry,
            SerializableFunction<A, T> toStored,
            RecordCheck<T> check,
            String job) {
        return new DecodeRecords<>(type, registry, RecordCheck.acceptAll(), toStored, check, job);
    }

    /**
     * Passes on each decoded record together with the raw record it came from, for jobs that may
     * still have to dead-letter it later (a state machine refusing a transition).
     */
    public static <A extends SpecificRecord, T> DecodeRecords<A, T> keepingRaw(
            Class<A> type,
            RegistryConnection registry,
            RecordCheck<A> check,
            FromRecord<A, T> withRaw,
            String job) {
        return keepingRaw(type, registry, check, withRaw, RecordCheck.acceptAll(), job);
    }

    /** As above, with a check of what is passed on. */
    public static <A extends SpecificRecord, T> DecodeRecords<A, T> keepingRaw(
            Class<A> type,
            RegistryConnection registry,
            RecordCheck<A> check,
            FromRecord<A, T> withRaw,
            RecordCheck<T> storedCheck,
            String job) {
        return new DecodeRecords<>(type, registry, check, withRaw, storedCheck, job);
    }

    /** Makes what is passed on from a raw record and its decoded value. */
    @FunctionalInterface
    public interface FromRecord<A, T> extends java.io.Serializable {
        T apply(RawRecord raw, A decoded);
    }

    @Override
    public void open(Configuration parameters) {
        decoder = new ConfluentAvroDecoder<>(type, new SchemaRegistryClient(registry)::schemaById);
    }

    @Override
    public void processElement(RawRecord raw, Context context, Collector<T> out) {
        T record;
        try {
            record = decodeAndCheck(raw);
        } catch (Rejection rejection) {
            reject(raw, rejection.reason(), rejection.getMessage(), rejection.field(), context);
            return;
        } catch (RuntimeException | StackOverflowError e) {
            if (SchemaRegistryClient.isOutage(e)) {
                // Not the record's fault: fail, restart from the last checkpoint, decode it again.
                throw e;
            }
            // The last line of defence: no record may stop the job.
            reject(
                    raw,
                    DeadLetterReason.INTERNAL_ERROR,
                    "the record made the job fail: " + e,
                    null,
                    context);
            return;
        }
        // Outside the guard: what the operators chained after this one throw is theirs.
        out.collect(record);
    }

    private T decodeAndCheck(RawRecord raw) throws Rejection {
        if (raw.value == null || raw.value.length == 0) {
            throw Rejection.of(DeadLetterReason.EMPTY_VALUE, "the record has no value");
        }
        A decoded = decoder.decode(raw.value);
        reject(decodedCheck.check(decoded));
        T record;
        try {
            record = toStored.apply(raw, decoded);
        } catch (IllegalArgumentException e) {
            throw Rejection.of(DeadLetterReason.INVALID_VALUE, e.getMessage());
        }
        reject(storedCheck.check(record));
        return record;
    }

    private static void reject(Optional<Violation> violation) throws Rejection {
        if (violation.isPresent()) {
            Violation v = violation.get();
            throw new Rejection(v.reason(), v.field(), v.message());
        }
    }

    private void reject(
            RawRecord raw, DeadLetterReason reason, String message, String field, Context context) {
        context.output(
                DEAD_LETTERS, DeadLetters.of(raw, reason, message, field, job, Instant.now()));
    }
}
