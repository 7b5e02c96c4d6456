package io.tributary.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.testkit.flink.EmbeddedSuiteCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;

/**
 * The suite's jobs on an embedded Flink, each built with its own runtime options, and what their
 * checkpoints cost.
 */
final class SuiteCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedSuiteCluster cluster;
    private final Map<String, JobClient> jobs = new LinkedHashMap<>();

    private SuiteCluster(EmbeddedSuiteCluster cluster) {
        this.cluster = cluster;
    }

    static SuiteCluster start(Path work, int jobs) throws Exception {
        return new SuiteCluster(EmbeddedSuiteCluster.start(work, jobs, 0));
    }

    void submit(String name, RuntimeOptions runtime, EmbeddedSuiteCluster.JobBuilder builder)
            throws Exception {
        jobs.put(
                name,
                cluster.submit(
                        name,
                        env -> {
                            runtime.configure(env);
                            builder.build(env);
                        }));
    }

    /** A job that stopped, or null while all run. */
    String stoppedJob() throws Exception {
        return cluster.stoppedJob();
    }

    /**
     * Each job's completed checkpoints and their end-to-end durations (trigger to the last
     * acknowledgement), from the REST API: how long output waits for its commit beyond the
     * interval.
     */
    Map<String, String> checkpoints() throws Exception {
        Map<String, String> figures = new LinkedHashMap<>();
        HttpClient http = HttpClient.newHttpClient();
        for (Map.Entry<String, JobClient> job : jobs.entrySet()) {
            URI uri =
                    URI.create(
                            "http://localhost:"
                                    + cluster.restPort()
                                    + "/jobs/"
                                    + job.getValue().getJobID()
                                    + "/checkpoints");
            JsonNode body =
                    JSON.readTree(
                            http.send(
                                            HttpRequest.newBuilder(uri).build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .body());
            JsonNode duration = body.path("summary").path("end_to_end_duration");
            figures.put(
                    job.getKey(),
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

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
