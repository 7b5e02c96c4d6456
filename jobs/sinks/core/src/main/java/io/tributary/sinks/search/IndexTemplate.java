package io.tributary.sinks.search;

import io.tributary.schemas.tls.TlsFailures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The index template of the hot tier (resource {@code index-template.json}): strings as keywords,
 * ISO timestamps as dates, alert summaries also as full text. Installed through the composable
 * template API that Elasticsearch 7.8+ and OpenSearch share, before any index exists, so every
 * index the sink creates by its first write gets these mappings.
 */
public final class IndexTemplate {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

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
        install(
                new SearchClient.Settings(List.of(searchUrl), user, password, TIMEOUT),
                indexPrefix,
                replicas);
    }

    /**
     * Installs or replaces the template on the first node, with the job's TLS settings and
     * credentials: the job's first contact with the search cluster, so a refused password or an
     * untrusted certificate is one clear error at submission.
     */
    public static void install(SearchClient.Settings search, String indexPrefix, int replicas) {
        String searchUrl = search.urls().get(0);
        HttpRequest.Builder request =
                HttpRequest.newBuilder(
                                URI.create(
                                        stripSlash(searchUrl)
                                                + "/_index_template/"
                                                + indexPrefix
                                                + "documents"))
                        .timeout(TIMEOUT)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body(indexPrefix, replicas)));
        String authorization = search.authorization();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response =
                    search.httpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw new IllegalStateException(
                        "The search server at "
                                + searchUrl
                                + " refused the job's credentials (HTTP "
                                + response.statusCode()
                                + "). Check --search-user and --search-password-file (or"
                                + " TRIBUTARY_SEARCH_PASSWORD).");
            }
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
            if (TlsFailures.isHandshakeFailure(e)) {
                throw new IllegalStateException(
                        "The search server at "
                                + searchUrl
                                + " failed the TLS handshake ("
                                + TlsFailures.rootMessage(e)
                                + "). If its certificate is signed by your own CA, give that CA with"
                                + " --search-ca.",
                        e);
            }
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
