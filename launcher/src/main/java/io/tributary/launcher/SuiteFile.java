package io.tributary.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A suite file: which jobs to submit, each with its arguments, one job per line.
 *
 * <pre>
 * # job            arguments (${NAME} from --set NAME=value or the environment)
 * ingest           --bootstrap-servers ${KAFKA} --registry-url ${REGISTRY} \
 *                  --checkpoint-dir ${CHECKPOINTS}/ingest
 * sinks-warehouse  --bootstrap-servers ${KAFKA} --registry-url ${REGISTRY} --jdbc-url "jdbc:postgresql://db/tributary"
 * </pre>
 *
 * A line ending in a backslash continues on the next; double quotes keep spaces in one argument.
 */
public final class SuiteFile {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private SuiteFile() {}

    /** One job of the suite and its arguments. */
    public record Entry(SuiteJob job, List<String> args, int line) {}

    public static List<Entry> read(Path file, Map<String, String> variables) {
        try {
            return parse(file.toString(), Files.readAllLines(file), variables);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read suite file " + file, e);
        }
    }

    static List<Entry> parse(String name, List<String> lines, Map<String, String> variables) {
        List<Entry> entries = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (logical.isEmpty()) {
                start = i + 1;
                if (line.isBlank() || line.strip().startsWith("#")) {
                    continue;
                }
            }
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            entries.add(entry(name, start, logical.toString(), variables));
            logical.setLength(0);
        }
        if (!logical.isEmpty()) {
            entries.add(entry(name, start, logical.toString(), variables));
        }
        return entries;
    }

    private static Entry entry(String name, int line, String text, Map<String, String> variables) {
        List<String> words = words(name, line, substitute(name, line, text, variables));
        SuiteJob job;
        try {
            job = SuiteJob.named(words.get(0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ":" + line + ": " + e.getMessage());
        }
        return new Entry(job, List.copyOf(words.subList(1, words.size())), line);
    }

    private static String substitute(
            String name, int line, String text, Map<String, String> variables) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = variables.get(matcher.group(1));
            if (value == null) {
                throw new IllegalArgumentException(
                        name
                                + ":"
                                + line
                                + ":"
                                + (matcher.start() + 1)
                                + ": ${"
                                + matcher.group(1)
                                + "} is not set (pass --set "
                                + matcher.group(1)
                                + "=... or set the environment variable)");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static List<String> words(String name, int line, String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (char c : text.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(
                    name + ":" + line + ": a double quote is not closed");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
