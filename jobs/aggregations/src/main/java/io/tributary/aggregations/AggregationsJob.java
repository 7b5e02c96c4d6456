package io.tributary.aggregations;

import io.tributary.aggregations.commerce.CommercePerMinute;
import io.tributary.aggregations.iot.IotPerDevice;
import io.tributary.aggregations.qoe.QoePerMinute;
import io.tributary.aggregations.rendition.QoePerRenditionMinute;
import io.tributary.aggregations.sessions.ViewerSessions;
import io.tributary.aggregations.trending.TrendingTitlesStage;
import io.tributary.aggregations.window.TwoPhaseWindow;
import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.dedup.FirstCopyPerEventId;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.jobs.kafka.CanonicalKafka;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.registry.RegistryConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * The aggregations job: canonical topics → event-time windows → aggregate topics, exactly once;
 * events too late for their window → late-events topic.
 *
 * <pre>
 *                   ┌─▶ QoE per minute ────────▶ qoe-minute sink
 *                    ├─▶ QoE per rendition ─────▶ qoe-rendition-minute sink
 *  canonical events ─┼─▶ commerce per minute ───▶ commerce-minute sink
 *                    ├─▶ IoT per device, 5 min ─▶ iot-device-5m sink
 *                    ├─▶ viewer sessions ───────▶ viewer-sessions sink
 *                    └─▶ trending titles ───────▶ trending-titles sink
 *          │               (too late, all six) ──▶ late-events sink
 *          └─(not an event) ─────────────────▶ dead-letter sink
 * </pre>
 */
public final class AggregationsJob {
    public static final String SOURCE_UID = "canonical-events-source";
    public static final String QOE_SINK_UID = "qoe-minute-sink";
    public static final String QOE_RENDITION_SINK_UID = "qoe-rendition-minute-sink";
    public static final String COMMERCE_SINK_UID = "commerce-minute-sink";
    public static final String IOT_SINK_UID = "iot-device-5m-sink";
    public static final String SESSIONS_SINK_UID = "viewer-sessions-sink";
    public static final String TRENDING_SINK_UID = "trending-titles-sink";
    public static final String LATE_SINK_UID = "late-events-sink";
    public static final String LATE_ONCE_UID = "late-events-once";
    public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";

    /** The job's name in its dead letters. */
    public static final String JOB = "tributary-aggregations";

    private static final Duration LATE_COPIES_TTL = Duration.ofMinutes(10);

    /** The state of late event ids already sent; its name is part of the savepoint layout. */
    public static final String LATE_COPY_STATE = "late-event-sent";

    private AggregationsJob() {}

    /** How the job decides; everything but the connections. */
    public record Settings(
            Duration maxOutOfOrderness,
            Duration idleness,
            Duration allowedLateness,
            Duration heartbeatInterval,
            Duration sessionGap,
            int trendingTopN) {}

    /** Where results and too-late events go. */
    public record Sinks(
            Sink<QoeMinute> qoeMinute,
            Sink<QoeRenditionMinute> qoeRenditionMinute,
            Sink<CommerceMinute> commerceMinute,
            Sink<IotDevice5m> iotDevice5m,
            Sink<ViewerSession> viewerSessions,
            Sink<TrendingTitles> trendingTitles,
            Sink<Envelope> lateEvents,
            Sink<DeadLetter> deadLetters) {}

    /** Topics of the results and of too-late events. */
    public record Topics(
            String qoeMinute,
            String qoeRenditionMinute,
            String commerceMinute,
            String iotDevice5m,
            String viewerSessions,
            String trendingTitles,
            String lateEvents,
            String deadLetters) {}

    /**
     * The canonical topics, decoded and checked in the source; what is not an event is a dead
     * letter.
     */
    public static CanonicalInput readCanonical(
            StreamExecutionEnvironment env,
            Source<Either<DeadLetter, Envelope>, ?, ?> source,
            Settings settings) {
        return CanonicalInput.read(
                env, source, settings.maxOutOfOrderness(), settings.idleness(), SOURCE_UID);
    }

