package io.tributary.aggregations;

import io.tributary.aggregations.qoe.QoePerMinute;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.time.CanonicalEventTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The aggregations job: canonical topics → event-time windows → aggregate topics, exactly once;
 * events too late for their window → late-events topic.
 *
 * <pre>
 *  canonical events ──▶ QoE per minute ──▶ qoe-minute sink
 *                              └── too late ──▶ late-events sink
 * </pre>
 *
 * So far QoE per minute; trending titles, viewer sessions, commerce and IoT metrics follow.
 */
public final class AggregationsJob {
    public static final String SOURCE_UID = "canonical-events-source";
    public static final String QOE_SINK_UID = "qoe-minute-sink";
    public static final String LATE_SINK_UID = "late-events-sink";

    private AggregationsJob() {}

    /** How the job decides; everything but the connections. */
    public record Settings(
            Duration maxOutOfOrderness, Duration idleness, Duration allowedLateness, Duration heartbeatInterval) {}

    /** Where results and too-late events go. */
    public record Sinks(Sink<QoeMinute> qoeMinute, Sink<Envelope> lateEvents) {}

    public static DataStream<Envelope> readCanonical(
            StreamExecutionEnvironment env, Source<Envelope, ?, ?> source, Settings settings) {
        return env.fromSource(
                        source,
                        CanonicalEventTime.watermarks(settings.maxOutOfOrderness(), settings.idleness()),
                        "canonical events")
                .uid(SOURCE_UID)
                .name("canonical events");
    }

    public static void build(DataStream<Envelope> events, Settings settings, Sinks sinks) {
        SingleOutputStreamOperator<QoeMinute> qoe =
                QoePerMinute.apply(events, settings.allowedLateness(), settings.heartbeatInterval());
        qoe.sinkTo(sinks.qoeMinute()).uid(QOE_SINK_UID).name("qoe-minute topic");
        qoe.getSideOutput(QoePerMinute.TOO_LATE).sinkTo(sinks.lateEvents()).uid(LATE_SINK_UID).name("late-events topic");
    }

    public static KafkaSource<Envelope> kafkaSource(
            String bootstrapServers, List<String> topics, String groupId, String registryUrl, boolean bounded) {
        var builder =
                KafkaSource.<Envelope>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setTopics(topics)
                        .setGroupId(groupId)
                        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(
                                ConfluentAvro.deserializer(Envelope.class, registryUrl)))
                        // Canonical topics are written in transactions; only committed data counts.
                        .setProperty("isolation.level", "read_committed");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** Both sinks EXACTLY_ONCE, Avro in the Confluent wire format under {@code <topic>-value}. */
    public static Sinks kafkaSinks(
            String bootstrapServers,
            String registryUrl,
            String qoeTopic,
            String lateTopic,
            String transactionalIdPrefix,
            Properties producer) {
        KafkaSink<QoeMinute> qoe =
                KafkaSink.<QoeMinute>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setRecordSerializer(KafkaRecordSerializationSchema.<QoeMinute>builder()
                                .setTopic(qoeTopic)
                                .setKeySerializationSchema(new QoeMinuteKey())
                                .setValueSerializationSchema(ConfluentAvro.serializer(QoeMinute.class, qoeTopic, registryUrl))
                                .build())
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix + "-qoe")
                        .setKafkaProducerConfig(producer)
                        .build();
        KafkaSink<Envelope> late =
                KafkaSink.<Envelope>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setRecordSerializer(KafkaRecordSerializationSchema.<Envelope>builder()
                                .setTopic(lateTopic)
                                .setKeySerializationSchema(new EntityKey())
                                .setValueSerializationSchema(ConfluentAvro.serializer(Envelope.class, lateTopic, registryUrl))
                                .build())
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix + "-late")
                        .setKafkaProducerConfig(producer)
                        .build();
        return new Sinks(qoe, late);
    }

    /**
     * The natural key of a QoE row without its revision: every revision of a window lands in the
     * same partition, in order, and a compacted topic keeps the latest.
     */
    public static final class QoeMinuteKey implements SerializationSchema<QoeMinute> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(QoeMinute row) {
            return (row.getWindowStart().toEpochMilli() + "|" + row.getTitleId() + "|" + row.getCdn() + "|"
                            + row.getRegion() + "|" + row.getDeviceClass())
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Late events keyed by their session, as on the canonical player topic. */
    public static final class EntityKey implements SerializationSchema<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Envelope event) {
            String key = event.getPayload() instanceof PlayerEvent player ? player.getSessionId() : event.getEventId();
            return key.getBytes(StandardCharsets.UTF_8);
        }
    }
}
