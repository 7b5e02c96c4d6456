package io.tributary.testkit.infra;

import io.tributary.schemas.registry.SchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real schema registry speaking the Confluent REST API: the Apicurio Registry 2.6 runnable
 * distribution (in-memory storage) in a child JVM, its compatibility rule set to BACKWARD as a
 * production registry would have it.
 */
public final class SchemaRegistry implements AutoCloseable {
    private final Path home;
    private final int port;
    private final ChildProcess process;

    private SchemaRegistry(Path home, int port, ChildProcess process) {
        this.home = home;
        this.port = port;
        this.process = process;
    }

    public static SchemaRegistry start() {
        Path home = TempDirs.create("registry");
        int port = FreePorts.next();
        try {
            ChildProcess process =
                    ChildProcess.start(
                            "schema-registry",
                            List.of(
                                    KafkaBroker.javaExecutable(),
                                    "-Xms128m",
                                    "-Xmx384m",
                                    "-Dquarkus.http.port=" + port,
                                    "-Dquarkus.http.host=127.0.0.1",
                                    "-Dquarkus.log.level=WARN",
                                    "-Djava.io.tmpdir=" + home,
                                    "-jar",
                                    Distributions.apicurioRunnerJar().toString()),
                            home,
                            home.resolve("registry.log"));
            SchemaRegistry registry = new SchemaRegistry(home, port, process);
            registry.awaitReady(Duration.ofSeconds(90));
            registry.client().setGlobalCompatibility("BACKWARD");
            return registry;
        } catch (RuntimeException e) {
            TempDirs.delete(home);
            throw e;
        }
    }

    /** Base URL of the Confluent-compatible API, as Confluent clients expect it. */
    public String url() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    public SchemaRegistryClient client() {
        return new SchemaRegistryClient(url());
    }

    @Override
    public void close() {
        process.close();
        TempDirs.delete(home);
    }

    private void awaitReady(Duration timeout) {
        process.awaitHttp(
                "Schema registry",
                HttpRequest.newBuilder(URI.create(url() + "/subjects")).GET().build(),
                status -> status == 200,
                timeout);
    }
}
