package io.tributary.ingest;

import io.tributary.jobs.kafka.RawRecord;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A canonical event after validation, already encoded as it will be written: the Avro binary of its
 * {@link io.tributary.schemas.Envelope}, its topic, key and event time.
 *
 * <p>Why bytes and not the Envelope: the event crosses a network shuffle (keyBy event id) on its
 * way to the sink, and Avro decoding of the Envelope on the receiving side cost a third of the
 * job's CPU in profiles, plus a second Avro encoding in the sink. Encoding once where the record is
 * built and moving bytes from there on is what the throughput target needs; the sink only prepends
 * the Confluent header. Flink moves it with {@link CanonicalRecordType}'s serializer, field by
 * field.
 */
@TypeInfo(CanonicalRecordType.Factory.class)
public class CanonicalRecord {
    public String eventId;
    public String topic;
    public byte[] key;
    public long eventTime;
    public byte[] envelopeAvro;

    /** {@link io.tributary.ingest.dedup.EnvelopeFingerprint} of the envelope. */
    public long fingerprint;

    /**
     * The raw record the event was read from, so that an event id reused for a different event is
     * dead-lettered with its original bytes; the sink does not write it.
     */
    public RawRecord raw;

    public CanonicalRecord() {}

    public CanonicalRecord(
            String eventId,
            String topic,
            byte[] key,
            long eventTime,
            byte[] envelopeAvro,
            long fingerprint) {
        this.eventId = eventId;
        this.topic = topic;
        this.key = key;
        this.eventTime = eventTime;
        this.envelopeAvro = envelopeAvro;
        this.fingerprint = fingerprint;
    }

    /**
     * What deduplication is keyed by: ids are unique per domain, not across domains (a commerce and
     * an IoT gateway may both count from 1).
     */
    public String dedupKey() {
        return topic + '/' + eventId;
    }
}
