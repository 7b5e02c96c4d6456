package io.tributary.testkit.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real single-node search server from the official integration-test distributions on Maven
 * Central: Elasticsearch 7.17 or OpenSearch 2.19, on this JVM's Java, on a free loopback port, with
 * a 512 MiB heap. Each start copies the distribution into a fresh home, so servers never share data
 * or configuration.
 */
public final class SearchServer implements AutoCloseable {

    public enum Engine {
        ELASTICSEARCH_7("elasticsearch", "ES_JAVA_HOME", "ES_JAVA_OPTS", "ES_TMPDIR"),
        OPENSEARCH_2(
                "opensearch", "OPENSEARCH_JAVA_HOME", "OPENSEARCH_JAVA_OPTS", "OPENSEARCH_TMPDIR");

        private final String launcher;
        private final String javaHomeVariable;
        private final String javaOptsVariable;
        private final String tmpDirVariable;

        Engine(
                String launcher,
                String javaHomeVariable,
                String javaOptsVariable,
                String tmpDirVariable) {
            this.launcher = launcher;
            this.javaHomeVariable = javaHomeVariable;
            this.javaOptsVariable = javaOptsVariable;
            this.tmpDirVariable = tmpDirVariable;
        }

        private Path distribution() {
            return this == ELASTICSEARCH_7
                    ? Distributions.elasticsearchHome()
                    : Distributions.openSearchHome();
        }
    }

    private final Engine engine;
    private final Path home;
    private final int port;
    private final ChildProcess process;

    private SearchServer(Engine engine, Path home, int port, ChildProcess process) {
        this.engine = engine;
        this.home = home;
        this.port = port;
        this.process = process;
    }

    public static SearchServer start(Engine engine) {
        Path home = TempDirs.create(engine.launcher);
        try {
            Path server = home.resolve("server");
            copy(engine.distribution(), server);
            Path tmp = Files.createDirectories(home.resolve("tmp"));
            Unprivileged account = Unprivileged.as("nobody");
            account.own(home, home.resolve("chown.log"));
            int port = FreePorts.next();
            int transportPort = FreePorts.next();
            ChildProcess process =
                    ChildProcess.start(
                            engine.launcher,
                            account.command(
                                    List.of(
                                            server.resolve("bin")
                                                    .resolve(engine.launcher)
                                                    .toString(),
                                            "-E",
                                            "discovery.type=single-node",
                                            "-E",
                                            "network.host=127.0.0.1",
                                            "-E",
                                            "http.port=" + port,
                                            "-E",
                                            "transport.port=" + transportPort,
                                            "-E",
                                            "path.data=" + home.resolve("data"),
                                            "-E",
                                            "path.logs=" + home.resolve("logs"),
                                            // A test node fills its disk no faster than CI
                                            // machines' disks fill.
                                            "-E",
                                            "cluster.routing.allocation.disk.threshold_enabled=false")),
                            home,
                            home.resolve("server.log"),
                            Map.of(
                                    engine.javaHomeVariable,
                                    System.getProperty("java.home"),
                                    engine.javaOptsVariable,
                                    "-Xms512m -Xmx512m",
                                    engine.tmpDirVariable,
                                    tmp.toString()));
            SearchServer started = new SearchServer(engine, home, port, process);
            started.awaitGreen(Duration.ofMinutes(3));
            return started;
        } catch (IOException e) {
            TempDirs.delete(home);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            TempDirs.delete(home);
            throw e;
        }
    }

    public Engine engine() {
        return engine;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.close();
        TempDirs.delete(home);
    }

    private void awaitGreen(Duration timeout) {
        HttpRequest health =
                HttpRequest.newBuilder(
                                URI.create(
                                        url()
                                                + "/_cluster/health?wait_for_status=yellow&timeout=1s"))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build();
        process.awaitHttp(engine.toString(), health, status -> status == 200, timeout);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
