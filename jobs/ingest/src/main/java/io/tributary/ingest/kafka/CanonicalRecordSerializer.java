package io.tributary.ingest.kafka;

import io.tributary.ingest.CanonicalRecord;
import io.tributary.jobs.metrics.EmissionLatency;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.ConfluentSchemaCoder;
import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.schemas.registry.SchemaRegistryClient;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes canonical records in the Confluent wire format: the Envelope schema is registered under
 * each topic's TopicNameStrategy subject ({@code <topic>-value}) when the writer opens, and every
 * record is that schema id's header followed by the already-encoded Avro body. The record timestamp
 * is the event time.
 */
public final class CanonicalRecordSerializer
        implements KafkaRecordSerializationSchema<CanonicalRecord> {
    private static final long serialVersionUID = 1L;

    private final CanonicalTopics topics;
    private final RegistryConnection registry;
    private transient Map<String, byte[]> headersByTopic;
    private transient EmissionLatency latency;

    public CanonicalRecordSerializer(CanonicalTopics topics, RegistryConnection registry) {
        this.topics = topics;
        this.registry = registry;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        latency = EmissionLatency.register(context.getMetricGroup(), true);
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        headersByTopic = new HashMap<>();
        for (String topic : topics.eventTopics()) {
            int id =
                    client.register(
                            ConfluentSchemaCoder.valueSubject(topic), Envelope.getClassSchema());
            headersByTopic.put(topic, ConfluentWireFormat.header(id));
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            CanonicalRecord record, KafkaSinkContext context, Long timestamp) {
        byte[] header = headersByTopic.get(record.topic);
        if (header == null) {
            throw new IllegalArgumentException("Not a canonical topic: " + record.topic);
        }
        byte[] value = new byte[header.length + record.envelopeAvro.length];
        System.arraycopy(header, 0, value, 0, header.length);
        System.arraycopy(record.envelopeAvro, 0, value, header.length, record.envelopeAvro.length);
        // The raw record's Kafka timestamp is when the event reached the platform.
        latency.emitted(
                record.eventTime,
                record.raw == null ? EmissionLatency.UNKNOWN : record.raw.timestamp);
        return new ProducerRecord<>(record.topic, null, record.eventTime, record.key, value);
    }
}
