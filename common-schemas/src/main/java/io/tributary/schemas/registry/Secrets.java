package io.tributary.schemas.registry;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the secret references a setting may hold, in the syntax of Kafka's config providers so
 * that operators write every secret of the suite the same way: {@code ${env:NAME}} (an environment
 * variable), {@code ${file:/path/file.properties:key}} (a key of a properties file) and {@code
 * ${dir:/mounted/dir:file}} (a file's content, as Kubernetes mounts a Secret). Resolved where the
 * client runs, so the secret never travels in the job graph.
 */
public final class Secrets {
    private static final Pattern REFERENCE =
            Pattern.compile("\\$\\{(env|file|dir):(?:([^}]*?):)?([^}:]*)\\}");

    private final Function<String, String> environment;

    private Secrets(Function<String, String> environment) {
        this.environment = environment;
    }

    public static Secrets fromProcess() {
        return new Secrets(System::getenv);
    }

    static Secrets withEnvironment(Function<String, String> environment) {
        return new Secrets(environment);
    }

    /**
     * {@code value} with every reference replaced.
     *
     * @throws IllegalArgumentException naming the variable, file or key that is missing (never the
     *     value)
     */
    public String resolve(String value) {
        if (value == null || !value.contains("${")) {
            return value;
        }
        Matcher reference = REFERENCE.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (reference.find()) {
            String found =
                    switch (reference.group(1)) {
                        case "env" -> variable(reference.group(3), reference.group(2));
                        case "file" -> propertiesKey(reference.group(2), reference.group(3));
                        default -> fileContent(reference.group(2), reference.group(3));
                    };
            reference.appendReplacement(resolved, Matcher.quoteReplacement(found));
        }
        reference.appendTail(resolved);
        return resolved.toString();
    }

    private String variable(String name, String path) {
        if (path != null) {
            throw new IllegalArgumentException("Write environment variables as ${env:NAME}");
        }
        String value = environment.apply(name);
        if (value == null) {
            throw new IllegalArgumentException(
                    "Environment variable " + name + " is not set, and a setting refers to it");
        }
        return value;
    }

    private static String propertiesKey(String file, String key) {
        if (file == null) {
            throw new IllegalArgumentException("Write ${file:/path/file.properties:key}");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read secrets file " + file + ": " + e, e);
        }
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("Secrets file " + file + " has no key " + key);
        }
        return value;
    }

    private static String fileContent(String dir, String name) {
        if (dir == null) {
            throw new IllegalArgumentException("Write ${dir:/mounted/dir:file}");
        }
        Path file = Path.of(dir).resolve(name);
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read secret file " + file + ": " + e, e);
        }
    }
}