    public static void build(CanonicalInput input, Settings settings, Sinks sinks) {
        if (input.deadLetters() != null) {
            input.deadLetters()
                    .sinkTo(sinks.deadLetters())
                    .uid(DEAD_LETTER_SINK_UID)
                    .name("dead-letter topic");
        }
        DataStream<Envelope> events = input.events();
        TwoPhaseWindow.Results<QoeMinute> qoe =
                QoePerMinute.apply(
                        events, settings.allowedLateness(), settings.heartbeatInterval());
        TwoPhaseWindow.Results<QoeRenditionMinute> renditions =
                QoePerRenditionMinute.apply(
                        events, settings.allowedLateness(), settings.heartbeatInterval());
        TwoPhaseWindow.Results<CommerceMinute> commerce =
                CommercePerMinute.apply(events, settings.allowedLateness());
        TwoPhaseWindow.Results<IotDevice5m> iot =
                IotPerDevice.apply(events, settings.allowedLateness());
        TwoPhaseWindow.Results<ViewerSession> sessions =
                ViewerSessions.apply(
                        events,
                        settings.sessionGap(),
                        settings.allowedLateness(),
                        settings.heartbeatInterval());
        TrendingTitlesStage.Streams trending =
                TrendingTitlesStage.apply(
                        events, settings.trendingTopN(), settings.allowedLateness());
        qoe.results().sinkTo(sinks.qoeMinute()).uid(QOE_SINK_UID).name("qoe-minute topic");
        renditions
                .results()
                .sinkTo(sinks.qoeRenditionMinute())
                .uid(QOE_RENDITION_SINK_UID)
                .name("qoe-rendition-minute topic");
        commerce.results()
                .sinkTo(sinks.commerceMinute())
                .uid(COMMERCE_SINK_UID)
                .name("commerce-minute topic");
        iot.results().sinkTo(sinks.iotDevice5m()).uid(IOT_SINK_UID).name("iot-device-5m topic");
        sessions.results()
                .sinkTo(sinks.viewerSessions())
                .uid(SESSIONS_SINK_UID)
                .name("viewer-sessions topic");
        trending.ranked()
                .sinkTo(sinks.trendingTitles())
                .uid(TRENDING_SINK_UID)
                .name("trending-titles topic");
        qoe.tooLate()
                .union(
                        renditions.tooLate(),
                        commerce.tooLate(),
                        iot.tooLate(),
                        sessions.tooLate(),
                        trending.tooLate())
                // One player event feeds several aggregates, so when it is too late it is too late
                // for several of them at once; its copies leave their windows within moments.
                .keyBy(new FirstCopyPerEventId.ByEventId())
                .process(new FirstCopyPerEventId(LATE_COPY_STATE, LATE_COPIES_TTL))
                .uid(LATE_ONCE_UID)
                .name("each late event once")
                .sinkTo(sinks.lateEvents())
                .uid(LATE_SINK_UID)
                .name("late-events topic");
    }

    public static KafkaSource<Either<DeadLetter, Envelope>> kafkaSource(
            KafkaConnection kafka,
            List<String> topics,
            String groupId,
            RegistryConnection registry,
            Duration maxFutureSkew,
            boolean bounded) {
        return CanonicalInput.kafkaSource(
                kafka, topics, groupId, registry, JOB, maxFutureSkew, bounded);
    }

