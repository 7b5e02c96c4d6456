package io.tributary.benchmarks;

import io.tributary.testkit.flink.FlinkTestClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** What every harness shares: the embedded Flink it measures on, and where its figures go. */
final class LocalRuns {
    private LocalRuns() {}

    /**
     * How often the embedded Flink's REST endpoint reads its metrics ({@link SourceRecordsOut}):
     * fetching them costs the measured job CPU (every 250 ms took several percent of it).
     */
    static final Duration METRICS_REFRESH = Duration.ofSeconds(1);

    /** An embedded Flink at the suite's test parallelism, RocksDB given room to work. */
    static StreamExecutionEnvironment environment(Path work) {
        return StreamExecutionEnvironment.createLocalEnvironment(
                FlinkTestClusters.PARALLELISM, configuration(work));
    }

    /** The same, with its REST endpoint (metrics) on the port. */
    static StreamExecutionEnvironment environment(Path work, int restPort) {
        Configuration config = configuration(work);
        config.set(RestOptions.PORT, restPort);
        config.set(RestOptions.BIND_PORT, String.valueOf(restPort));
        config.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, METRICS_REFRESH);
        return StreamExecutionEnvironment.createLocalEnvironment(
                FlinkTestClusters.PARALLELISM, config);
    }

    private static Configuration configuration(Path work) {
        Configuration config = FlinkTestClusters.rocksDbWithCheckpoints(work);
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        return config;
    }

    static void writeResults(Path results, String text) throws IOException {
        Path file = results.toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        System.out.println("Results written to " + file);
    }
}
