package io.tributary.ingest;

import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.kafka.EnvelopeEncoder;
import io.tributary.ingest.validate.IngestLimits;
import io.tributary.ingest.validate.RawEventDecoder;
import io.tributary.ingest.validate.RecordOrigin;
import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.schemas.registry.SchemaRegistryClient;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Raw record in, canonical record (the encoded envelope) out; anything that cannot be one leaves
 * through {@link #DEAD_LETTERS} with its reason and original bytes. The decisions live in {@link
 * RawEventDecoder}; this function only counts and routes.
 */
public final class ParseAndValidate extends ProcessFunction<RawRecord, CanonicalRecord> {
    private static final long serialVersionUID = 1L;
    public static final String JOB_NAME = "tributary-ingest";
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final IngestLimits limits;
    private final RegistryConnection registry;
    private final CanonicalTopics topics;

    private transient RawEventDecoder decoder;
    private transient EnvelopeEncoder encoder;
    private transient Counter eventsIn;
    private transient Map<DeadLetterReason, Counter> deadLettersByReason;

    public ParseAndValidate(
            IngestLimits limits, RegistryConnection registry, CanonicalTopics topics) {
        this.limits = limits;
        this.registry = registry;
        this.topics = topics;
    }

    @Override
    public void open(Configuration parameters) {
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        decoder = new RawEventDecoder(limits, client::schemaById);
        encoder = new EnvelopeEncoder(topics);
        eventsIn = getRuntimeContext().getMetricGroup().counter("eventsIn");
        deadLettersByReason = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLettersByReason.put(
                    reason,
                    getRuntimeContext()
                            .getMetricGroup()
                            .addGroup("reason", reason.name())
                            .counter("deadLetters"));
        }
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<CanonicalRecord> out) {
        eventsIn.inc();
        long now = ctx.timerService().currentProcessingTime();
        CanonicalRecord record;
        try {
            Envelope envelope =
                    decoder.decode(
                            raw.key,
                            raw.value,
                            RecordOrigin.read(
                                    raw.topic, raw.partition, raw.offset, raw.timestamp, now));
            record = encoder.encode(envelope);
        } catch (Rejection rejection) {
            deadLetter(
                    raw, rejection.reason(), rejection.getMessage(), rejection.field(), now, ctx);
            return;
        } catch (RuntimeException | StackOverflowError e) {
            if (SchemaRegistryClient.isOutage(e)) {
                // Not the record's fault: fail, restart from the last checkpoint, read it again.
                throw e;
            }
            // The last line of defence: whatever a record makes the decoder do, it must not stop
            // the job. The message says what happened so that the gap in the checks can be closed.
            deadLetter(
                    raw,
                    DeadLetterReason.INTERNAL_ERROR,
                    "the record made the decoder fail: " + e,
                    null,
                    now,
                    ctx);
            return;
        }
        record.raw = raw;
        out.collect(record);
    }

    private void deadLetter(
            RawRecord raw,
            DeadLetterReason reason,
            String message,
            String field,
            long now,
            Context ctx) {
        deadLettersByReason.get(reason).inc();
        ctx.output(
                DEAD_LETTERS,
                DeadLetters.of(raw, reason, message, field, JOB_NAME, Instant.ofEpochMilli(now)));
    }
}
