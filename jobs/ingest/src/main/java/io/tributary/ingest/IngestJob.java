package io.tributary.ingest;

import io.tributary.ingest.dedup.DeduplicateByEventId;
import io.tributary.ingest.kafka.CanonicalRecordSerializer;
import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.validate.IngestLimits;
import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.jobs.kafka.RawRecordDeserializer;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.registry.RegistryConnection;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The ingest job: raw topics → parse → validate → normalise → deduplicate → canonical topics,
 * exactly once; rejected records → dead-letter topic.
 *
 * <pre>
 *  raw records ──▶ parse-validate ──▶ event-time ──▶ keyBy(eventId) ──▶ dedup ──▶ canonical sink
 *                        │
 *                        └── dead letters ──────────────────────────────────────▶ dead-letter sink
 * </pre>
 *
 * Sources and sinks come from the caller: {@code main} wires Kafka, tests may wire anything.
 * Operator uids are part of the savepoint contract and never change.
 */
public final class IngestJob {
    public static final String SOURCE_UID = "raw-records-source";
    public static final String PARSE_UID = "parse-validate-normalise";
    public static final String EVENT_TIME_UID = "assign-event-time";
    public static final String DEDUP_UID = "dedup-by-event-id";
    public static final String EVENTS_SINK_UID = "canonical-events-sink";
    public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";

    private IngestJob() {}

    /** How the job decides; everything but the connections. */
    public record Settings(
            IngestLimits limits,
            Duration dedupTtl,
            boolean dedupFilter,
            Duration maxOutOfOrderness,
            Duration idleness,
            RegistryConnection registry,
            CanonicalTopics topics) {}

    /** Where accepted events and dead letters go. */
    public record Sinks(Sink<CanonicalRecord> events, Sink<DeadLetter> deadLetters) {}

    public static DataStream<RawRecord> readRaw(
            StreamExecutionEnvironment env, Source<RawRecord, ?, ?> source) {
        // Event time is only known after parsing; watermarks are assigned there.
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "raw records")
                .uid(SOURCE_UID)
                .name("raw records");
    }

    public static void build(DataStream<RawRecord> raw, Settings settings, Sinks sinks) {
        SingleOutputStreamOperator<CanonicalRecord> valid =
                raw.process(
                                new ParseAndValidate(
                                        settings.limits(), settings.registry(), settings.topics()))
                        .uid(PARSE_UID)
                        .name("parse, validate, normalise");

        SingleOutputStreamOperator<CanonicalRecord> unique =
                valid.assignTimestampsAndWatermarks(
                                WatermarkStrategy.<CanonicalRecord>forBoundedOutOfOrderness(
                                                settings.maxOutOfOrderness())
                                        .withTimestampAssigner(new ByEventTime())
                                        .withIdleness(settings.idleness()))
                        .uid(EVENT_TIME_UID)
                        .name("assign event time")
                        .keyBy(new ByDomainAndEventId())
                        .transform(
                                "deduplicate by event id",
                                TypeInformation.of(CanonicalRecord.class),
                                new DeduplicateByEventId(
                                        settings.dedupTtl(),
                                        settings.dedupFilter(),
                                        ParseAndValidate.DEAD_LETTERS,
                                        ParseAndValidate.JOB_NAME))
                        .uid(DEDUP_UID)
                        .name("deduplicate by event id");
        unique.sinkTo(sinks.events()).uid(EVENTS_SINK_UID).name("canonical topics");

        valid.getSideOutput(ParseAndValidate.DEAD_LETTERS)
                .union(unique.getSideOutput(ParseAndValidate.DEAD_LETTERS))
                .sinkTo(sinks.deadLetters())
                .uid(DEAD_LETTER_SINK_UID)
                .name("dead-letter topic");
    }

    public static KafkaSource<RawRecord> kafkaSource(
            KafkaConnection kafka, List<String> topics, String groupId, boolean bounded) {
        var builder =
                KafkaSource.<RawRecord>builder()
                        .setProperties(kafka.clientProperties())
                        .setTopics(topics)
                        .setGroupId(groupId)
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(new RawRecordDeserializer())
                        .setProperty("isolation.level", "read_committed")
                        .setProperty("partition.discovery.interval.ms", "60000");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Both sinks EXACTLY_ONCE: records become visible to read_committed consumers on checkpoint.
     *
     * @param producer producer settings, see {@link
     *     io.tributary.jobs.RuntimeOptions#transactionalProducer()}
     */
    public static Sinks kafkaSinks(
            KafkaConnection kafka,
            RegistryConnection registry,
            CanonicalTopics topics,
            String transactionalIdPrefix,
            Properties producer) {
        KafkaSink<CanonicalRecord> events =
                KafkaSink.<CanonicalRecord>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setRecordSerializer(new CanonicalRecordSerializer(topics, registry))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix + "-events")
                        .setKafkaProducerConfig(kafka.producerProperties(producer))
                        .build();
        KafkaSink<DeadLetter> deadLetters =
                DeadLetterSink.exactlyOnce(
                        kafka,
                        topics.deadLetters(),
                        registry,
                        transactionalIdPrefix + "-dlq",
                        producer);
        return new Sinks(events, deadLetters);
    }

    /** Keys the dedup state. */
    public static final class ByDomainAndEventId implements KeySelector<CanonicalRecord, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(CanonicalRecord record) {
            return record.dedupKey();
        }
    }

    /**
     * Event time is the envelope's {@code eventTime}, as {@link
     * io.tributary.schemas.time.CanonicalEventTime} reads it in the jobs downstream; the sink
     * writes it as the Kafka record timestamp.
     */
    public static final class ByEventTime
            implements SerializableTimestampAssigner<CanonicalRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public long extractTimestamp(CanonicalRecord record, long recordTimestamp) {
            return record.eventTime;
        }
    }
}
