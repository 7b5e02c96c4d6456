package io.tributary.ingest;

import io.tributary.ingest.validate.RecordOrigin;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.kafka.EnvelopeEncoder;
import io.tributary.ingest.validate.IngestLimits;
import io.tributary.ingest.validate.RawEventDecoder;
import io.tributary.ingest.validate.Rejection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Raw record in, canonical record (the encoded envelope) out; anything that cannot be one leaves through
 * {@link #DEAD_LETTERS} with its reason and original bytes. The decisions live in
 * {@link RawEventDecoder}; this function only counts and routes.
 */
public final class ParseAndValidate extends ProcessFunction<RawRecord, CanonicalRecord> {
    private static final long serialVersionUID = 1L;
    public static final String JOB_NAME = "tributary-ingest";
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final IngestLimits limits;
    private final String registryUrl;
    private final CanonicalTopics topics;

    private transient RawEventDecoder decoder;
    private transient EnvelopeEncoder encoder;
    private transient Counter eventsIn;
    private transient Map<DeadLetterReason, Counter> deadLettersByReason;

    public ParseAndValidate(IngestLimits limits, String registryUrl, CanonicalTopics topics) {
        this.limits = limits;
        this.registryUrl = registryUrl;
        this.topics = topics;
    }

    @Override
    public void open(Configuration parameters) {
        SchemaRegistryClient registry = new SchemaRegistryClient(registryUrl);
        decoder = new RawEventDecoder(limits, registry::schemaById);
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
        Envelope envelope;
        try {
            envelope = decoder.decode(raw.key, raw.value, new RecordOrigin(raw.topic, raw.partition, raw.offset, raw.timestamp));
        } catch (Rejection rejection) {
            deadLettersByReason.get(rejection.reason()).inc();
            ctx.output(DEAD_LETTERS, deadLetter(raw, rejection, Instant.ofEpochMilli(ctx.timerService().currentProcessingTime())));
            return;
        }
        out.collect(encoder.encode(envelope));
    }

    static DeadLetter deadLetter(RawRecord raw, Rejection rejection, Instant now) {
        return DeadLetter.newBuilder()
                .setReason(rejection.reason())
                .setMessage(rejection.getMessage())
                .setField(rejection.field())
                .setJob(JOB_NAME)
                .setSourceTopic(raw.topic)
                .setSourcePartition(raw.partition)
                .setSourceOffset(raw.offset)
                .setSourceTimestamp(Instant.ofEpochMilli(raw.timestamp))
                .setDeadLetteredAt(now)
                .setOriginalKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
                .setOriginalValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
                .build();
    }
}
