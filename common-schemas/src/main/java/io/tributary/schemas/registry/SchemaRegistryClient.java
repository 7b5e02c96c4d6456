package io.tributary.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.schemas.tls.TlsFailures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A small client for the Confluent Schema Registry REST API (also served by Apicurio's {@code
 * /apis/ccompat/v7}). Ids and schemas are immutable in a registry, so both directions are cached
 * for the life of the client.
 *
 * <p>Thread-safe. One instance per task is enough; see {@link ConfluentSchemaCoder.Provider}.
 */
public final class SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public SchemaRegistryClient(String baseUrl) {
        this(RegistryConnection.of(baseUrl));
    }

    /** A client with the connection's credentials and TLS settings, secrets resolved here. */
    public SchemaRegistryClient(RegistryConnection connection) {
        this.baseUrl = connection.url();
        this.http = connection.httpClient();
        this.authorization = connection.authorization();
    }

    /**
     * Asks the registry for its global compatibility, so that a wrong URL, untrusted certificate or
     * refused credentials is one clear error when a job is submitted rather than restarts of its
     * tasks.
     *
     * @throws IllegalStateException saying which of those it is
     */
    public void verifyAccess() {
        try {
            send("GET", "/config", null);
        } catch (RegistryException e) {
            if (e.status() == 401 || e.status() == 403) {
                throw new IllegalStateException(
                        "Schema registry at "
                                + baseUrl
                                + " refused the job's credentials (HTTP "
                                + e.status()
                                + "). Set "
                                + RegistryConnection.BASIC_AUTH_USER_INFO
                                + " or "
                                + RegistryConnection.BEARER_AUTH_TOKEN
                                + " with --registry-property.",
                        e);
            }
            throw new IllegalStateException(
                    "Schema registry at " + baseUrl + " answered: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            if (TlsFailures.isHandshakeFailure(e)) {
                throw new IllegalStateException(
                        "Schema registry at "
                                + baseUrl
                                + " failed the TLS handshake ("
                                + TlsFailures.rootMessage(e)
                                + "). If its certificate is signed by your own CA, set"
                                + " ssl.truststore.location (and ssl.truststore.password) with"
                                + " --registry-property; if it wants a client certificate, set"
                                + " ssl.keystore.location (and ssl.keystore.password).",
                        e);
            }
            if (baseUrl.startsWith("https:") && endedBeforeAnswering(e)) {
                // With TLS 1.3 a server that refuses the client's certificate (or its absence)
                // closes the connection after the handshake: the client only sees it end, or be
                // reset when the close races the client's first write.
                throw new IllegalStateException(
                        "Schema registry at "
                                + baseUrl
                                + " closed the connection before answering. If it wants a client"
                                + " certificate, set ssl.keystore.location (and ssl.keystore.password)"
                                + " with --registry-property.",
                        e);
            }
            throw new IllegalStateException(
                    "Schema registry at " + baseUrl + " unreachable: " + TlsFailures.rootMessage(e),
                    e);
        }
    }

    private static boolean endedBeforeAnswering(Throwable error) {
        Throwable root = TlsFailures.rootCause(error);
        return root instanceof java.io.EOFException
                || (root instanceof java.net.SocketException
                        && String.valueOf(root.getMessage()).contains("Connection reset"));
    }

    public String baseUrl() {
        return baseUrl;
    }

    /**
     * Registers {@code schema} under {@code subject}, or finds it if it is already there.
     *
     * @return the registry-wide id of the schema
     * @throws IncompatibleSchemaException if the subject's compatibility rule rejects it
     */
    public int register(String subject, Schema schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        JsonNode answer;
        try {
            answer = send("POST", "/subjects/" + encode(subject) + "/versions", body);
        } catch (IncompatibleSchemaException e) {
            // Parallel writers register the same schema at once, and a registry may answer the
            // loser with 409 although the schema is now there; only a real conflict is an error.
            Integer existing = lookup(subject, schema);
            if (existing == null) {
                throw e;
            }
            return existing;
        }
        int id = answer.path("id").asInt();
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * @throws UnknownSchemaIdException if the registry has no schema with that id, or refuses the
     *     id itself (400, 422: a negative id, say): the fault of whoever wrote the id
     * @throws UnsupportedSchemaException if the id names a schema that is not Avro (JSON Schema,
     *     Protobuf) or that does not parse
     * @throws RegistryException for any other answer (5xx, 401, 403, 429): the registry's problem,
     *     not the record's
     */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer;
        try {
            answer = send("GET", "/schemas/ids/" + id, null);
        } catch (RegistryException e) {
            if (e.status() == 404 || e.status() == 400 || e.status() == 422) {
                throw new UnknownSchemaIdException(id);
            }
            throw e;
        }
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.isEmpty() && !type.equalsIgnoreCase("AVRO")) {
            throw new UnsupportedSchemaException(id, "is a " + type + " schema, not Avro");
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(answer.path("schema").asText());
        } catch (RuntimeException e) {
            throw new UnsupportedSchemaException(
                    id, "does not parse as an Avro schema: " + e.getMessage());
        }
        schemasById.putIfAbsent(id, schema);
        return schema;
    }

    /** The id of {@code schema} if it is registered under {@code subject}, else null. */
    public Integer lookup(String subject, Schema schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        try {
            return send("POST", "/subjects/" + encode(subject), body).path("id").asInt();
        } catch (RegistryException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** The latest version registered under a subject, with its id. */
    public RegisteredSchema latest(String subject) {
        JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null);
        return new RegisteredSchema(
                answer.path("id").asInt(),
                answer.path("version").asInt(),
                new Schema.Parser().parse(answer.path("schema").asText()));
    }

    /** Sets the registry-wide default compatibility rule, e.g. {@code BACKWARD}. */
    public void setGlobalCompatibility(String level) {
        send("PUT", "/config", JSON.createObjectNode().put("compatibility", level));
    }

    /** Asks whether {@code schema} may be registered as the next version of {@code subject}. */
    public boolean isCompatibleWithLatest(String subject, Schema schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        JsonNode answer =
                send(
                        "POST",
                        "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                        body);
        return answer.path("is_compatible").asBoolean();
    }

    private JsonNode send(String method, String path, JsonNode body) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Accept", CONTENT_TYPE + ", application/json");
        authorization.ifPresent(value -> request.header("Authorization", value));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", CONTENT_TYPE)
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Schema registry at " + baseUrl + " unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(
                    new java.io.InterruptedIOException(
                            "Interrupted while calling the schema registry"));
        }
        int status = response.statusCode();
        if (status == 409) {
            throw new IncompatibleSchemaException(path, response.body());
        }
        if (status / 100 != 2) {
            throw new RegistryException(status, method + " " + path + ": " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new RegistryException(
                    status, "Unreadable answer to " + path + ": " + response.body());
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }

    /** A schema as the registry knows it. */
    public record RegisteredSchema(int id, int version, Schema schema) {}

    /**
     * Whether a failure is the registry's (unreachable, interrupted, an error status other than
     * those {@link #schemaById} blames on the record): the task must fail and retry the record
     * after a restart, rather than dead-letter it.
     */
    public static boolean isOutage(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UncheckedIOException || cause instanceof RegistryException) {
                return true;
            }
            if (cause instanceof UnknownSchemaIdException
                    || cause instanceof UnsupportedSchemaException) {
                return false;
            }
        }
        return false;
    }

    /** The registry answered with an error status. */
    public static class RegistryException extends RuntimeException {
        private final int status;

        public RegistryException(int status, String message) {
            super("Schema registry answered " + status + ": " + message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** A schema id names a schema this client cannot use for Avro records. */
    public static final class UnsupportedSchemaException extends RuntimeException {
        public UnsupportedSchemaException(int id, String why) {
            super("schema id " + id + " " + why);
        }
    }

    /** The subject's compatibility rule refused a new schema version (HTTP 409). */
    public static final class IncompatibleSchemaException extends RegistryException {
        public IncompatibleSchemaException(String path, String body) {
            super(409, "incompatible schema for " + path + ": " + body);
        }
    }
}
