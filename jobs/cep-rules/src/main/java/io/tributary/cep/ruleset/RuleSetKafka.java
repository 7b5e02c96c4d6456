package io.tributary.cep.ruleset;

import io.tributary.jobs.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The CEP job's side of the rule-set topic: reading published revisions, writing statuses. */
public final class RuleSetKafka {
    private RuleSetKafka() {}

    /**
     * Every record of the rule-set topic from its start (the job passes over revisions it has),
     * committed ones only; a record without a value arrives as an empty one, for the gate to
     * refuse.
     */
    public static KafkaSource<byte[]> source(
            KafkaConnection kafka, String topic, String groupId, boolean bounded) {
        var builder =
                KafkaSource.<byte[]>builder()
                        .setProperties(kafka.clientProperties())
                        .setTopics(topic)
                        .setGroupId(groupId)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(new Values());
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Statuses keyed by revision. At least once: a status repeated after a failure says the same.
     */
    public static KafkaSink<byte[]> statusSink(KafkaConnection kafka, String topic) {
        return KafkaSink.<byte[]>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(kafka.producerProperties(new Properties()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(
                        (KafkaRecordSerializationSchema<byte[]>)
                                (status, context, timestamp) ->
                                        new ProducerRecord<>(
                                                topic,
                                                String.valueOf(
                                                                RuleSetStatus.fromJson(status)
                                                                        .revision())
                                                        .getBytes(StandardCharsets.UTF_8),
                                                status))
                .build();
    }

    /** The record's value as bytes, empty for none. */
    static final class Values implements KafkaRecordDeserializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<byte[]> out) {
            out.collect(record.value() == null ? new byte[0] : record.value());
        }

        @Override
        public TypeInformation<byte[]> getProducedType() {
            return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        }
    }
}
