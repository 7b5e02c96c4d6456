package io.tributary.aggregations;

import io.tributary.jobs.CanonicalInputOptions;
import io.tributary.jobs.KafkaOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Topics;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Every option of the aggregations job, typed, with its default; {@code --help} prints them. */
@Command(
        name = "aggregations",
        mixinStandardHelpOptions = true,
        version = "tributary aggregations 0.1.0",
        description =
                "Canonical topics -> event-time windowed aggregates (exactly once); too-late events -> late-events topic.")
public class AggregationsOptions {

    @Mixin public KafkaOptions kafka = new KafkaOptions();

    @Mixin public RuntimeOptions runtime = new RuntimeOptions();

    @Mixin public CanonicalInputOptions canonical = new CanonicalInputOptions();

    @Option(
            names = "--input-topics",
            split = ",",
            defaultValue = Topics.EVENTS_AGGREGATED,
            description = "Canonical topics to read (default: ${DEFAULT-VALUE}).")
    public List<String> inputTopics;

    @Option(
            names = "--qoe-topic",
            defaultValue = Topics.AGG_QOE_MINUTE,
            description = "QoE per minute topic (default: ${DEFAULT-VALUE}).")
    public String qoeTopic;

    @Option(
            names = "--qoe-rendition-topic",
            defaultValue = Topics.AGG_QOE_RENDITION_MINUTE,
            description = "QoE per title x rendition per minute topic (default: ${DEFAULT-VALUE}).")
    public String qoeRenditionTopic;

    @Option(
            names = "--commerce-topic",
            defaultValue = Topics.AGG_COMMERCE_MINUTE,
            description = "Commerce per minute topic (default: ${DEFAULT-VALUE}).")
    public String commerceTopic;

    @Option(
            names = "--iot-topic",
            defaultValue = Topics.AGG_IOT_DEVICE_5M,
            description = "IoT per device and 5 minutes topic (default: ${DEFAULT-VALUE}).")
    public String iotTopic;

    @Option(
            names = "--sessions-topic",
            defaultValue = Topics.AGG_VIEWER_SESSIONS,
            description = "Viewer sessions topic (default: ${DEFAULT-VALUE}).")
    public String sessionsTopic;

    @Option(
            names = "--trending-topic",
            defaultValue = Topics.AGG_TRENDING_TITLES,
            description = "Trending titles topic (default: ${DEFAULT-VALUE}).")
    public String trendingTopic;

    @Option(
            names = "--trending-top-n",
            defaultValue = "10",
            description = "Titles per region ranking (default: ${DEFAULT-VALUE}).")
    public int trendingTopN;

    @Option(
            names = "--session-gap",
            defaultValue = "30m",
            converter = RuntimeOptions.DurationConverter.class,
            description = "Inactivity that ends a viewer session (default: ${DEFAULT-VALUE}).")
    public Duration sessionGap;

    @Option(
            names = "--late-topic",
            defaultValue = Topics.AGG_LATE_EVENTS,
            description = "Events later than the allowed lateness (default: ${DEFAULT-VALUE}).")
    public String lateTopic;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = Topics.AGG_DEAD_LETTERS,
            description =
                    "Records on the input topics that are not valid canonical events (default: ${DEFAULT-VALUE}).")
    public String deadLetterTopic;

    @Option(
            names = "--group-id",
            defaultValue = "tributary-aggregations",
            description = "Consumer group for offsets (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "tributary-aggregations",
            description =
                    "Prefix of the sinks' Kafka transactional ids; unique per job on a cluster (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "5m",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "How long a fired window still accepts late events, firing an updated revision (default: ${DEFAULT-VALUE}).")
    public Duration allowedLateness;

    @Option(
            names = "--heartbeat-interval",
            defaultValue = "10s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Playback time one player heartbeat stands for (default: ${DEFAULT-VALUE}).")
    public Duration heartbeatInterval;

    public AggregationsJob.Topics topics() {
        return new AggregationsJob.Topics(
                qoeTopic,
                qoeRenditionTopic,
                commerceTopic,
                iotTopic,
                sessionsTopic,
                trendingTopic,
                lateTopic,
                deadLetterTopic);
    }

    public AggregationsJob.Settings settings() {
        return new AggregationsJob.Settings(
                kafka.maxOutOfOrderness,
                kafka.idleness,
                allowedLateness,
                heartbeatInterval,
                sessionGap,
                trendingTopN);
    }
}
