package io.tributary.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.testkit.flink.FlinkTestClusters;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * An embedded Flink that several jobs of the suite are submitted to one by one, as to a real
 * cluster: each job has its own checkpoints, restarts and runtime options.
 */
final class SuiteCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MiniCluster cluster;
    private final int restPort;
    private final List<JobClient> jobs = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    /** Builds one job on the environment it is given. */
    interface JobBuilder {
        void build(StreamExecutionEnvironment env) throws Exception;
    }

    private SuiteCluster(MiniCluster cluster) throws Exception {
        this.cluster = cluster;
        this.restPort = cluster.getRestAddress().get().getPort();
    }

    /**
     * Room for {@code jobs} jobs at the suite's parallelism, each with RocksDB memory of its own.
     */
    static SuiteCluster start(Path work, int jobs) throws Exception {
        int slots = jobs * FlinkTestClusters.PARALLELISM;
        Configuration config = FlinkTestClusters.rocksDbWithCheckpoints(work);
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(128L * slots));
        config.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(256));
        config.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(256));
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        return new SuiteCluster(cluster);
    }

    void submit(String name, RuntimeOptions runtime, JobBuilder builder) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment("localhost", restPort);
        runtime.configure(env);
        builder.build(env);
        jobs.add(env.executeAsync(name));
        names.add(name);
    }

    /**
     * Each job's completed checkpoints and their end-to-end durations (trigger to the last
     * acknowledgement), from the REST API: how long output waits for its commit beyond the
     * interval.
     */
    Map<String, String> checkpoints() throws Exception {
        Map<String, String> figures = new LinkedHashMap<>();
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < jobs.size(); i++) {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://localhost:"
                                                            + restPort
                                                            + "/jobs/"
                                                            + jobs.get(i).getJobID()
                                                            + "/checkpoints"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(response.body());
            JsonNode duration = body.path("summary").path("end_to_end_duration");
            figures.put(
                    names.get(i),
                    String.format(
                            Locale.ROOT,
                            "%d completed, %d failed; end to end p50 %d ms, p99 %d ms, max %d ms",
                            body.path("counts").path("completed").asLong(),
                            body.path("counts").path("failed").asLong(),
                            duration.path("p50").asLong(),
                            duration.path("p99").asLong(),
                            duration.path("max").asLong()));
        }
        return figures;
    }

    /** A job that stopped, or null while all run. */
    String stoppedJob() throws Exception {
        for (JobClient job : jobs) {
            if (job.getJobStatus().get().isTerminalState()) {
                return job.getJobID() + " is " + job.getJobStatus().get();
            }
        }
        return null;
    }

    @Override
    public void close() throws Exception {
        for (JobClient job : jobs) {
            if (!job.getJobStatus().get().isTerminalState()) {
                job.cancel().get();
            }
        }
        cluster.close();
    }
}
