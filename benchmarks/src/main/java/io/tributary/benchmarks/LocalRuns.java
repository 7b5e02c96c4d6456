package io.tributary.benchmarks;

import io.tributary.testkit.flink.FlinkTestClusters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** What every harness shares: the embedded Flink it measures on, and where its figures go. */
final class LocalRuns {
    private LocalRuns() {}

    /** An embedded Flink at the suite's test parallelism, RocksDB given room to work. */
    static StreamExecutionEnvironment environment(Path work) {
        Configuration config = FlinkTestClusters.rocksDbWithCheckpoints(work);
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(512));
        return StreamExecutionEnvironment.createLocalEnvironment(
                FlinkTestClusters.PARALLELISM, config);
    }

    static void writeResults(Path results, String text) throws IOException {
        Path file = results.toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        System.out.println("Results written to " + file);
    }
}
