package io.tributary.testkit.flink;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/**
 * Event time as a running job sees it, read from its REST API: a test that must know the watermark
 * has passed a point (so that the next event is late, or a window has fired) waits for exactly that
 * instead of sleeping. The cluster's metric fetcher must refresh often ({@link FlinkTestClusters}
 * sets it to 200 ms) or the watermarks read are up to ten seconds old.
 */
public final class JobWatermarks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private JobWatermarks() {}

    /**
     * Waits until every subtask of every operator after the sources has received a watermark of at
     * least {@code atLeast} (epoch milliseconds).
     *
     * @param clientConfiguration the cluster's client configuration (its REST address and port)
     */
    public static void awaitPassed(
            Configuration clientConfiguration, JobID job, long atLeast, Duration timeout) {
        String rest =
                "http://"
                        + clientConfiguration.get(RestOptions.ADDRESS)
                        + ":"
                        + clientConfiguration.get(RestOptions.PORT);
        await("every operator of job " + job + " at watermark " + atLeast)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> lowestInputWatermark(rest, job) >= atLeast);
    }

    /** The lowest input watermark over the subtasks of all operators that are not sources. */
    static long lowestInputWatermark(String rest, JobID job)
            throws IOException, InterruptedException {
        long lowest = Long.MAX_VALUE;
        for (JsonNode vertex : get(rest + "/jobs/" + job).path("vertices")) {
            if (vertex.path("name").asText().startsWith("Source:")) {
                continue;
            }
            JsonNode watermarks =
                    get(
                            rest
                                    + "/jobs/"
                                    + job
                                    + "/vertices/"
                                    + vertex.path("id").asText()
                                    + "/watermarks");
            if (watermarks.size() < vertex.path("parallelism").asInt()) {
                return Long.MIN_VALUE; // not every subtask has reported yet
            }
            for (JsonNode watermark : watermarks) {
                lowest = Math.min(lowest, watermark.path("value").asLong(Long.MIN_VALUE));
            }
        }
        return lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
    }

    private static JsonNode get(String uri) throws IOException, InterruptedException {
        return JSON.readTree(
                HTTP.send(
                                HttpRequest.newBuilder(URI.create(uri)).GET().build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
    }
}
