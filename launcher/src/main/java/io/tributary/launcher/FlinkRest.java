package io.tributary.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The parts of Flink's REST API an operator needs to run the suite on a session cluster: upload a
 * jar, run it with arguments (optionally from a savepoint), list jobs, stop a job with a savepoint.
 * The same calls {@code flink run} and the web UI make.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private final String authorization;

    public FlinkRest(String baseUrl) {
        this(baseUrl, null, null);
    }

    /**
     * @param caCertificates PEM file of the CA(s) that sign the REST endpoint's certificate (a
     *     cluster with {@code security.ssl.rest.enabled}, or an HTTPS proxy in front of it); null
     *     to trust the JVM's default CAs
     * @param authorization the {@code Authorization} header an authenticating proxy in front of the
     *     cluster wants ({@code Bearer ...}, {@code Basic ...}); null for none
     */
    public FlinkRest(String baseUrl, Path caCertificates, String authorization) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (caCertificates != null) {
            http.sslContext(trusting(caCertificates));
        }
        this.http = http.build();
        this.authorization =
                authorization == null || authorization.isBlank() ? null : authorization;
    }

    private static javax.net.ssl.SSLContext trusting(Path pem) {
        try (var in = Files.newInputStream(pem)) {
            var certificates =
                    java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("No certificate in " + pem);
            }
            var store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (var certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            var trust =
                    javax.net.ssl.TrustManagerFactory.getInstance(
                            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            var context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "Cannot read the CA certificates in " + pem + ": " + e, e);
        }
    }

    private static boolean tlsFailure(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /** A job as the cluster lists it. */
    public record Job(String id, String name, String state, Instant started) {}

    /** How to run an uploaded jar. */
    public record Run(
            List<String> args,
            Integer parallelism,
            String savepoint,
            boolean allowNonRestoredState) {}

    /** Uploads a job jar; returns the id the cluster gave it. */
    public String upload(Path jar) {
        String boundary = "tributary-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.write(
                    ("--"
                                    + boundary
                                    + "\r\n"
                                    + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                                    + jar.getFileName()
                                    + "\"\r\n"
                                    + "Content-Type: application/x-java-archive\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(uri("/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())),
                        "upload " + jar.getFileName());
        String file = answer.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /**
     * Runs an uploaded jar's main class with {@code run.args()}. The JobManager runs {@code main},
     * so an option the job refuses comes back here as the job's own message.
     *
     * @return the job id
     */
    public String run(String jarId, Run run) {
        ObjectNode request = JSON.createObjectNode();
        request.putArray("programArgsList")
                .addAll(run.args().stream().map(a -> JSON.getNodeFactory().textNode(a)).toList());
        if (run.parallelism() != null) {
            request.put("parallelism", run.parallelism());
        }
        if (run.savepoint() != null) {
            request.put("savepointPath", run.savepoint());
            request.put("allowNonRestoredState", run.allowNonRestoredState());
        }
        return send(
                        HttpRequest.newBuilder(uri("/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(request.toString())),
                        "run " + jarId)
                .path("jobid")
                .asText();
    }

    public void deleteJar(String jarId) {
        send(HttpRequest.newBuilder(uri("/jars/" + jarId)).DELETE(), "delete jar " + jarId);
    }

    public List<Job> jobs() {
        List<Job> jobs = new ArrayList<>();
        for (JsonNode job :
                send(HttpRequest.newBuilder(uri("/jobs/overview")).GET(), "list jobs")
                        .path("jobs")) {
            jobs.add(
                    new Job(
                            job.path("jid").asText(),
                            job.path("name").asText(),
                            job.path("state").asText(),
                            Instant.ofEpochMilli(job.path("start-time").asLong())));
        }
        return jobs;
    }

    public String state(String jobId) {
        return send(HttpRequest.newBuilder(uri("/jobs/" + jobId)).GET(), "job " + jobId)
                .path("state")
                .asText();
    }

    /**
     * Stops a job with a savepoint (Flink's stop-with-savepoint: sources stop, a final savepoint is
     * taken, transactions commit) and waits for it.
     *
     * @param drain whether to advance event time to the end first, firing every window and timer
     *     (for a job that is retired, not upgraded)
     * @return the savepoint's location, to restore from
     */
    public String stopWithSavepoint(
            String jobId, String targetDirectory, boolean drain, Duration timeout) {
        ObjectNode request = JSON.createObjectNode().put("drain", drain);
        if (targetDirectory != null) {
            request.put("targetDirectory", targetDirectory);
        }
        String trigger =
                send(
                                HttpRequest.newBuilder(uri("/jobs/" + jobId + "/stop"))
                                        .header("Content-Type", "application/json")
                                        .POST(
                                                HttpRequest.BodyPublishers.ofString(
                                                        request.toString())),
                                "stop " + jobId)
                        .path("request-id")
                        .asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status =
                    send(
                            HttpRequest.newBuilder(uri("/jobs/" + jobId + "/savepoints/" + trigger))
                                    .GET(),
                            "savepoint status");
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("location")) {
                    return operation.path("location").asText();
                }
                throw new IllegalStateException(
                        "stop-with-savepoint of "
                                + jobId
                                + " failed: "
                                + operation
                                        .path("failure-cause")
                                        .path("stack-trace")
                                        .asText(operation.toString()));
            }
            sleep(500);
        }
        throw new IllegalStateException(
                "stop-with-savepoint of " + jobId + " did not finish within " + timeout);
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    private JsonNode send(HttpRequest.Builder request, String what) {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response =
                    http.send(
                            request.timeout(Duration.ofMinutes(2)).build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            if (tlsFailure(e)) {
                throw new IllegalStateException(
                        what
                                + ": the TLS handshake with the Flink REST API at "
                                + baseUrl
                                + " failed ("
                                + rootMessage(e)
                                + "). If its certificate is signed by your own CA, give that CA with"
                                + " --rest-ca.",
                        e);
            }
            throw new UncheckedIOException(
                    what
                            + ": cannot reach the Flink REST API at "
                            + baseUrl
                            + " ("
                            + e.getMessage()
                            + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted", e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new IllegalStateException(
                    what
                            + ": the Flink REST API at "
                            + baseUrl
                            + " refused the request (HTTP "
                            + response.statusCode()
                            + (authorization == null
                                    ? "); it wants credentials: give --rest-authorization-file or set"
                                            + " FLINK_REST_AUTHORIZATION (e.g. 'Bearer <token>')."
                                    : "); check the credentials in --rest-authorization-file or"
                                            + " FLINK_REST_AUTHORIZATION."));
        }
        JsonNode body;
        try {
            body =
                    response.body().isBlank()
                            ? JSON.createObjectNode()
                            : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(
                    what
                            + ": the cluster answered "
                            + response.statusCode()
                            + " with "
                            + response.body());
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(
                    what + " failed (HTTP " + response.statusCode() + "): " + errors(body));
        }
        return body;
    }

    /**
     * Flink puts the failure in {@code errors}; the first line of each is what an operator needs.
     */
    private static String errors(JsonNode body) {
        List<String> messages = new ArrayList<>();
        for (JsonNode error : body.path("errors")) {
            String text = error.asText();
            messages.add(causeLines(text));
        }
        return messages.isEmpty() ? body.toString() : String.join("; ", messages);
    }

    private static String causeLines(String trace) {
        List<String> causes = new ArrayList<>();
        for (String line : trace.split("\n")) {
            String stripped = line.strip();
            if (!stripped.startsWith("at ")
                    && !stripped.startsWith("...")
                    && !stripped.isEmpty()
                    && causes.size() < 6) {
                causes.add(stripped);
            }
        }
        return String.join(" | ", causes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
