package io.tributary.jobs.kafka;

import java.io.Serializable;
import java.util.function.Function;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Records whose Kafka timestamp comes from the record itself rather than from the stream. Flink CEP
 * stamps matches that complete on a watermark with that watermark, and the final watermark of a
 * bounded or drained job is Long.MAX_VALUE, which a broker rejects as a record timestamp.
 */
public final class TimestampedRecords<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    /** A serializable way to read a record's timestamp in epoch milliseconds. */
    public interface Timestamp<T> extends Function<T, Long>, Serializable {}

    private final String topic;
    private final SerializationSchema<T> key;
    private final SerializationSchema<T> value;
    private final Timestamp<T> timestamp;

    public TimestampedRecords(
            String topic,
            SerializationSchema<T> key,
            SerializationSchema<T> value,
            Timestamp<T> timestamp) {
        this.topic = topic;
        this.key = key;
        this.value = value;
        this.timestamp = timestamp;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
            throws Exception {
        key.open(context);
        value.open(context);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long streamTimestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                timestamp.apply(element),
                key.serialize(element),
                value.serialize(element));
    }
}
