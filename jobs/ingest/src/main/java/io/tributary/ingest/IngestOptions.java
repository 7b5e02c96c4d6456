package io.tributary.ingest;

import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.validate.IngestLimits;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Every option of the ingest job, typed, with its default; {@code --help} prints them. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        version = "tributary ingest 0.1.0",
        description = "Raw topics -> validated, deduplicated canonical Avro topics (exactly once); bad records -> dead-letter topic.")
public class IngestOptions {

    public enum StateBackend {
        ROCKSDB,
        HASHMAP
    }

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    public String bootstrapServers;

    @Option(names = "--registry-url", required = true, description = "Confluent-compatible schema registry URL.")
    public String registryUrl;

    @Option(names = "--raw-topics", split = ",", defaultValue = "raw.player,raw.media,raw.commerce,raw.iot",
            description = "Raw topics to read (default: ${DEFAULT-VALUE}).")
    public List<String> rawTopics;

    @Option(names = "--player-topic", defaultValue = "events.player", description = "Canonical player topic (default: ${DEFAULT-VALUE}).")
    public String playerTopic;

    @Option(names = "--media-topic", defaultValue = "events.media", description = "Canonical media topic (default: ${DEFAULT-VALUE}).")
    public String mediaTopic;

    @Option(names = "--commerce-topic", defaultValue = "events.commerce", description = "Canonical commerce topic (default: ${DEFAULT-VALUE}).")
    public String commerceTopic;

    @Option(names = "--iot-topic", defaultValue = "events.iot", description = "Canonical IoT topic (default: ${DEFAULT-VALUE}).")
    public String iotTopic;

    @Option(names = "--dead-letter-topic", defaultValue = "ingest.dead-letters", description = "Dead-letter topic (default: ${DEFAULT-VALUE}).")
    public String deadLetterTopic;

    @Option(names = "--group-id", defaultValue = "tributary-ingest", description = "Consumer group for offsets (default: ${DEFAULT-VALUE}).")
    public String groupId;

    @Option(names = "--transactional-id-prefix", defaultValue = "tributary-ingest",
            description = "Prefix of the sinks' Kafka transactional ids; unique per job on a cluster (default: ${DEFAULT-VALUE}).")
    public String transactionalIdPrefix;

    @Option(names = "--transaction-timeout", defaultValue = "10m", converter = DurationConverter.class,
            description = "Kafka transaction timeout; below the broker's transaction.max.timeout.ms (default: ${DEFAULT-VALUE}).")
    public Duration transactionTimeout;

    @Option(names = "--bounded", description = "Stop after the records present at start (backfills, tests).")
    public boolean bounded;

    @Option(names = "--parallelism", defaultValue = "2", description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    public int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class,
            description = "Checkpoint interval; also how often output becomes visible to read_committed readers (default: ${DEFAULT-VALUE}).")
    public Duration checkpointInterval;

    @Option(names = "--checkpoint-dir", description = "Checkpoint storage URI (file:///..., s3://...); the cluster's setting when absent.")
    public String checkpointDir;

    @Option(names = "--state-backend", defaultValue = "ROCKSDB",
            description = "State backend: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    public StateBackend stateBackend;

    @Option(names = "--dedup-ttl", defaultValue = "24h", converter = DurationConverter.class,
            description = "How long an event id is remembered for deduplication (default: ${DEFAULT-VALUE}).")
    public Duration dedupTtl;

    @Option(names = "--max-out-of-orderness", defaultValue = "5s", converter = DurationConverter.class,
            description = "Watermark delay behind the largest event time seen (default: ${DEFAULT-VALUE}).")
    public Duration maxOutOfOrderness;

    @Option(names = "--idleness", defaultValue = "30s", converter = DurationConverter.class,
            description = "A source split silent this long stops holding back watermarks (default: ${DEFAULT-VALUE}).")
    public Duration idleness;

    @Option(names = "--max-record-bytes", defaultValue = "65536", description = "Larger raw records are dead-lettered (default: ${DEFAULT-VALUE}).")
    public int maxRecordBytes;

    @Option(names = "--max-string-length", defaultValue = "256", description = "Longest accepted string field (default: ${DEFAULT-VALUE}).")
    public int maxStringLength;

    @Option(names = "--max-future-skew", defaultValue = "5m", converter = DurationConverter.class,
            description = "How far an event time may be ahead of its record's Kafka timestamp (default: ${DEFAULT-VALUE}).")
    public Duration maxFutureSkew;

    @Option(names = "--max-event-age", defaultValue = "7d", converter = DurationConverter.class,
            description = "How far an event time may be behind its record's Kafka timestamp (default: ${DEFAULT-VALUE}).")
    public Duration maxEventAge;

    public CanonicalTopics topics() {
        return new CanonicalTopics(playerTopic, mediaTopic, commerceTopic, iotTopic, deadLetterTopic);
    }

    public IngestJob.Settings settings() {
        return new IngestJob.Settings(
                new IngestLimits(maxRecordBytes, maxStringLength, maxFutureSkew, maxEventAge),
                dedupTtl,
                maxOutOfOrderness,
                idleness,
                registryUrl,
                topics());
    }

    /** Applies parallelism, checkpointing and the state backend to an environment. */
    public void configure(StreamExecutionEnvironment env) {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, stateBackend.name().toLowerCase(java.util.Locale.ROOT));
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        config.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        // Most dedup lookups miss (ids are new); bloom filters answer those without reading blocks.
        config.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        if (checkpointDir != null) {
            config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        }
        env.configure(config);
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().disableGenericTypes();
        // No function of the suite keeps or mutates a record after emitting it, so chained
        // operators may share instances instead of deep-copying every Avro record between them.
        env.getConfig().enableObjectReuse();
    }

    /** Accepts Flink's duration syntax: 500ms, 10s, 5m, 24h, 7d. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return TimeUtils.parseDuration(value);
        }
    }
}
