package io.tributary.jobs.kafka;

/**
 * A Kafka record exactly as read, before anything is decided about it. A POJO so that Flink
 * serializes it without Kryo; the bytes are kept untouched for a dead-letter topic.
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public RawRecord() {}

    public RawRecord(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }
}
