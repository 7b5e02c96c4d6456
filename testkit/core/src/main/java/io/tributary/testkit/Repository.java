package io.tributary.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's checkout, found from wherever a test, the demo or a benchmark runs (a module
 * directory under Maven, the root in an IDE): the nearest directory upward that holds the rules and
 * the root build file. Paths into the repository go through here instead of {@code ../..}.
 */
public final class Repository {
    private static final Path ROOT = find(Path.of("").toAbsolutePath());

    private Repository() {}

    public static Path root() {
        return ROOT;
    }

    /** The shipped rule files ({@code rules/}). */
    public static Path rules() {
        return ROOT.resolve("rules");
    }

    /** A path inside the repository, e.g. {@code path("k8s", "flink-operator")}. */
    public static Path path(String first, String... more) {
        return ROOT.resolve(Path.of(first, more));
    }

    static Path find(Path from) {
        for (Path dir = from; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml"))
                    && Files.isRegularFile(dir.resolve("rules").resolve("rule.schema.json"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "not inside the Tributary repository: no pom.xml with rules/rule.schema.json at or above "
                        + from);
    }
}
