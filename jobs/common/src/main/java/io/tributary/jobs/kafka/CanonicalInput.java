package io.tributary.jobs.kafka;

import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.RegistryConnection;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * What a job after ingest reads from the canonical topics: the events, and the dead letters of
 * records that were not events ({@link CanonicalEventsDeserializer}). A job writes the dead letters
 * to its own dead-letter topic, so a bad record on a canonical topic is kept and the job goes on.
 *
 * @param deadLetters null when the events come from somewhere that cannot hold bad records (tests
 *     that build events in memory)
 */
public record CanonicalInput(DataStream<Envelope> events, DataStream<DeadLetter> deadLetters) {
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("canonical-dead-letters") {};

    /** Events built in memory: nothing to dead-letter. */
    public static CanonicalInput of(DataStream<Envelope> events) {
        return new CanonicalInput(events, null);
    }

    /** The same input with its events passed through {@code events} (a test's injected failure). */
    public CanonicalInput withEvents(DataStream<Envelope> events) {
        return new CanonicalInput(events, deadLetters);
    }

    /**
     * The canonical topics from the group's committed offsets (earliest for a new group), only
     * committed data, each record decoded and checked in the source.
     *
     * @param bounded stop at the offsets that are latest when the job starts (benchmarks, replays)
     */
    public static KafkaSource<Either<DeadLetter, Envelope>> kafkaSource(
            KafkaConnection kafka,
            List<String> topics,
            String groupId,
            RegistryConnection registry,
            String job,
            Duration maxFutureSkew,
            boolean bounded) {
        return kafkaSource(
                kafka, topics, groupId, registry, job, maxFutureSkew, bounded, Isolation.COMMITTED);
    }

    /** Which canonical records a job reads. */
    public enum Isolation {
        /** Only records of committed ingest transactions: visible at ingest's checkpoints. */
        COMMITTED,
        /**
         * Every record as soon as ingest writes it, including those of transactions that ingest
         * aborts and replays after a failure: the job must drop the replayed copies by event id
         * ({@code DropReplayedEvents} in the CEP job).
         */
        UNCOMMITTED
    }

    /** As above, reading the records {@code isolation} names. */
    public static KafkaSource<Either<DeadLetter, Envelope>> kafkaSource(
            KafkaConnection kafka,
            List<String> topics,
            String groupId,
            RegistryConnection registry,
            String job,
            Duration maxFutureSkew,
            boolean bounded,
            Isolation isolation) {
        var builder =
                KafkaSource.<Either<DeadLetter, Envelope>>builder()
                        .setProperties(kafka.clientProperties())
                        .setTopics(topics)
                        .setGroupId(groupId)
                        .setStartingOffsets(
                                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                        .setDeserializer(
                                new CanonicalEventsDeserializer(registry, job, maxFutureSkew))
                        .setProperty(
                                "isolation.level",
                                isolation == Isolation.COMMITTED
                                        ? "read_committed"
                                        : "read_uncommitted");
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Reads the source with per-partition event-time watermarks and splits off the dead letters
     * right there, in the source's chain.
     */
    public static CanonicalInput read(
            StreamExecutionEnvironment env,
            Source<Either<DeadLetter, Envelope>, ?, ?> source,
            Duration maxOutOfOrderness,
            Duration idleness,
            String sourceUid) {
        SingleOutputStreamOperator<Envelope> events =
                env.fromSource(source, watermarks(maxOutOfOrderness, idleness), "canonical events")
                        .uid(sourceUid)
                        .name("canonical events")
                        .process(new SplitDeadLetters())
                        .uid(sourceUid + "-split-dead-letters")
                        .name("split off dead letters");
        return new CanonicalInput(events, events.getSideOutput(DEAD_LETTERS));
    }

    /**
     * Event time is the envelope's {@code eventTime}, as in every job. A dead letter has none: it
     * reports {@link Long#MIN_VALUE}, which moves no watermark.
     */
    public static WatermarkStrategy<Either<DeadLetter, Envelope>> watermarks(
            Duration maxOutOfOrderness, Duration idleness) {
        return WatermarkStrategy.<Either<DeadLetter, Envelope>>forBoundedOutOfOrderness(
                        maxOutOfOrderness)
                .withTimestampAssigner(new EventTimeOrNone())
                .withIdleness(idleness);
    }

    static final class EventTimeOrNone
            implements SerializableTimestampAssigner<Either<DeadLetter, Envelope>> {
        private static final long serialVersionUID = 1L;

        @Override
        public long extractTimestamp(Either<DeadLetter, Envelope> record, long recordTimestamp) {
            return record.isRight() ? record.right().getEventTime().toEpochMilli() : Long.MIN_VALUE;
        }
    }

    /**
     * Events on, dead letters to {@link #DEAD_LETTERS}. Stateless; its uid is stable all the same.
     */
    static final class SplitDeadLetters
            extends ProcessFunction<Either<DeadLetter, Envelope>, Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(
                Either<DeadLetter, Envelope> record, Context ctx, Collector<Envelope> out) {
            if (record.isRight()) {
                out.collect(record.right());
            } else {
                ctx.output(DEAD_LETTERS, record.left());
            }
        }
    }
}
