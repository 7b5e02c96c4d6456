package io.tributary.testkit.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real S3-compatible object store: s3proxy with its filesystem backend in a child JVM, signed
 * requests required (AWS v2 or v4) with the fixed {@link #ACCESS_KEY}/{@link #SECRET_KEY}. Flink
 * reaches it through flink-s3-fs-hadoop with {@link #flinkOptions()}.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "tributary";
    public static final String SECRET_KEY = "tributary-secret";

    private final Path home;
    private final int port;
    private final ChildProcess process;

    private S3Server(Path home, int port, ChildProcess process) {
        this.home = home;
        this.port = port;
        this.process = process;
    }

    public static S3Server start() {
        Path home = TempDirs.create("s3");
        int port = FreePorts.next();
        try {
            Files.createDirectories(home.resolve("blobs"));
            Path properties = home.resolve("s3proxy.properties");
            Files.writeString(
                    properties,
                    String.join(
                            "\n",
                            "s3proxy.endpoint=http://127.0.0.1:" + port,
                            "s3proxy.authorization=aws-v2-or-v4",
                            "s3proxy.identity=" + ACCESS_KEY,
                            "s3proxy.credential=" + SECRET_KEY,
                            "jclouds.provider=filesystem",
                            "jclouds.filesystem.basedir=" + home.resolve("blobs"),
                            ""));
            ChildProcess process =
                    ChildProcess.start(
                            "s3proxy",
                            List.of(
                                    KafkaBroker.javaExecutable(),
                                    "-Xms64m",
                                    "-Xmx256m",
                                    "-Djava.io.tmpdir=" + home,
                                    "-jar",
                                    Distributions.s3ProxyJar().toString(),
                                    "--properties",
                                    properties.toString()),
                            home,
                            home.resolve("s3proxy.log"));
            S3Server server = new S3Server(home, port, process);
            server.awaitReady(Duration.ofSeconds(60));
            return server;
        } catch (IOException e) {
            TempDirs.delete(home);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            TempDirs.delete(home);
            throw e;
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Creates a bucket. With the filesystem backend a bucket is a directory of the store's base
     * directory, which is also how s3proxy itself creates one; this spares the test kit an S3
     * request signer.
     */
    public void createBucket(String bucket) {
        try {
            Files.createDirectories(home.resolve("blobs").resolve(bucket));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flink configuration for flink-s3-fs-hadoop against this server. */
    public Map<String, String> flinkOptions() {
        return Map.of(
                "s3.endpoint",
                endpoint(),
                "s3.path.style.access",
                "true",
                "s3.access-key",
                ACCESS_KEY,
                "s3.secret-key",
                SECRET_KEY);
    }

    @Override
    public void close() {
        process.close();
        TempDirs.delete(home);
    }

    private void awaitReady(Duration timeout) {
        // Any answer (an unsigned request gets 403) means the server is listening.
        process.awaitHttp(
                "s3proxy",
                HttpRequest.newBuilder(URI.create(endpoint() + "/")).GET().build(),
                status -> true,
                timeout);
    }
}
