package io.tributary.sinks.lake;

import io.tributary.jobs.deadletters.CanonicalEnvelopeCheck;
import io.tributary.jobs.deadletters.DecodeRecords;
import io.tributary.jobs.deadletters.RecordCheck;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.RegistryConnection;
import java.util.List;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The cold tier: every canonical event and every dead letter as Parquet, partitioned by date and
 * hour, exactly once.
 *
 * <pre>
 *  raw records ─┬─ canonical topics ──▶ decode ─▶ lake event ─▶ FileSink events/
 *               └─ dead-letter topics ▶ decode ─────────────────▶ FileSink dead_letters/
 *                        └── undecodable (either) ─▶ dead-letter topic (and so, next, the lake)
 * </pre>
 */
public final class LakeJob {
    public static final String JOB = "sinks-lake";

    private LakeJob() {}

    public static void build(
            DataStream<RawRecord> input,
            List<String> eventTopics,
            List<String> deadLetterTopics,
            RegistryConnection registry,
            LakeSinks sinks) {
        Set<String> events = Set.copyOf(eventTopics);
        Set<String> deadLetters = Set.copyOf(deadLetterTopics);

        SingleOutputStreamOperator<GenericRecord> lakeEvents =
                input.filter(raw -> events.contains(raw.topic))
                        .uid("lake-event-topics")
                        .name("canonical topics")
                        .process(
                                new DecodeRecords<>(
                                        Envelope.class,
                                        registry,
                                        new CanonicalEnvelopeCheck(),
                                        LakeEvents::of,
                                        RecordCheck.acceptAll(),
                                        JOB))
                        .returns(new GenericRecordAvroTypeInfo(LakeEvents.SCHEMA))
                        .uid("lake-events-decode")
                        .name("decode events");
        lakeEvents.sinkTo(sinks.events()).uid("lake-events-sink").name("events/ (Parquet)");

        SingleOutputStreamOperator<DeadLetter> storedDeadLetters =
                input.filter(raw -> deadLetters.contains(raw.topic))
                        .uid("lake-dead-letter-topics")
                        .name("dead-letter topics")
                        .process(
                                DecodeRecords.as(
                                        DeadLetter.class, registry, RecordCheck.acceptAll(), JOB))
                        .returns(new AvroTypeInfo<>(DeadLetter.class))
                        .uid("lake-dead-letters-decode")
                        .name("decode dead letters");
        storedDeadLetters
                .sinkTo(sinks.deadLetters())
                .uid("lake-dead-letters-sink")
                .name("dead_letters/ (Parquet)");

        lakeEvents
                .getSideOutput(DecodeRecords.DEAD_LETTERS)
                .union(storedDeadLetters.getSideOutput(DecodeRecords.DEAD_LETTERS))
                .sinkTo(sinks.rejected())
                .uid("lake-rejected-sink")
                .name("dead-letter topic");
    }
}
