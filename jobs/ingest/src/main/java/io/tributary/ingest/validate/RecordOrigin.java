package io.tributary.ingest.validate;

import io.tributary.schemas.Origin;

/**
 * Where a raw record was read, the timestamp its producer (or broker) gave it, and when it arrived
 * on a clock the producer does not control ({@link EventTimeBounds#arrival}).
 */
public record RecordOrigin(String topic, int partition, long offset, long timestamp, long arrival) {

    /** A record whose timestamp is trusted as its arrival: tests and offline tools. */
    public RecordOrigin(String topic, int partition, long offset, long timestamp) {
        this(topic, partition, offset, timestamp, timestamp);
    }

    /**
     * @param processingTime the job's clock when it read the record; also stands in for a record
     *     without a timestamp (Kafka's -1)
     */
    public static RecordOrigin read(
            String topic, int partition, long offset, long timestamp, long processingTime) {
        long effective = timestamp < 0 ? processingTime : timestamp;
        return new RecordOrigin(
                topic,
                partition,
                offset,
                effective,
                EventTimeBounds.arrival(effective, processingTime));
    }

    Origin toAvro() {
        return new Origin(topic, partition, offset);
    }
}
