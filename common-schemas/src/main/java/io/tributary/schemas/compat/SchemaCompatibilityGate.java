package io.tributary.schemas.compat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The build's schema gate: every top-level schema in the source tree must be BACKWARD compatible
 * with its released version in the history directory, i.e. a consumer on the new schema can read
 * everything producers wrote with the released one. This is the rule the registry enforces at
 * runtime; failing at build time means nobody finds out in production.
 *
 * <p>Layout: {@code <sources>/common/*.avsc} holds the shared types; every other {@code .avsc}
 * directly in {@code <sources>} is a top-level (topic) schema. {@code <history>/<FullName>.avsc}
 * holds the released version, self-contained. A schema without history is new and passes.
 *
 * <p>Usage: {@code SchemaCompatibilityGate <sources> <history> [--release]}; {@code --release}
 * writes the current schemas as the new released versions.
 */
public final class SchemaCompatibilityGate {

    private SchemaCompatibilityGate() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SchemaCompatibilityGate <sources> <history> [--release]");
            System.exit(2);
        }
        Path sources = Path.of(args[0]);
        Path history = Path.of(args[1]);
        Map<String, Schema> current = loadSources(sources);
        if (args.length > 2 && args[2].equals("--release")) {
            release(current, history);
            return;
        }
        List<String> problems = check(current, loadHistory(history));
        if (!problems.isEmpty()) {
            System.err.println("Schema compatibility gate FAILED (rule: BACKWARD):");
            problems.forEach(p -> System.err.println("  " + p));
            System.err.println(
                    "Give new fields a default, keep removed fields' readers tolerant, never rename"
                            + " types; if a break is intended, version the topic instead.");
            // A non-zero exit fails the Maven build at this point.
            System.exit(1);
        }
        System.out.println(
                "Schema compatibility gate: " + current.size() + " schema(s) BACKWARD compatible");
    }

    /** Problems found, one readable line each; empty when every schema passes. */
    public static List<String> check(Map<String, Schema> current, Map<String, Schema> released) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Schema> entry : current.entrySet()) {
            Schema previous = released.get(entry.getKey());
            if (previous != null) {
                for (BackwardCompatibility.Violation v :
                        BackwardCompatibility.violations(entry.getValue(), previous)) {
                    problems.add(entry.getKey() + ": " + v);
                }
            }
        }
        return problems;
    }

    /** The top-level schemas of a source tree, by full name. */
    public static Map<String, Schema> loadSources(Path sources) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        Path common = sources.resolve("common");
        if (Files.isDirectory(common)) {
            for (Path file : avscFiles(common)) {
                parser.parse(file.toFile());
            }
        }
        Map<String, Schema> topLevel = new TreeMap<>();
        for (Path file : avscFiles(sources)) {
            Schema schema = parser.parse(file.toFile());
            topLevel.put(schema.getFullName(), schema);
        }
        return topLevel;
    }

    public static Map<String, Schema> loadHistory(Path history) throws IOException {
        Map<String, Schema> released = new TreeMap<>();
        if (!Files.isDirectory(history)) {
            return released;
        }
        for (Path file : avscFiles(history)) {
            Schema schema = new Schema.Parser().parse(file.toFile());
            released.put(schema.getFullName(), schema);
        }
        return released;
    }

    private static void release(Map<String, Schema> current, Path history) throws IOException {
        Files.createDirectories(history);
        for (Schema schema : current.values()) {
            Path file = history.resolve(schema.getFullName() + ".avsc");
            Files.writeString(file, schema.toString(true) + System.lineSeparator());
            System.out.println("released " + file);
        }
    }

    private static List<Path> avscFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
        }
    }
}
