package io.tributary.cep.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only {@link FlinkInternals} imports Flink classes that Flink does not mark {@code @Public} or
 * {@code @PublicEvolving}, so an upgrade of Flink is checked in one place. Read from the class
 * files on the test classpath (the annotations are not visible to reflection), for every Flink
 * class the module's main sources import or name in full.
 *
 * <p>Allowed elsewhere, though unmarked: the CEP pattern API (Flink CEP marks nothing, yet its user
 * guide is written against {@code Pattern}, the skip strategies and the malformed-pattern
 * exception); the serializers Flink's state documentation has users pass to descriptors; Avro's
 * type information; and {@code StreamRecord}, which the public operator interfaces take as their
 * argument.
 */
class FlinkApiBoundaryTest {
    private static final Path MAIN = Path.of("src/main/java");

    private static final List<String> UNMARKED_BUT_USER_FACING =
            List.of(
                    "org.apache.flink.cep.pattern.",
                    "org.apache.flink.cep.nfa.aftermatch.",
                    "org.apache.flink.api.common.typeutils.base.",
                    "org.apache.flink.api.java.typeutils.runtime.TupleSerializer",
                    "org.apache.flink.formats.avro.typeutils.AvroTypeInfo",
                    "org.apache.flink.streaming.runtime.streamrecord.StreamRecord");

    @Test
    void nonPublicFlinkApiIsUsedOnlyInFlinkInternals() throws IOException {
        Map<String, Set<String>> nonPublicByUser = nonPublicImports();

        Map<String, Set<String>> outside = new TreeMap<>(nonPublicByUser);
        outside.remove("FlinkInternals.java");
        outside.values()
                .forEach(
                        classes ->
                                classes.removeIf(
                                        name ->
                                                UNMARKED_BUT_USER_FACING.stream()
                                                        .anyMatch(name::startsWith)));
        outside.values().removeIf(Set::isEmpty);
        assertThat(outside).as("non-public Flink API imported outside FlinkInternals").isEmpty();
        // The scan finds what it is meant to: FlinkInternals does use Flink's internals.
        assertThat(nonPublicByUser.get("FlinkInternals.java"))
                .contains(
                        "org.apache.flink.cep.nfa.NFA",
                        "org.apache.flink.runtime.state.internal.InternalKvState",
                        "org.apache.flink.streaming.api.operators.InternalTimerService");
    }

    /** A Flink class named in full: imported, or written out in the code. */
    private static final Pattern FLINK_CLASS =
            Pattern.compile("org\\.apache\\.flink\\.[a-z0-9.]+\\.[A-Z][A-Za-z0-9_.]*");

    /**
     * Per source file, the Flink classes it imports or names in full that carry no public-API
     * annotation.
     */
    private static Map<String, Set<String>> nonPublicImports() throws IOException {
        Map<String, Set<String>> byFile = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.startsWith("import org.apache.flink.")) {
                        continue;
                    }
                    String imported = line.substring("import ".length(), line.length() - 1);
                    String owner = topLevelClass(imported);
                    if (!markedPublic(owner)) {
                        byFile.computeIfAbsent(file.getFileName().toString(), f -> new TreeSet<>())
                                .add(owner);
                    }
                }
            }
        }
        return byFile;
    }

    /** The class file that holds an imported class (nested classes: their outermost class). */
    private static String topLevelClass(String imported) {
        String name = imported;
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        while (resource(name) == null) {
            int dot = name.lastIndexOf('.');
            if (dot < 0) {
                throw new AssertionError("import of a class not on the classpath: " + imported);
            }
            name = name.substring(0, dot);
        }
        return name;
    }

    private static boolean markedPublic(String className) throws IOException {
        try (InputStream in = resource(className)) {
            String classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            return classFile.contains("Lorg/apache/flink/annotation/Public;")
                    || classFile.contains("Lorg/apache/flink/annotation/PublicEvolving;");
        }
    }

    private static InputStream resource(String className) {
        return FlinkApiBoundaryTest.class
                .getClassLoader()
                .getResourceAsStream(className.replace('.', '/') + ".class");
    }
}
