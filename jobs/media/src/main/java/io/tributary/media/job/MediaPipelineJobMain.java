package io.tributary.media.job;

import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.Preflight;
import io.tributary.jobs.TimeBudgets;
import io.tributary.jobs.deadletters.DeadLetterSink;
import io.tributary.jobs.kafka.CanonicalKafka;
import io.tributary.jobs.kafka.RawInput;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.media.MediaEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code flink run tributary-media-job.jar --bootstrap-servers ... --registry-url ...}
 *
 * <p>Nothing calls {@code System.exit}: Flink's clients extract the job graph by letting {@code
 * execute()} throw out of {@code main}.
 */
public final class MediaPipelineJobMain {
    private MediaPipelineJobMain() {}

    public static void main(String[] args) throws Exception {
        MediaPipelineOptions options = JobCommandLine.parse(new MediaPipelineOptions(), args);
        if (options != null) {
            TimeBudgets.requireRetentionCoversReplay(options.retention, options.maxEventAge);
            Preflight.check(options.runtime, options.kafka);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            options.runtime.configure(env);
            buildOnKafka(env, options);
            env.execute("tributary media pipeline");
        }
    }

    /** The job between the Kafka topics the options name. */
    public static void buildOnKafka(StreamExecutionEnvironment env, MediaPipelineOptions options) {
        MediaPipelineJob.build(
                env.fromSource(
                                RawInput.source(
                                        options.kafka.connection(),
                                        List.of(options.mediaTopic),
                                        options.groupId,
                                        options.runtime.bounded),
                                LiveEventTime.watermarks(
                                        options.kafka.maxOutOfOrderness, options.quietAfter),
                                Topics.EVENTS_MEDIA)
                        .uid("media-source"),
                options.kafka.registry(),
                options.settings(),
                sinks(options));
    }

    public static MediaPipelineJob.Sinks sinks(MediaPipelineOptions options) {
        return new MediaPipelineJob.Sinks(
                CanonicalKafka.exactlyOnceSink(
                        Envelope.class,
                        options.pipelineTopic,
                        new MediaIdKey(),
                        event -> event.getEventTime().toEpochMilli(),
                        options.kafka.connection(),
                        options.kafka.registry(),
                        options.transactionalIdPrefix + "-pipeline",
                        options.runtime.transactionalProducer()),
                DeadLetterSink.exactlyOnce(
                        options.kafka.connection(),
                        options.deadLetterTopic,
                        options.kafka.registry(),
                        options.transactionalIdPrefix + "-dead-letters",
                        options.runtime.transactionalProducer()));
    }

    /** Keys pipeline events by media id, so one item's events stay in order in one partition. */
    public static final class MediaIdKey implements SerializationSchema<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Envelope event) {
            return ((MediaEvent) event.getPayload()).getMediaId().getBytes(StandardCharsets.UTF_8);
        }
    }
}
