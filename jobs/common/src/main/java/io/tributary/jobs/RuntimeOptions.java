package io.tributary.jobs;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.contrib.streaming.state.RocksDBOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The options every job of the suite takes for how it runs, as a picocli mixin: {@code @Mixin
 * RuntimeOptions runtime;}. Applied to an environment by {@link #configure}.
 */
public class RuntimeOptions {

    public enum StateBackend {
        ROCKSDB,
        HASHMAP
    }

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    public int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description =
                    "Checkpoint interval; also how often output becomes visible to read_committed readers (default: ${DEFAULT-VALUE}).")
    public Duration checkpointInterval;

    @Option(
            names = "--checkpoint-dir",
            description =
                    "Checkpoint storage URI (file:///..., s3://...); the cluster's setting when absent.")
    public String checkpointDir;

    @Option(
            names = "--state-backend",
            defaultValue = "ROCKSDB",
            description = "State backend: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    public StateBackend stateBackend;

    /** Where the RocksDB backend keeps timers. */
    public enum TimerState {
        HEAP,
        ROCKSDB
    }

    @Option(
            names = "--timer-state",
            defaultValue = "HEAP",
            description =
                    "With RocksDB, where timers live: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). HEAP is much faster for"
                            + " the suite's windows and CEP rules (a timer per key and timestamp); ROCKSDB only for timer counts beyond the heap.")
    public TimerState timerState = TimerState.HEAP;

    /*
     * RocksDB sizes a memtable's arena blocks at an eighth of the write buffer: 8 MB at RocksDB's
     * 64 MB default. Every column family with data holds at least one block, and Flink caps all
     * memtables of an operator at half its share of the slot's managed memory; an operator with a
     * few states and a share of tens of megabytes is then always over the cap and flushes tiny
     * memtables on nearly every write. With 512 MB of managed memory that took the CEP job with
     * ten rules from 43K to 5K events/s (benchmarks/README.md).
     */
    @Option(
            names = "--rocksdb-write-buffer",
            defaultValue = "8mb",
            converter = MemorySizeConverter.class,
            description =
                    "RocksDB write buffer (memtable) size per column family; its arena blocks are an eighth of it, and"
                            + " each column family holds one however small the operator's share of managed memory (default: ${DEFAULT-VALUE}).")
    public MemorySize rocksDbWriteBuffer;

    @Option(
            names = "--transaction-timeout",
            defaultValue = "10m",
            converter = DurationConverter.class,
            description =
                    "Kafka transaction timeout; below the broker's transaction.max.timeout.ms (default: ${DEFAULT-VALUE}).")
    public Duration transactionTimeout;

    @Option(
            names = "--max-outage",
            defaultValue = "4m",
            converter = DurationConverter.class,
            description =
                    "The longest outage (broker, cluster, a restart) the job survives without losing output: its open Kafka"
                            + " transactions must outlive it, so --transaction-timeout must be at least this plus --checkpoint-interval"
                            + " (default: ${DEFAULT-VALUE}).")
    public Duration maxOutage;

    /**
     * What a job trades for freshness. Both keep every stored result exactly once; they differ in
     * when output becomes visible and in what the Kafka topics may repeat.
     */
    public enum Profile {
        /**
         * Everything written in Kafka transactions and read committed: output is visible when the
         * checkpoint that covers it completes.
         */
        EXACTLY_ONCE,
        /**
         * Records leave operators within 25 ms instead of waiting up to 100 ms for a 32 KiB network
         * buffer to fill, and watermarks move every 50 ms; a job with its own low-latency path
         * (CEP) reads uncommitted input and writes its alerts without transactions (see the job's
         * documentation).
         */
        LOW_LATENCY
    }

    /**
     * The network buffer timeout of the low-latency profile. 5 ms was measured too (bench latency,
     * 500 records/s on 2 cores): every task's flushes then cost so much CPU that alerts came later.
     */
    public static final long LOW_LATENCY_BUFFER_TIMEOUT_MS = 25;

    /** The watermark interval of the low-latency profile. */
    public static final long LOW_LATENCY_WATERMARK_INTERVAL_MS = 50;

    @Option(
            names = "--profile",
            defaultValue = "exactly-once",
            converter = ProfileConverter.class,
            description =
                    "exactly-once or low-latency: what the job trades for freshness (README.md, \"Freshness\")"
                            + " (default: ${DEFAULT-VALUE}).")
    public Profile profile = Profile.EXACTLY_ONCE;

    @Option(
            names = "--buffer-timeout",
            converter = DurationConverter.class,
            description =
                    "Longest time a record waits in a network buffer between operators before it is sent anyway; shorter"
                            + " means fresher output and more CPU (default: Flink's 100ms, or 25ms with --profile low-latency).")
    public Duration bufferTimeout;

    /** flink-dstl-dfs's FsStateChangelogOptions.BASE_PATH; that module is the cluster's. */
    public static final String CHANGELOG_BASE_PATH = "state.changelog.dstl.dfs.base-path";

    @Option(
            names = "--changelog",
            description =
                    "Flink's changelog state backend: state changes go to durable storage as they happen, so a checkpoint does"
                            + " not wait for RocksDB to flush; RocksDB is materialized in the background. The storage is the"
                            + " cluster's state.changelog.dstl.dfs.base-path, or --changelog-dir.")
    public boolean changelog;

    @Option(
            names = "--changelog-dir",
            description = "With --changelog: where state changes go (file:///..., s3://...).")
    public String changelogDir;

    @Option(
            names = "--bounded",
            description = "Stop after the records present at start (backfills, tests).")
    public boolean bounded;

    /** Applies parallelism, exactly-once checkpointing and the state backend to an environment. */
    public void configure(StreamExecutionEnvironment env) {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, stateBackend.name().toLowerCase(Locale.ROOT));
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        config.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        // Most point lookups in the suite miss (new ids, new windows); bloom filters answer those
        // without reading data blocks.
        config.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        config.set(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE, rocksDbWriteBuffer);
        // Windows and CEP register a timer per key and timestamp and delete it soon after; in
        // RocksDB
        // each costs a write, a delete and later seeks over the tombstones. On the heap they are
        // snapshotted with the checkpoint's synchronous part instead.
        config.set(
                RocksDBOptions.TIMER_SERVICE_FACTORY,
                timerState == TimerState.HEAP
                        ? EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP
                        : EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB);
        if (checkpointDir != null) {
            config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir);
        }
        if (changelog) {
            config.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
            if (changelogDir != null) {
                config.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
                config.setString(CHANGELOG_BASE_PATH, changelogDir);
            }
        }
        env.configure(config);
        env.setParallelism(parallelism);
        env.enableCheckpointing(checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().disableGenericTypes();
        // No function of the suite keeps or mutates a record after emitting it, so chained
        // operators may share instances instead of deep-copying every record between them.
        env.getConfig().enableObjectReuse();
        if (profile == Profile.LOW_LATENCY) {
            // Flink's default 100 ms buffer timeout and 200 ms watermark interval alone would use
            // most of a 500 ms detection budget.
            env.setBufferTimeout(LOW_LATENCY_BUFFER_TIMEOUT_MS);
            env.getConfig().setAutoWatermarkInterval(LOW_LATENCY_WATERMARK_INTERVAL_MS);
        }
        if (bufferTimeout != null) {
            env.setBufferTimeout(bufferTimeout.toMillis());
        }
    }

    public boolean lowLatency() {
        return profile == Profile.LOW_LATENCY;
    }

    /** Producer settings for EXACTLY_ONCE Kafka sinks. */
    public Properties transactionalProducer() {
        Properties producer = new Properties();
        // Must stay below the broker's transaction.max.timeout.ms (15 min by default).
        producer.setProperty(
                "transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
        // A record waits for its batch at most this long before it is sent (and, without a
        // transaction, visible).
        producer.setProperty("linger.ms", profile == Profile.LOW_LATENCY ? "2" : "20");
        producer.setProperty("batch.size", Integer.toString(256 * 1024));
        producer.setProperty("compression.type", "lz4");
        return producer;
    }

    /** Accepts {@code exactly-once} and {@code low-latency} (and the enum's own names). */
    public static final class ProfileConverter implements ITypeConverter<Profile> {
        @Override
        public Profile convert(String value) {
            try {
                return Profile.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not a profile: expected exactly-once or low-latency");
            }
        }
    }

    /** Accepts Flink's memory sizes: 8mb, 512kb. */
    public static final class MemorySizeConverter implements ITypeConverter<MemorySize> {
        @Override
        public MemorySize convert(String value) {
            return MemorySize.parse(value);
        }
    }

    /** Accepts Flink's duration syntax: 500ms, 10s, 5m, 24h, 7d. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return TimeUtils.parseDuration(value);
        }
    }
}
