package io.tributary.jobs.kafka;

import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Dead letters in the Confluent wire format, keyed by the rejected record's original key. */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializationSchema<DeadLetter> values;

    public DeadLetterSerializer(String topic, RegistryConnection registry) {
        this.topic = topic;
        this.values = ConfluentAvro.serializer(DeadLetter.class, topic, registry);
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
            throws Exception {
        values.open(context);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter deadLetter, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                deadLetter.getSourceTimestamp().toEpochMilli(),
                bytes(deadLetter.getOriginalKey()),
                values.serialize(deadLetter));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
