package io.tributary.jobs.deadletters;

import io.tributary.jobs.kafka.DeadLetterSerializer;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.registry.RegistryConnection;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** Every job's dead letters: to a Kafka topic, exactly once. */
public final class DeadLetterSink {
    /**
     * The dead-letter producer's request limit, set rather than inherited: every dead letter is
     * below {@link DeadLetters#MAX_SERIALIZED_BYTES}, which is below this and below the broker's
     * default {@code message.max.bytes}.
     */
    public static final int MAX_REQUEST_BYTES = 1024 * 1024;

    private DeadLetterSink() {}

    public static KafkaSink<DeadLetter> exactlyOnce(
            KafkaConnection kafka,
            String topic,
            RegistryConnection registry,
            String transactionalIdPrefix,
            Properties producer) {
        Properties withLimit = kafka.producerProperties(producer);
        withLimit.setProperty("max.request.size", Integer.toString(MAX_REQUEST_BYTES));
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setRecordSerializer(new DeadLetterSerializer(topic, registry))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setKafkaProducerConfig(withLimit)
                .build();
    }
}
