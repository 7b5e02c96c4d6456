package io.tributary.sinks.lake;

import io.tributary.jobs.KafkaOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "sinks-lake",
        mixinStandardHelpOptions = true,
        description =
                "Canonical events and dead letters -> Parquet files partitioned by date and hour (exactly once).")
public class LakeOptions {
    @Mixin public RuntimeOptions runtime = new RuntimeOptions();
    @Mixin public KafkaOptions kafka = new KafkaOptions();

    @Option(
            names = "--lake-path",
            required = true,
            description =
                    "Root of the lake: file:///data/lake or s3://bucket/lake (s3 needs flink-s3-fs-hadoop in the cluster's plugins).")
    public String lakePath;

    @Option(
            names = "--event-topics",
            split = ",",
            defaultValue = Topics.EVENTS_ALL,
            description = "Canonical topics (default: ${DEFAULT-VALUE}).")
    public List<String> eventTopics;

    @Option(
            names = "--dead-letter-topics",
            split = ",",
            defaultValue = Topics.DEAD_LETTERS_ALL,
            description = "Dead-letter topics (default: ${DEFAULT-VALUE}).")
    public List<String> deadLetterTopics;

    @Option(
            names = "--sink-dead-letter-topic",
            defaultValue = Topics.SINKS_DEAD_LETTERS,
            description = "Where records the lake cannot decode go (default: ${DEFAULT-VALUE}).")
    public String sinkDeadLetterTopic;

    @Option(
            names = "--group-id",
            defaultValue = "tributary-sinks-lake",
            description = "Consumer group for offsets (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "tributary-sinks-lake",
            description =
                    "Kafka transactional id prefix of the dead-letter sink (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    public List<String> inputTopics() {
        List<String> topics = new ArrayList<>(eventTopics);
        topics.addAll(deadLetterTopics);
        return topics;
    }
}
