package io.tributary.sinks.search;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The index template of the hot tier (resource {@code index-template.json}): strings as keywords,
 * ISO timestamps as dates, alert summaries also as full text. Installed through the composable
 * template API that Elasticsearch 7.8+ and OpenSearch share, before any index exists, so every
 * index the sink creates by its first write gets these mappings.
 */
public final class IndexTemplate {
    private IndexTemplate() {}

    public static String body(String indexPrefix, int replicas) {
        try (InputStream in = IndexTemplate.class.getResourceAsStream("index-template.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("${prefix}", indexPrefix)
                    .replace("${replicas}", Integer.toString(replicas));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Installs or replaces the template; fails with the server's answer if it refuses. */
    public static void install(
            String searchUrl, String indexPrefix, int replicas, String user, String password) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(
                                URI.create(
                                        stripSlash(searchUrl)
                                                + "/_index_template/"
                                                + indexPrefix
                                                + "documents"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body(indexPrefix, replicas)));
        if (user != null) {
            String credentials = user + ":" + (password == null ? "" : password);
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient()
                            .send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        "The search server at "
                                + searchUrl
                                + " refused the index template: HTTP "
                                + response.statusCode()
                                + " "
                                + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "The search server at " + searchUrl + " is unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
