package io.tributary.ingest;

import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.validate.IngestLimits;
import io.tributary.jobs.KafkaOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Topics;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Every option of the ingest job, typed, with its default; {@code --help} prints them. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        version = "tributary ingest 0.1.0",
        description =
                "Raw topics -> validated, deduplicated canonical Avro topics (exactly once); bad records -> dead-letter topic.")
public class IngestOptions {

    @Mixin public KafkaOptions kafka = new KafkaOptions();

    @Mixin public RuntimeOptions runtime = new RuntimeOptions();

    @Option(
            names = "--raw-topics",
            split = ",",
            defaultValue = Topics.RAW_ALL,
            description = "Raw topics to read (default: ${DEFAULT-VALUE}).")
    public List<String> rawTopics;

    @Option(
            names = "--player-topic",
            defaultValue = Topics.EVENTS_PLAYER,
            description = "Canonical player topic (default: ${DEFAULT-VALUE}).")
    public String playerTopic;

    @Option(
            names = "--media-topic",
            defaultValue = Topics.EVENTS_MEDIA,
            description = "Canonical media topic (default: ${DEFAULT-VALUE}).")
    public String mediaTopic;

    @Option(
            names = "--commerce-topic",
            defaultValue = Topics.EVENTS_COMMERCE,
            description = "Canonical commerce topic (default: ${DEFAULT-VALUE}).")
    public String commerceTopic;

    @Option(
            names = "--iot-topic",
            defaultValue = Topics.EVENTS_IOT,
            description = "Canonical IoT topic (default: ${DEFAULT-VALUE}).")
    public String iotTopic;

    @Option(
            names = "--dead-letter-topic",
            defaultValue = Topics.INGEST_DEAD_LETTERS,
            description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    public String deadLetterTopic;

    @Option(
            names = "--group-id",
            defaultValue = "tributary-ingest",
            description = "Consumer group for offsets (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(
            names = "--transactional-id-prefix",
            defaultValue = "tributary-ingest",
            description =
                    "Prefix of the sinks' Kafka transactional ids; unique per job on a cluster (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    @Option(
            names = "--dedup-ttl",
            defaultValue = "25h",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "How long an event id is remembered for deduplication; at least --max-event-age plus --max-future-skew"
                            + " (default: ${DEFAULT-VALUE}).")
    public Duration dedupTtl;

    @Option(
            names = "--dedup-filter",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Keep an in-memory filter of the ids stored within --dedup-ttl, so that a new id (almost every event)"
                            + " needs no state lookup; about 2 MB of heap per million ids per subtask. --no-dedup-filter"
                            + " reads the state for every event (default: ${DEFAULT-VALUE}).")
    public boolean dedupFilter;

    @Option(
            names = "--max-record-bytes",
            defaultValue = "65536",
            description = "Larger raw records are dead-lettered (default: ${DEFAULT-VALUE}).")
    public int maxRecordBytes;

    @Option(
            names = "--max-string-length",
            defaultValue = "256",
            description = "Longest accepted string field (default: ${DEFAULT-VALUE}).")
    public int maxStringLength;

    @Option(
            names = "--max-future-skew",
            defaultValue = "5m",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "How far an event time may be ahead of when its record arrived: the earlier of its Kafka timestamp and"
                            + " the job's clock (default: ${DEFAULT-VALUE}).")
    public Duration maxFutureSkew;

    @Option(
            names = "--max-event-age",
            defaultValue = "24h",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "How far an event time may be behind its record's Kafka timestamp (default: ${DEFAULT-VALUE}).")
    public Duration maxEventAge;

    public CanonicalTopics topics() {
        return new CanonicalTopics(
                playerTopic, mediaTopic, commerceTopic, iotTopic, deadLetterTopic);
    }

    public IngestJob.Settings settings() {
        return new IngestJob.Settings(
                new IngestLimits(maxRecordBytes, maxStringLength, maxFutureSkew, maxEventAge),
                dedupTtl,
                dedupFilter,
                kafka.maxOutOfOrderness,
                kafka.idleness,
                kafka.registry(),
                topics());
    }
}
