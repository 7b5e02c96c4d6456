package io.tributary.media.job;

import io.tributary.jobs.KafkaOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.media.transcode.Ladder;
import io.tributary.media.transcode.RetryPolicy;
import io.tributary.media.transcode.TranscodeSla;
import io.tributary.schemas.Topics;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Every option of the media pipeline job, typed, with its default; {@code --help} prints them. */
@Command(
        name = "media",
        mixinStandardHelpOptions = true,
        version = "tributary media 0.1.0",
        description =
                "events.media -> assembled uploads, transcode requests with retries and SLAs, transcoded or failed media (exactly once).")
public class MediaPipelineOptions {

    @Mixin public KafkaOptions kafka = new KafkaOptions();

    @Mixin public RuntimeOptions runtime = new RuntimeOptions();

    @Option(
            names = "--media-topic",
            defaultValue = Topics.EVENTS_MEDIA,
            description = "Canonical media events to read (default: ${DEFAULT-VALUE}).")
    public String mediaTopic;

    @Option(
            names = "--pipeline-topic",
            defaultValue = Topics.MEDIA_PIPELINE,
            description =
                    "Where the pipeline's decisions go, keyed by media id; workers read TRANSCODE_REQUESTED here (default: ${DEFAULT-VALUE}).")
    public String pipelineTopic;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = Topics.MEDIA_DEAD_LETTERS,
            description = "Refused records (default: ${DEFAULT-VALUE}).")
    public String deadLetterTopic;

    @Option(
            names = "--ladder",
            defaultValue = "500k,1000k,2000k,4000k",
            description = "Renditions to transcode (default: ${DEFAULT-VALUE}).")
    public String ladder;

    @Option(
            names = "--max-attempts",
            defaultValue = "4",
            description = "Tries per rendition, the first included (default: ${DEFAULT-VALUE}).")
    public int maxAttempts;

    @Option(
            names = "--first-backoff",
            defaultValue = "30s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Wait before the first retry; doubles per retry (default: ${DEFAULT-VALUE}).")
    public Duration firstBackoff;

    @Option(
            names = "--max-backoff",
            defaultValue = "10m",
            converter = RuntimeOptions.DurationConverter.class,
            description = "Longest wait between retries (default: ${DEFAULT-VALUE}).")
    public Duration maxBackoff;

    @Option(
            names = "--sla-queued",
            defaultValue = "10m",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "A rendition waiting longer for a worker is an SLA breach (default: ${DEFAULT-VALUE}).")
    public Duration slaQueued;

    @Option(
            names = "--sla-running",
            defaultValue = "30m",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "A transcode running longer is an SLA breach (default: ${DEFAULT-VALUE}).")
    public Duration slaRunning;

    @Option(
            names = "--upload-timeout",
            defaultValue = "1h",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "An upload not complete this long after its first event fails (default: ${DEFAULT-VALUE}).")
    public Duration uploadTimeout;

    @Option(
            names = "--retention",
            defaultValue = "25h",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "How long (event time) a decided upload or transcode is remembered to drop late repeats; at least"
                            + " --max-event-age (default: ${DEFAULT-VALUE}).")
    public Duration retention;

    @Option(
            names = "--max-event-age",
            defaultValue = "24h",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "How late a repeat of a decided item may still arrive: ingest's --max-event-age, the oldest event it"
                            + " accepts. A shorter --retention would forget the item first and start it again (default: ${DEFAULT-VALUE}).")
    public Duration maxEventAge;

    @Option(
            names = "--quiet-after",
            defaultValue = "10s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "A silent partition's watermark follows the wall clock after this long (default: ${DEFAULT-VALUE}).")
    public Duration quietAfter;

    @Option(
            names = "--package-path",
            required = true,
            description =
                    "Where manifests go: file:///... or s3://bucket/prefix (flink-s3-fs-hadoop in the cluster's plugins/).")
    public String packagePath;

    @Option(
            names = "--cdn-base-url",
            required = true,
            description =
                    "Public URL of --package-path on the CDN; PUBLISHED carries <cdn-base-url>/<media id>/master.m3u8.")
    public String cdnBaseUrl;

    @Option(
            names = "--segment-duration",
            defaultValue = "6s",
            converter = RuntimeOptions.DurationConverter.class,
            description = "Length of HLS and DASH segments (default: ${DEFAULT-VALUE}).")
    public Duration segmentDuration;

    @Option(
            names = "--group-id",
            defaultValue = "tributary-media",
            description = "Consumer group for offsets (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "tributary-media",
            description =
                    "Prefix of the sinks' Kafka transactional ids; unique per job on a cluster (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    public MediaPipelineJob.Settings settings() {
        return new MediaPipelineJob.Settings(
                Ladder.parse(ladder),
                new RetryPolicy(maxAttempts, firstBackoff, maxBackoff),
                new TranscodeSla(slaQueued, slaRunning),
                uploadTimeout,
                retention,
                packagePath,
                segmentDuration,
                cdnBaseUrl);
    }
}
