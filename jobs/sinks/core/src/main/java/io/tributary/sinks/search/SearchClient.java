package io.tributary.sinks.search;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Sends bulk requests to the nodes of an Elasticsearch or OpenSearch cluster over their common REST
 * API, trying the next node when one cannot be reached. Not thread-safe: one per subtask.
 */
public final class SearchClient {

    /** Where and as whom; travels in the job graph. */
    public record Settings(List<String> urls, String user, String password, Duration timeout)
            implements Serializable {
        public Settings {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("at least one search node URL is needed");
            }
            urls = List.copyOf(urls);
        }
    }

    /** A status and a body, whatever the status. */
    record Answer(int status, String body) {}

    private final Settings settings;
    private final HttpClient http;
    private final String authorization;
    private int node;

    SearchClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
        this.authorization =
                settings.user() == null
                        ? null
                        : "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (settings.user()
                                                                + ":"
                                                                + (settings.password() == null
                                                                        ? ""
                                                                        : settings.password()))
                                                        .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws IOException when no node answers
     */
    Answer bulk(String ndjson) throws IOException, InterruptedException {
        IOException last = null;
        for (int tried = 0; tried < settings.urls().size(); tried++) {
            String url = strip(settings.urls().get(node));
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(URI.create(url + "/_bulk"))
                            .timeout(settings.timeout())
                            .header("Content-Type", "application/x-ndjson")
                            .POST(
                                    HttpRequest.BodyPublishers.ofString(
                                            ndjson, StandardCharsets.UTF_8));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            try {
                HttpResponse<String> response =
                        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Answer(response.statusCode(), response.body());
            } catch (IOException e) {
                last = e;
                node = (node + 1) % settings.urls().size();
            }
        }
        throw new IOException("no search node answered (" + settings.urls() + ")", last);
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
