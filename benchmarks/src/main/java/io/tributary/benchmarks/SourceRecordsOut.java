package io.tributary.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.JobID;

/**
 * Records a job's source has emitted so far, summed over its subtasks, from the embedded Flink's
 * REST API (the source operator's {@code numRecordsOut}): progress of a job whose output does not
 * count its input (the CEP job emits an alert now and then), for {@link ThroughputSampler}, and the
 * same figure whatever the job does after its source. The REST endpoint refreshes metrics every
 * {@link LocalRuns#METRICS_REFRESH}.
 */
final class SourceRecordsOut implements LongSupplier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String jobUri;
    private final String vertexName;
    private String metricsUri;
    private long last;
    private long lastAsked = Long.MIN_VALUE;

    /**
     * @param sourceName the source's name in the job graph
     */
    SourceRecordsOut(int restPort, JobID job, String sourceName) {
        this.jobUri = "http://localhost:" + restPort + "/jobs/" + job;
        this.vertexName = "Source: " + sourceName;
    }

    /** A port nothing listens on now, for the embedded Flink's REST endpoint. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public long getAsLong() {
        // The endpoint answers from what it fetched last; asking more often costs the job CPU.
        long now = System.nanoTime();
        if (lastAsked != Long.MIN_VALUE && now - lastAsked < LocalRuns.METRICS_REFRESH.toNanos()) {
            return last;
        }
        lastAsked = now;
        try {
            if (metricsUri == null) {
                metricsUri = findMetric();
                if (metricsUri == null) {
                    return last;
                }
            }
            for (JsonNode metric : get(metricsUri)) {
                last = Math.max(last, (long) metric.path("sum").asDouble());
            }
        } catch (IOException e) {
            // The job is starting or finishing: keep the last count.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return last;
    }

    /**
     * The aggregated metric's address once the job runs and its source reported: the operator's
     * metrics are named after it ({@code Source__<name>.numRecordsOut}), the task's own carry no
     * prefix.
     */
    private String findMetric() throws IOException, InterruptedException {
        for (JsonNode vertex : get(jobUri).path("vertices")) {
            if (!vertex.path("name").asText().startsWith(vertexName)) {
                continue;
            }
            String vertexUri = jobUri + "/vertices/" + vertex.path("id").asText();
            for (JsonNode metric : get(vertexUri + "/subtasks/metrics")) {
                String id = metric.path("id").asText();
                if (id.startsWith("Source__") && id.endsWith(".numRecordsOut")) {
                    return vertexUri + "/subtasks/metrics?agg=sum&get=" + id;
                }
            }
        }
        return null;
    }

    private JsonNode get(String uri) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(uri))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}
