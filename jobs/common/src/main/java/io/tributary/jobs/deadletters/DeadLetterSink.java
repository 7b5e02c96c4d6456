package io.tributary.jobs.deadletters;

import io.tributary.jobs.kafka.DeadLetterSerializer;
import io.tributary.schemas.DeadLetter;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** The sink jobs' own dead letters: to a Kafka topic, exactly once, like every other dead letter of the suite. */
public final class DeadLetterSink {
    private DeadLetterSink() {}

    public static KafkaSink<DeadLetter> exactlyOnce(
            String bootstrapServers, String topic, String registryUrl, String transactionalIdPrefix, Properties producer) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new DeadLetterSerializer(topic, registryUrl))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setKafkaProducerConfig(producer)
                .build();
    }
}
