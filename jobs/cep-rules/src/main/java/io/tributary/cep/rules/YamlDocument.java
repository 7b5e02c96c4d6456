package io.tributary.cep.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML file as a JSON tree (for the JSON Schema) that remembers where every value and every key
 * stood in the file, by JSON pointer, so that any later problem points at its line and column. Only
 * plain data: no anchors to classes, no custom tags.
 */
final class YamlDocument {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String file;
    private final JsonNode root;
    private final Map<String, Mark> values;
    private final Map<String, Mark> keys;
    private final Map<String, ScalarNode> scalars;

    private YamlDocument(
            String file,
            JsonNode root,
            Map<String, Mark> values,
            Map<String, Mark> keys,
            Map<String, ScalarNode> scalars) {
        this.file = file;
        this.root = root;
        this.values = values;
        this.keys = keys;
        this.scalars = scalars;
    }

    /** Parses the file; YAML syntax errors and duplicate keys come back as problems. */
    static YamlDocument parse(String file, Reader reader, List<RuleProblem> problems) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        Node node;
        try {
            node = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem().replaceAll("but got (\\S+)$", "but got '$1'");
            String context =
                    e.getContext() == null || e.getContextMark() == null
                            ? ""
                            : " ("
                                    + e.getContext().replace("while parsing a", "in the")
                                    + " that starts at line "
                                    + (e.getContextMark().getLine() + 1)
                                    + ", column "
                                    + (e.getContextMark().getColumn() + 1)
                                    + ")";
            problems.add(at(file, mark, "YAML syntax error: " + problem + context));
            return null;
        } catch (RuntimeException e) {
            problems.add(new RuleProblem(file, 1, 1, "cannot read YAML: " + e.getMessage()));
            return null;
        }
        if (node == null) {
            problems.add(
                    new RuleProblem(file, 1, 1, "the file is empty; a rule file holds one rule"));
            return null;
        }
        Map<String, Mark> values = new HashMap<>();
        Map<String, Mark> keys = new HashMap<>();
        Map<String, ScalarNode> scalars = new HashMap<>();
        JsonNode root = convert(file, node, "", values, keys, scalars, problems);
        return new YamlDocument(file, root, values, keys, scalars);
    }

    String file() {
        return file;
    }

    JsonNode root() {
        return root;
    }

    /** A problem at the value under the pointer, or at its nearest enclosing value. */
    RuleProblem problemAt(String pointer, String message) {
        return at(file, lookup(values, pointer), message);
    }

    /** A problem at the key of the pointer's value (for unknown or misplaced fields). */
    RuleProblem problemAtKey(String pointer, String message) {
        Mark mark = keys.get(pointer);
        return mark != null ? at(file, mark, message) : problemAt(pointer, message);
    }

    /**
     * A problem at a line and column inside a scalar (1-based, relative to the scalar's text), as
     * an expression compiler reports them. Exact for plain and quoted single-line scalars and for
     * block scalars; otherwise the scalar's start.
     */
    RuleProblem problemInside(String pointer, int line, int column, String message) {
        ScalarNode scalar = scalars.get(pointer);
        if (scalar == null || line < 1 || column < 1) {
            return problemAt(pointer, message);
        }
        Mark start = scalar.getStartMark();
        return switch (scalar.getScalarStyle()) {
            case PLAIN ->
                    new RuleProblem(
                            file,
                            start.getLine() + line,
                            (line == 1 ? start.getColumn() : 0) + column,
                            message);
            case SINGLE_QUOTED, DOUBLE_QUOTED ->
                    line == 1
                            ? new RuleProblem(
                                    file,
                                    start.getLine() + 1,
                                    start.getColumn() + 1 + column,
                                    message)
                            : at(file, start, message);
            case LITERAL, FOLDED ->
                    new RuleProblem(
                            file, start.getLine() + 1 + line, indentOf(scalar) + column, message);
            default -> at(file, start, message);
        };
    }

    private static int indentOf(ScalarNode scalar) {
        // A block scalar's content starts on the line after its indicator, indented past its key.
        return scalar.getStartMark().getColumn() + 2;
    }

    private static Mark lookup(Map<String, Mark> marks, String pointer) {
        String at = pointer;
        while (true) {
            Mark mark = marks.get(at);
            if (mark != null || at.isEmpty()) {
                return mark;
            }
            at = at.substring(0, at.lastIndexOf('/'));
        }
    }

    private static RuleProblem at(String file, Mark mark, String message) {
        return mark == null
                ? new RuleProblem(file, 1, 1, message)
                : new RuleProblem(file, mark.getLine() + 1, mark.getColumn() + 1, message);
    }

    private static JsonNode convert(
            String file,
            Node node,
            String pointer,
            Map<String, Mark> values,
            Map<String, Mark> keys,
            Map<String, ScalarNode> scalars,
            List<RuleProblem> problems) {
        values.put(pointer, node.getStartMark());
        if (node instanceof MappingNode mapping) {
            ObjectNode object = JSON.objectNode();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    problems.add(
                            at(
                                    file,
                                    tuple.getKeyNode().getStartMark(),
                                    "a key must be a plain name"));
                    continue;
                }
                String child = pointer + "/" + key.getValue().replace("~", "~0").replace("/", "~1");
                keys.put(child, key.getStartMark());
                object.set(
                        key.getValue(),
                        convert(
                                file,
                                tuple.getValueNode(),
                                child,
                                values,
                                keys,
                                scalars,
                                problems));
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = JSON.arrayNode();
            List<Node> items = new ArrayList<>(sequence.getValue());
            for (int i = 0; i < items.size(); i++) {
                array.add(
                        convert(
                                file,
                                items.get(i),
                                pointer + "/" + i,
                                values,
                                keys,
                                scalars,
                                problems));
            }
            return array;
        }
        ScalarNode scalar = (ScalarNode) node;
        scalars.put(pointer, scalar);
        String text = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (Tag.INT.equals(tag)) {
                return JSON.numberNode(Long.parseLong(text.replace("_", "")));
            }
            if (Tag.FLOAT.equals(tag)) {
                return JSON.numberNode(Double.parseDouble(text.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            return JSON.textNode(text);
        }
        if (Tag.BOOL.equals(tag)) {
            // YAML 1.1 booleans: true/false, yes/no, on/off.
            return JSON.booleanNode(
                    java.util.Set.of("true", "yes", "on", "y")
                            .contains(text.toLowerCase(java.util.Locale.ROOT)));
        }
        if (Tag.NULL.equals(tag)) {
            return JSON.nullNode();
        }
        return JSON.textNode(text);
    }
}
