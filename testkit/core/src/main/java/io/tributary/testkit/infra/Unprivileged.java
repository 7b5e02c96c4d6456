package io.tributary.testkit.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL, Elasticsearch and OpenSearch refuse to run as root, and CI machines run as root.
 * There, a server runs as an ordinary system account through {@code runuser}, which hands signals
 * on to the server, so stopping the guard still stops the server.
 */
final class Unprivileged {
    private final String user;

    private Unprivileged(String user) {
        this.user = user;
    }

    /** Runs as {@code user} when this JVM is root, as the current user otherwise. */
    static Unprivileged as(String user) {
        return new Unprivileged(isRoot() ? user : null);
    }

    List<String> command(List<String> command) {
        if (user == null) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", user, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives the account a directory of its own (and lets it through the temp dir above it). */
    void own(Path dir, Path log) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (user != null) {
            ChildProcess.run(
                    "chown",
                    List.of("chown", "-R", user, dir.toString()),
                    dir,
                    log,
                    Duration.ofMinutes(1));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
