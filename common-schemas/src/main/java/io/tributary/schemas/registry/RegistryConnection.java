package io.tributary.schemas.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a job reaches the schema registry: its URL and the settings a secured registry needs, named
 * as Confluent's clients name them: {@code basic.auth.user.info} ({@code user:password}) or {@code
 * bearer.auth.token}; {@code ssl.truststore.*} for a registry whose certificate a private CA
 * signed; {@code ssl.keystore.*} for a client certificate. Values may name secrets ({@link
 * Secrets}); they are resolved when a client is built, on the TaskManager. {@link #toString()}
 * shows no secret.
 */
public final class RegistryConnection implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";

    static final Set<String> KNOWN =
            Set.of(
                    "basic.auth.credentials.source",
                    BASIC_AUTH_USER_INFO,
                    BEARER_AUTH_TOKEN,
                    "ssl.truststore.location",
                    "ssl.truststore.password",
                    "ssl.truststore.type",
                    "ssl.keystore.location",
                    "ssl.keystore.password",
                    "ssl.keystore.type",
                    "ssl.key.password");

    private static final Set<String> SECRETS =
            Set.of(
                    BASIC_AUTH_USER_INFO,
                    BEARER_AUTH_TOKEN,
                    "ssl.truststore.password",
                    "ssl.keystore.password",
                    "ssl.key.password");

    private final String url;
    private final TreeMap<String, String> settings;

    private RegistryConnection(String url, Map<String, String> settings) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.settings = new TreeMap<>(settings);
    }

    /** A registry that needs nothing but its URL. */
    public static RegistryConnection of(String url) {
        return of(url, Map.of());
    }

    /**
     * @throws IllegalArgumentException for an unknown setting, or both kinds of credentials
     */
    public static RegistryConnection of(String url, Map<String, String> settings) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("The schema registry URL is required");
        }
        for (String key : settings.keySet()) {
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException(
                        "Unknown schema registry setting '"
                                + key
                                + "'; known: "
                                + String.join(", ", new java.util.TreeSet<>(KNOWN)));
            }
        }
        String source = settings.get("basic.auth.credentials.source");
        if (source != null && !source.equals("USER_INFO")) {
            throw new IllegalArgumentException(
                    "basic.auth.credentials.source: only USER_INFO is supported (set "
                            + BASIC_AUTH_USER_INFO
                            + ")");
        }
        if (settings.containsKey(BASIC_AUTH_USER_INFO) && settings.containsKey(BEARER_AUTH_TOKEN)) {
            throw new IllegalArgumentException(
                    "Give the schema registry one kind of credentials: "
                            + BASIC_AUTH_USER_INFO
                            + " or "
                            + BEARER_AUTH_TOKEN);
        }
        return new RegistryConnection(url, settings);
    }

    public String url() {
        return url;
    }

    public Map<String, String> settings() {
        return Collections.unmodifiableMap(settings);
    }

    /** The {@code Authorization} header value, secrets resolved; empty without credentials. */
    public Optional<String> authorization() {
        Secrets secrets = Secrets.fromProcess();
        String userInfo = settings.get(BASIC_AUTH_USER_INFO);
        if (userInfo != null) {
            String resolved = secrets.resolve(userInfo);
            if (resolved.indexOf(':') < 0) {
                throw new IllegalArgumentException(BASIC_AUTH_USER_INFO + " must be user:password");
            }
            return Optional.of(
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(resolved.getBytes(StandardCharsets.UTF_8)));
        }
        String token = settings.get(BEARER_AUTH_TOKEN);
        return token == null ? Optional.empty() : Optional.of("Bearer " + secrets.resolve(token));
    }

    /** An HTTP client that trusts the configured CA and presents the client certificate, if any. */
    public HttpClient httpClient() {
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (settings.containsKey("ssl.truststore.location")
                || settings.containsKey("ssl.keystore.location")) {
            http.sslContext(sslContext(Secrets.fromProcess()));
        }
        return http.build();
    }

    private SSLContext sslContext(Secrets secrets) {
        try {
            TrustManagerFactory trust = null;
            if (settings.containsKey("ssl.truststore.location")) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store("ssl.truststore", secrets));
            }
            KeyManagerFactory keys = null;
            if (settings.containsKey("ssl.keystore.location")) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                String keyPassword =
                        secrets.resolve(
                                settings.getOrDefault(
                                        "ssl.key.password",
                                        settings.getOrDefault("ssl.keystore.password", "")));
                keys.init(store("ssl.keystore", secrets), keyPassword.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    keys == null ? null : keys.getKeyManagers(),
                    trust == null ? null : trust.getTrustManagers(),
                    null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "Cannot load the schema registry's TLS stores ("
                            + settings.get("ssl.truststore.location")
                            + ", "
                            + settings.get("ssl.keystore.location")
                            + "): "
                            + e.getMessage(),
                    e);
        }
    }

    private KeyStore store(String prefix, Secrets secrets)
            throws IOException, java.security.GeneralSecurityException {
        KeyStore store =
                KeyStore.getInstance(
                        settings.getOrDefault(prefix + ".type", "PKCS12").toUpperCase(Locale.ROOT));
        String password = secrets.resolve(settings.get(prefix + ".password"));
        try (InputStream in =
                Files.newInputStream(
                        Path.of(secrets.resolve(settings.get(prefix + ".location"))))) {
            store.load(in, password == null ? null : password.toCharArray());
        }
        return store;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("schema registry ").append(url);
        settings.forEach(
                (key, value) ->
                        text.append(", ")
                                .append(key)
                                .append('=')
                                .append(SECRETS.contains(key) ? "[hidden]" : value));
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RegistryConnection that
                && url.equals(that.url)
                && settings.equals(that.settings);
    }

    @Override
    public int hashCode() {
        return url.hashCode() * 31 + settings.hashCode();
    }
}
