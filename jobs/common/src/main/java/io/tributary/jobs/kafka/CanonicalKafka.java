package io.tributary.jobs.kafka;

import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * How every job after ingest meets Kafka: it reads canonical {@link Envelope}s written in
 * transactions (so read_committed), and writes Avro records in the Confluent wire format under
 * {@code <topic>-value}, exactly once.
 */
public final class CanonicalKafka {
    private CanonicalKafka() {}

    /**
     * The canonical topics from the group's committed offsets (earliest for a new group).
     *
     * @param bounded stop at the offsets that are latest when the job starts (benchmarks, replays)
     */
    public static KafkaSource<Envelope> source(
            KafkaConnection kafka,
            List<String> topics,
            String groupId,
            RegistryConnection registry,
            boolean bounded) {
        var builder =
                KafkaSource.<Envelope>builder()
                        .setProperties(kafka.clientProperties())
                        .setTopics(topics)
                        .setGroupId(groupId)
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(
                                KafkaRecordDeserializationSchema.valueOnly(
                                        ConfluentAvro.deserializer(Envelope.class, registry)))
                        // Canonical topics are written in transactions; only committed data counts.
                        .setProperty("isolation.level", "read_committed");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * An EXACTLY_ONCE sink of Avro records stamped with their stream timestamp; each sink of a job
     * needs its own transactional id prefix.
     */
    public static <T extends SpecificRecord> KafkaSink<T> exactlyOnceSink(
            Class<T> type,
            String topic,
            SerializationSchema<T> key,
            KafkaConnection kafka,
            RegistryConnection registry,
            String transactionalIdPrefix,
            Properties producer) {
        return sink(
                DeliveryGuarantee.EXACTLY_ONCE,
                KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(key)
                        .setValueSerializationSchema(
                                ConfluentAvro.serializer(type, topic, registry))
                        .build(),
                kafka,
                transactionalIdPrefix,
                producer);
    }

    /** As above, with the Kafka timestamp read from each record. */
    public static <T extends SpecificRecord> KafkaSink<T> exactlyOnceSink(
            Class<T> type,
            String topic,
            SerializationSchema<T> key,
            TimestampedRecords.Timestamp<T> timestamp,
            KafkaConnection kafka,
            RegistryConnection registry,
            String transactionalIdPrefix,
            Properties producer) {
        return sink(
                DeliveryGuarantee.EXACTLY_ONCE,
                type,
                topic,
                key,
                timestamp,
                kafka,
                registry,
                transactionalIdPrefix,
                producer);
    }

    /**
     * A sink of Avro records with the Kafka timestamp read from each record. EXACTLY_ONCE writes in
     * transactions; AT_LEAST_ONCE makes each record visible as soon as the broker acknowledges it,
     * and a replay after a failure may write it again: only for records with a stable identity that
     * every reader can deduplicate or upsert by.
     *
     * @param transactionalIdPrefix unique per sink; unused by AT_LEAST_ONCE
     */
    public static <T extends SpecificRecord> KafkaSink<T> sink(
            DeliveryGuarantee guarantee,
            Class<T> type,
            String topic,
            SerializationSchema<T> key,
            TimestampedRecords.Timestamp<T> timestamp,
            KafkaConnection kafka,
            RegistryConnection registry,
            String transactionalIdPrefix,
            Properties producer) {
        return sink(
                guarantee,
                new TimestampedRecords<>(
                        topic, key, ConfluentAvro.serializer(type, topic, registry), timestamp),
                kafka,
                transactionalIdPrefix,
                producer);
    }

    private static <T> KafkaSink<T> sink(
            DeliveryGuarantee guarantee,
            KafkaRecordSerializationSchema<T> records,
            KafkaConnection kafka,
            String transactionalIdPrefix,
            Properties producer) {
        var builder =
                KafkaSink.<T>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setRecordSerializer(new MeasuredRecords<>(records))
                        .setDeliveryGuarantee(guarantee);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            return builder.setTransactionalIdPrefix(transactionalIdPrefix)
                    .setKafkaProducerConfig(kafka.producerProperties(producer))
                    .build();
        }
        Properties plain = new Properties();
        plain.putAll(producer);
        plain.remove("transaction.timeout.ms");
        return builder.setKafkaProducerConfig(kafka.producerProperties(plain)).build();
    }
}
