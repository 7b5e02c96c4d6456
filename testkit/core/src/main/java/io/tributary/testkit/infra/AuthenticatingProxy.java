package io.tributary.testkit.infra;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * TLS and authentication in front of a test server that has neither (the schema registry, Flink's
 * REST API, a search server), as a company's gateway puts them in front of it: HTTPS with a
 * certificate of the test CA, and every request without the expected {@code Authorization} header
 * refused with 401. What passes is forwarded unchanged over plain HTTP on loopback.
 */
public final class AuthenticatingProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP =
            Set.of("connection", "content-length", "host", "transfer-encoding", "authorization");

    private final HttpsServer server;
    private final ExecutorService threads;
    private final HttpClient http;
    private final URI target;
    private final String expectedAuthorization;
    private final AtomicInteger refused = new AtomicInteger();

    private AuthenticatingProxy(
            HttpsServer server, ExecutorService threads, URI target, String authorization) {
        this.server = server;
        this.threads = threads;
        this.target = target;
        this.expectedAuthorization = authorization;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** A proxy that wants {@code user:password} as HTTP Basic authentication. */
    public static AuthenticatingProxy basicAuth(
            String target, TestCertificates certificates, String user, String password) {
        return start(
                target,
                certificates,
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** A proxy that wants {@code Authorization: Bearer <token>}. */
    public static AuthenticatingProxy bearerToken(
            String target, TestCertificates certificates, String token) {
        return start(target, certificates, "Bearer " + token);
    }

    /**
     * A proxy that wants a client certificate signed by the test CA instead of a header, as
     * registries and gateways with mutual TLS do.
     */
    public static AuthenticatingProxy clientCertificate(
            String target, TestCertificates certificates) {
        return start(target, certificates, null);
    }

    /**
     * @param authorization the header value every request must carry; null: a client certificate of
     *     the test CA instead
     */
    private static AuthenticatingProxy start(
            String target, TestCertificates certificates, String authorization) {
        try {
            HttpsServer server =
                    HttpsServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 64);
            SSLContext tls = sslContext(certificates, authorization == null);
            server.setHttpsConfigurator(
                    new HttpsConfigurator(tls) {
                        @Override
                        public void configure(com.sun.net.httpserver.HttpsParameters parameters) {
                            javax.net.ssl.SSLParameters ssl = tls.getDefaultSSLParameters();
                            ssl.setNeedClientAuth(authorization == null);
                            parameters.setSSLParameters(ssl);
                        }
                    });
            ExecutorService threads = Executors.newFixedThreadPool(8);
            server.setExecutor(threads);
            AuthenticatingProxy proxy =
                    new AuthenticatingProxy(
                            server,
                            threads,
                            URI.create(target.endsWith("/") ? target : target + "/"),
                            authorization);
            server.createContext("/", proxy::handle);
            server.start();
            return proxy;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the TLS proxy for " + target, e);
        }
    }

    /** The HTTPS URL of the proxied server's root (with the target's path, e.g. an API base). */
    public String url() {
        return "https://127.0.0.1:"
                + server.getAddress().getPort()
                + target.getRawPath().replaceAll("/$", "");
    }

    /** Requests refused for missing or wrong credentials. */
    public int refused() {
        return refused.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (expectedAuthorization != null && !expectedAuthorization.equals(authorization)) {
                refused.incrementAndGet();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"tributary\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            URI forward =
                    URI.create(
                            "http://"
                                    + target.getAuthority()
                                    + path
                                    + (query == null ? "" : "?" + query));
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(forward)
                            .timeout(Duration.ofMinutes(2))
                            .method(
                                    exchange.getRequestMethod(),
                                    body.length == 0
                                            ? HttpRequest.BodyPublishers.noBody()
                                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders()
                    .forEach(
                            (name, values) -> {
                                if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                                    values.forEach(value -> request.header(name, value));
                                }
                            });
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers()
                    .map()
                    .forEach(
                            (name, values) -> {
                                if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))
                                        && !name.startsWith(":")) {
                                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                                }
                            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(
                    response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    /**
     * @param trustClients whether to trust client certificates of the test CA (mutual TLS)
     */
    private static SSLContext sslContext(TestCertificates certificates, boolean trustClients) {
        try (InputStream in = Files.newInputStream(certificates.serverKeystore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            char[] password = certificates.storePassword().toCharArray();
            store.load(in, password);
            KeyManagerFactory keys =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            javax.net.ssl.TrustManager[] trust = null;
            if (trustClients) {
                KeyStore truststore = KeyStore.getInstance("PKCS12");
                try (InputStream ca = Files.newInputStream(certificates.truststore())) {
                    truststore.load(ca, password);
                }
                javax.net.ssl.TrustManagerFactory factory =
                        javax.net.ssl.TrustManagerFactory.getInstance(
                                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                factory.init(truststore);
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust, null);
            return context;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot load the test server certificate", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
