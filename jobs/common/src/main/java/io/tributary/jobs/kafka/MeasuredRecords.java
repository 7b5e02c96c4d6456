package io.tributary.jobs.kafka;

import io.tributary.jobs.metrics.EmissionLatency;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A sink's records, each counted in {@link EmissionLatency} by the Kafka timestamp it is written
 * with (the event time of what the job emits) as it goes to the producer.
 */
public final class MeasuredRecords<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final KafkaRecordSerializationSchema<T> records;
    private transient EmissionLatency latency;

    public MeasuredRecords(KafkaRecordSerializationSchema<T> records) {
        this.records = records;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
            throws Exception {
        records.open(context, sinkContext);
        latency = EmissionLatency.register(context.getMetricGroup(), false);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        ProducerRecord<byte[], byte[]> record = records.serialize(element, context, timestamp);
        if (record.timestamp() != null) {
            latency.emitted(record.timestamp());
        }
        return record;
    }
}
