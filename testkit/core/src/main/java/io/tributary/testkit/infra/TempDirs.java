package io.tributary.testkit.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Short-lived directories under the system temp dir (short paths: RocksDB dislikes long ones).
 * Whatever is still there when the JVM shuts down (Ctrl-C on the demo, a killed test run) is
 * deleted by a shutdown hook, so nothing is left behind but after a {@code kill -9}.
 */
public final class TempDirs {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> LIVE.forEach(TempDirs::deleteQuietly), "temp-dir-cleanup"));
    }

    private TempDirs() {}

    public static Path create(String prefix) {
        try {
            Path dir = Files.createTempDirectory("trib-" + prefix);
            LIVE.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (RuntimeException e) {
            // The JVM is going away; a leftover temp dir is all that can happen.
        }
    }

    public static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        LIVE.remove(dir);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
