package io.tributary.jobs.kafka;

import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.jobs.validate.ConfluentAvroDecoder;
import io.tributary.jobs.validate.EnvelopeValidator;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.schemas.registry.SchemaRegistryClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads a canonical topic without trusting it. Each record becomes either the {@link Envelope} it
 * holds, checked again by {@link EnvelopeValidator} (anything may have written to the topic, not
 * only the ingest job), or the {@link DeadLetter} that says why not, with its original bytes.
 * Decoding here, in the source, keeps Flink's per-partition watermarks; a dead letter has no event
 * time and so cannot move a watermark ({@link CanonicalEvents#watermarks}).
 *
 * <p>An event more than {@code maxFutureSkew} ahead of this job's clock is a dead letter too: one
 * such record would otherwise move the watermark into the future and make every later event late.
 * Only a registry that cannot answer fails the source, which then reads the record again after the
 * restart.
 */
public final class CanonicalEventsDeserializer
        implements KafkaRecordDeserializationSchema<Either<DeadLetter, Envelope>> {
    private static final long serialVersionUID = 1L;

    private final RegistryConnection registry;
    private final String job;
    private final Duration maxFutureSkew;

    private transient ConfluentAvroDecoder<Envelope> decoder;
    private transient EnvelopeValidator validator;

    public CanonicalEventsDeserializer(
            RegistryConnection registry, String job, Duration maxFutureSkew) {
        this.registry = registry;
        this.job = job;
        this.maxFutureSkew = maxFutureSkew;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        decoder = new ConfluentAvroDecoder<>(Envelope.class, client::schemaById);
        validator = EnvelopeValidator.forCanonicalTopics();
    }

    @Override
    public void deserialize(
            ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, Envelope>> out)
            throws IOException {
        long now = System.currentTimeMillis();
        Either<DeadLetter, Envelope> decoded;
        try {
            decoded = Either.Right(decode(record.value(), now));
        } catch (Rejection rejection) {
            decoded =
                    Either.Left(
                            deadLetter(
                                    record,
                                    rejection.reason(),
                                    rejection.getMessage(),
                                    rejection.field(),
                                    now));
        } catch (RuntimeException | StackOverflowError e) {
            if (SchemaRegistryClient.isOutage(e)) {
                throw new IOException("schema registry at " + registry + " cannot answer", e);
            }
            // The last line of defence: no record may stop the job.
            decoded =
                    Either.Left(
                            deadLetter(
                                    record,
                                    DeadLetterReason.INTERNAL_ERROR,
                                    "the record made the decoder fail: " + e,
                                    null,
                                    now));
        }
        // Outside the guard: what the operators after the source throw is theirs, not the record's.
        out.collect(decoded);
    }

    private Envelope decode(byte[] value, long now) throws Rejection {
        if (value == null || value.length == 0) {
            throw Rejection.of(DeadLetterReason.EMPTY_VALUE, "the record has no value");
        }
        Envelope envelope = decoder.decode(value);
        validator.check(envelope);
        long eventTime = envelope.getEventTime().toEpochMilli();
        if (eventTime > now + maxFutureSkew.toMillis()) {
            throw new Rejection(
                    DeadLetterReason.TIMESTAMP_OUT_OF_RANGE,
                    "eventTime",
                    "eventTime "
                            + envelope.getEventTime()
                            + " is more than "
                            + maxFutureSkew
                            + " ahead of this job's clock ("
                            + Instant.ofEpochMilli(now)
                            + "); it would move the watermark into the future");
        }
        return envelope;
    }

    private DeadLetter deadLetter(
            ConsumerRecord<byte[], byte[]> record,
            DeadLetterReason reason,
            String message,
            String field,
            long now) {
        return DeadLetters.of(
                record.topic(),
                record.partition(),
                record.offset(),
                record.timestamp(),
                record.key(),
                record.value(),
                reason,
                message,
                field,
                job,
                Instant.ofEpochMilli(now));
    }

    @Override
    public TypeInformation<Either<DeadLetter, Envelope>> getProducedType() {
        return new EitherTypeInfo<>(
                new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(Envelope.class));
    }
}
