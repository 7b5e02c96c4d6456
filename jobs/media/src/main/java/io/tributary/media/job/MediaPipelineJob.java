package io.tributary.media.job;

import io.tributary.jobs.deadletters.CanonicalEnvelopeCheck;
import io.tributary.jobs.deadletters.DecodeRecords;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.media.packaging.ManifestStore;
import io.tributary.media.packaging.PackageMedia;
import io.tributary.media.transcode.Ladder;
import io.tributary.media.transcode.OrchestrateTranscodes;
import io.tributary.media.transcode.RetryPolicy;
import io.tributary.media.transcode.TranscodePlanner;
import io.tributary.media.transcode.TranscodeSla;
import io.tributary.media.upload.AssembleUploads;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.registry.RegistryConnection;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The media pipeline's upload and transcode stages as one job:
 *
 * <pre>
 * events.media (raw) -> decode --+-- upload chunks / declarations -> keyBy(media, upload) -> assemble uploads --+--> media.pipeline
 *                                |                                                     UPLOADED |          |
 *                                +-- worker reports ------------+ <------------------------------+          |
 *                                                               keyBy(media) -> orchestrate transcodes -----+
 *                                               -> package HLS + DASH and publish after each TRANSCODED -> media.pipeline
 * dead letters of every step -> media.dead-letters
 * </pre>
 *
 * Both stages run in one job so an upload's UPLOADED reaches the transcode stage without a round
 * trip through Kafka; everything the pipeline decides (UPLOADED, UPLOAD_FAILED,
 * TRANSCODE_REQUESTED, TRANSCODE_SLA_BREACHED, TRANSCODED, MEDIA_FAILED, PACKAGED, PUBLISHED)
 * leaves on one topic keyed by media id. Each stage's events of an item keep their order there
 * (TRANSCODE_REQUESTED before TRANSCODED before PACKAGED before PUBLISHED); between stages
 * (UPLOADED and the first request) the topic order is not guaranteed: sort by event time. The
 * worker pool consumes the TRANSCODE_REQUESTED events of that topic.
 */
public final class MediaPipelineJob {
    public static final String JOB = "tributary-media";
    public static final String DECODE_UID = "media-decode";
    public static final String UPLOAD_UID = "media-upload-assembly";
    public static final String TRANSCODE_UID = "media-transcode-orchestration";
    public static final String PACKAGING_UID = "media-packaging";
    public static final String EVENTS_SINK_UID = "media-pipeline-sink";
    public static final String DEAD_LETTER_SINK_UID = "media-dead-letter-sink";

    static final Set<EventType> UPLOAD_EVENTS =
            EnumSet.of(EventType.UPLOAD_CHUNK, EventType.UPLOAD_COMPLETED);
    static final Set<EventType> WORKER_REPORTS =
            EnumSet.of(
                    EventType.TRANSCODE_STARTED,
                    EventType.TRANSCODE_PROGRESS,
                    EventType.TRANSCODE_COMPLETED,
                    EventType.TRANSCODE_FAILED);

    private MediaPipelineJob() {}

    /** How the stages behave. */
    public record Settings(
            Ladder ladder,
            RetryPolicy retry,
            TranscodeSla sla,
            Duration uploadTimeout,
            Duration retention,
            String packagePath,
            Duration segmentDuration,
            String cdnBaseUrl) {}

    /** Where decisions and dead letters go. */
    public record Sinks(Sink<Envelope> pipelineEvents, Sink<DeadLetter> deadLetters) {}

    /**
     * @param mediaEvents raw records of the canonical media topic, with event-time timestamps and
     *     watermarks (see {@link LiveEventTime})
     */
    public static void build(
            DataStream<RawRecord> mediaEvents,
            RegistryConnection registry,
            Settings settings,
            Sinks sinks) {
        SingleOutputStreamOperator<MediaRecord> decoded =
                mediaEvents
                        .process(
                                DecodeRecords.keepingRaw(
                                        Envelope.class,
                                        registry,
                                        new CanonicalEnvelopeCheck(),
                                        MediaRecord::new,
                                        JOB))
                        .returns(MediaRecord.class)
                        .uid(DECODE_UID)
                        .name("decode media events");

        SingleOutputStreamOperator<Envelope> uploads =
                decoded.filter(r -> UPLOAD_EVENTS.contains(r.event.getEventType()))
                        .uid("media-upload-events")
                        .name("upload events")
                        .keyBy(AssembleUploads::key)
                        .process(
                                new AssembleUploads(
                                        settings.uploadTimeout(),
                                        settings.retention(),
                                        DecodeRecords.DEAD_LETTERS,
                                        JOB))
                        .returns(new AvroTypeInfo<>(Envelope.class))
                        .uid(UPLOAD_UID)
                        .name("assemble uploads");

        DataStream<MediaRecord> uploaded =
                uploads.filter(e -> e.getEventType() == EventType.UPLOADED)
                        .uid("media-uploaded")
                        .name("uploaded")
                        .map(MediaRecord::derived)
                        .returns(MediaRecord.class)
                        .uid("media-uploaded-as-input")
                        .name("as pipeline input");
        TranscodePlanner planner =
                new TranscodePlanner(settings.ladder(), settings.retry(), settings.sla());
        SingleOutputStreamOperator<Envelope> transcodes =
                decoded.filter(r -> WORKER_REPORTS.contains(r.event.getEventType()))
                        .uid("media-worker-reports")
                        .name("worker reports")
                        .union(uploaded)
                        .keyBy(r -> r.media().getMediaId())
                        .process(
                                new OrchestrateTranscodes(
                                        planner,
                                        settings.retention(),
                                        DecodeRecords.DEAD_LETTERS,
                                        JOB))
                        .returns(new AvroTypeInfo<>(Envelope.class))
                        .uid(TRANSCODE_UID)
                        .name("orchestrate transcodes");

        SingleOutputStreamOperator<Envelope> transcodedAndPackaged =
                transcodes
                        .process(
                                new PackageMedia(
                                        settings.ladder(),
                                        settings.segmentDuration().toMillis(),
                                        new ManifestStore(settings.packagePath()),
                                        settings.cdnBaseUrl()))
                        .returns(new AvroTypeInfo<>(Envelope.class))
                        .uid(PACKAGING_UID)
                        .name("package HLS and DASH, publish");

        uploads.union(transcodedAndPackaged)
                .sinkTo(sinks.pipelineEvents())
                .uid(EVENTS_SINK_UID)
                .name("media.pipeline topic");
        decoded.getSideOutput(DecodeRecords.DEAD_LETTERS)
                .union(
                        uploads.getSideOutput(DecodeRecords.DEAD_LETTERS),
                        transcodes.getSideOutput(DecodeRecords.DEAD_LETTERS))
                .sinkTo(sinks.deadLetters())
                .uid(DEAD_LETTER_SINK_UID)
                .name("dead-letter topic");
    }
}