    /** Every sink EXACTLY_ONCE, Avro in the Confluent wire format under {@code <topic>-value}. */
    public static Sinks kafkaSinks(
            KafkaConnection kafka,
            RegistryConnection registry,
            Topics topics,
            String transactionalIdPrefix,
            Properties producer) {
        var sinks = new AvroSinks(kafka, registry, transactionalIdPrefix, producer);
        return new Sinks(
                sinks.build(QoeMinute.class, topics.qoeMinute(), new QoeMinuteKey(), "qoe"),
                sinks.build(
                        QoeRenditionMinute.class,
                        topics.qoeRenditionMinute(),
                        new QoeRenditionMinuteKey(),
                        "qoe-rendition"),
                sinks.build(
                        CommerceMinute.class,
                        topics.commerceMinute(),
                        new CommerceMinuteKey(),
                        "commerce"),
                sinks.build(IotDevice5m.class, topics.iotDevice5m(), new IotDevice5mKey(), "iot"),
                sinks.build(
                        ViewerSession.class, topics.viewerSessions(), new ViewerKey(), "sessions"),
                sinks.build(
                        TrendingTitles.class,
                        topics.trendingTitles(),
                        new TrendingKey(),
                        "trending"),
                sinks.build(Envelope.class, topics.lateEvents(), new EntityKey(), "late"),
                DeadLetterSink.exactlyOnce(
                        kafka,
                        topics.deadLetters(),
                        registry,
                        transactionalIdPrefix + "-dead-letters",
                        producer));
    }

    private record AvroSinks(
            KafkaConnection kafka,
            RegistryConnection registry,
            String transactionalIdPrefix,
            Properties producer) {
        <T extends SpecificRecord> KafkaSink<T> build(
                Class<T> type, String topic, SerializationSchema<T> key, String name) {
            return CanonicalKafka.exactlyOnceSink(
                    type,
                    topic,
                    key,
                    kafka,
                    registry,
                    transactionalIdPrefix + "-" + name,
                    producer);
        }
    }

    /**
     * The natural key of a QoE row without its revision: every revision of a window lands in the
     * same partition, in order, and a compacted topic keeps the latest.
     */
    public static final class QoeMinuteKey implements SerializationSchema<QoeMinute> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(QoeMinute row) {
            return (row.getWindowStart().toEpochMilli()
                            + "|"
                            + row.getTitleId()
                            + "|"
                            + row.getCdn()
                            + "|"
                            + row.getRegion()
                            + "|"
                            + row.getDeviceClass())
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Rendition QoE rows keyed by window, title and rendition, without the revision. */
    public static final class QoeRenditionMinuteKey
            implements SerializationSchema<QoeRenditionMinute> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(QoeRenditionMinute row) {
            return (row.getWindowStart().toEpochMilli()
                            + "|"
                            + row.getTitleId()
                            + "|"
                            + row.getRenditionId())
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Commerce rows keyed by window and market, without the revision. */
    public static final class CommerceMinuteKey implements SerializationSchema<CommerceMinute> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(CommerceMinute row) {
            return (row.getWindowStart().toEpochMilli()
                            + "|"
                            + row.getCountry()
                            + "|"
                            + row.getCurrency())
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** IoT rows keyed by window, device and metric, without the revision. */
    public static final class IotDevice5mKey implements SerializationSchema<IotDevice5m> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(IotDevice5m row) {
            return (row.getWindowStart().toEpochMilli()
                            + "|"
                            + row.getDeviceId()
                            + "|"
                            + row.getMetric())
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Sessions keyed by viewer: all of a viewer's sessions, and their revisions, in one partition,
     * in order.
     */
    public static final class ViewerKey implements SerializationSchema<ViewerSession> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(ViewerSession row) {
            return row.getViewerId().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Rankings keyed by region and window, without the revision. */
    public static final class TrendingKey implements SerializationSchema<TrendingTitles> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(TrendingTitles row) {
            return (row.getRegion() + "|" + row.getWindowEnd().toEpochMilli())
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Late events keyed by the entity they are about, as on the canonical topics. */
    public static final class EntityKey implements SerializationSchema<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Envelope event) {
            Object payload = event.getPayload();
            String key =
                    payload instanceof PlayerEvent player
                            ? player.getSessionId()
                            : payload instanceof CommerceEvent commerce
                                    ? commerce.getOrderId()
                                    : payload instanceof IotTelemetry reading
                                            ? reading.getDeviceId()
                                            : event.getEventId();
            return key.getBytes(StandardCharsets.UTF_8);
        }
    }
}
