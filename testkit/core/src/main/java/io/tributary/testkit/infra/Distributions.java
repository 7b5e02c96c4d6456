package io.tributary.testkit.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Where the build of tributary-testkit-distributions put the real servers' files. */
final class Distributions {
    private static final String RESOURCE = "/io/tributary/testkit/distributions.properties";
    private static final Properties PROPERTIES = load();

    private Distributions() {}

    static String kafkaClasspath() {
        return require("kafka.classpath");
    }

    static Path apicurioRunnerJar() {
        Path jar =
                Path.of(require("apicurio.home"))
                        .resolve(
                                "apicurio-registry-app-"
                                        + require("apicurio.version")
                                        + "-runner.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: build the test kit first (mvn -B install -DskipTests)");
        }
        return jar;
    }

    static Path s3ProxyJar() {
        Path jar = Path.of(require("s3proxy.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar + " is missing: build the test kit first (mvn -B install -DskipTests)");
        }
        return jar;
    }

    static Path openSearchHome() {
        return existingDirectory("opensearch.home");
    }

    static Path elasticsearchHome() {
        return existingDirectory("elasticsearch.home");
    }

    private static Path existingDirectory(String key) {
        Path dir = Path.of(require(key));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(
                    dir + " is missing: build the test kit first (mvn -B install -DskipTests)");
        }
        return dir;
    }

    private static String require(String key) {
        String value = PROPERTIES.getProperty(key);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException(
                    key + " is not set in " + RESOURCE + ": was the distributions module built?");
        }
        return value;
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = Distributions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " not on the classpath");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
