package io.tributary.sinks.search;

import io.tributary.schemas.tls.PemTrust;
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

    /**
     * Where and as whom; travels in the job graph.
     *
     * @param caCertificatesPem the CA certificates (PEM text) that sign the nodes' certificates, or
     *     null to trust the JVM's default CAs
     */
    public record Settings(
            List<String> urls,
            String user,
            String password,
            Duration timeout,
            String caCertificatesPem)
            implements Serializable {
        public Settings {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("at least one search node URL is needed");
            }
            urls = List.copyOf(urls);
        }

        public Settings(List<String> urls, String user, String password, Duration timeout) {
            this(urls, user, password, timeout, null);
        }

        HttpClient httpClient() {
            HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(timeout);
            if (caCertificatesPem != null) {
                http.sslContext(PemTrust.sslContext(caCertificatesPem));
            }
            return http.build();
        }

        /** The HTTP Basic header, or null without a user. */
        String authorization() {
            return user == null
                    ? null
                    : "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(
                                            (user + ":" + (password == null ? "" : password))
                                                    .getBytes(StandardCharsets.UTF_8));
        }

        /** Never the password. */
        @Override
        public String toString() {
            return "search nodes "
                    + urls
                    + (user == null ? "" : " as " + user)
                    + (caCertificatesPem == null ? "" : ", trusting the given CA");
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
        this.http = settings.httpClient();
        this.authorization = settings.authorization();
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
