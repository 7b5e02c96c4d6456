package io.tributary.testkit.flink;

import io.tributary.testkit.infra.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.contrib.streaming.state.RocksDBOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * MiniCluster settings the suite's integration tests share: RocksDB with incremental checkpoints to
 * a temp dir, and a bounded restart strategy so an injected failure recovers while a real bug fails
 * the test instead of restarting forever.
 */
public final class FlinkTestClusters {
    public static final int PARALLELISM = 2;

    private FlinkTestClusters() {}

    /**
     * One MiniCluster per test class with two task managers of {@code slotsPerTaskManager} slots.
     */
    public static MiniClusterExtension miniCluster(int slotsPerTaskManager) {
        return miniCluster(slotsPerTaskManager, new Configuration());
    }

    /** As {@link #miniCluster(int)}, with {@code overrides} applied on top. */
    public static MiniClusterExtension miniCluster(
            int slotsPerTaskManager, Configuration overrides) {
        Configuration config = rocksDbWithCheckpoints(TempDirs.create("flink"));
        config.addAll(overrides);
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(PARALLELISM)
                        .setNumberSlotsPerTaskManager(slotsPerTaskManager)
                        .setConfiguration(config)
                        .build());
    }

    public static Configuration rocksDbWithCheckpoints(Path workDir) {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        config.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                workDir.resolve("checkpoints").toUri().toString());
        config.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                workDir.resolve("savepoints").toUri().toString());
        // Short on purpose: RocksDB fails on the long paths of JUnit temp dirs.
        config.set(RocksDBOptions.LOCAL_DIRECTORIES, workDir.resolve("rdb").toString());
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        config.set(
                TaskManagerOptions.MANAGED_MEMORY_SIZE,
                org.apache.flink.configuration.MemorySize.ofMebiBytes(128));
        // Tests wait on watermarks and checkpoint counts read over REST (JobWatermarks).
        config.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
        return config;
    }
}
