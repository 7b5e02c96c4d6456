package io.tributary.schemas.compat;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * BACKWARD compatibility in the registry's sense, explained per field: can a reader using the new
 * schema decode data written with the old one? Avro's own resolution rules decide; this class turns
 * their JSON-pointer locations into field paths a person can act on.
 */
public final class BackwardCompatibility {

    private BackwardCompatibility() {}

    /** One broken rule at one field. */
    public record Violation(String fieldPath, String rule, String explanation) {
        @Override
        public String toString() {
            return "field '" + fieldPath + "' breaks " + rule + ": " + explanation;
        }
    }

    public static List<Violation> violations(Schema newSchema, Schema previousSchema) {
        List<Violation> violations = new ArrayList<>();
        List<Incompatibility> incompatibilities =
                SchemaCompatibility.checkReaderWriterCompatibility(newSchema, previousSchema)
                        .getResult()
                        .getIncompatibilities();
        for (Incompatibility incompatibility : incompatibilities) {
            violations.add(
                    new Violation(
                            fieldPath(newSchema, incompatibility.getLocation()),
                            incompatibility.getType().name(),
                            explain(incompatibility)));
        }
        return violations;
    }

    private static String explain(Incompatibility incompatibility) {
        String detail = incompatibility.getMessage();
        return switch (incompatibility.getType()) {
            case READER_FIELD_MISSING_DEFAULT_VALUE ->
                    "a field added without a default cannot be filled when reading old data ("
                            + detail
                            + ")";
            case TYPE_MISMATCH ->
                    "its type changed to one old data cannot be promoted to (" + detail + ")";
            case MISSING_ENUM_SYMBOLS ->
                    "enum symbols written by old data were removed and the enum has no default ("
                            + detail
                            + ")";
            case MISSING_UNION_BRANCH ->
                    "a union branch used by old data was removed (" + detail + ")";
            case NAME_MISMATCH -> "a named type was renamed without an alias (" + detail + ")";
            case FIXED_SIZE_MISMATCH -> "a fixed type changed size (" + detail + ")";
        };
    }

    /**
     * Turns a location such as {@code /fields/7/type/1/fields/2} into {@code
     * payload.MediaEvent.rendition}.
     */
    static String fieldPath(Schema root, String location) {
        List<String> names = new ArrayList<>();
        Schema current = root;
        String[] tokens = location.split("/");
        for (int i = 1; i < tokens.length && current != null; i++) {
            String token = tokens[i];
            switch (token) {
                case "fields" -> {
                    if (i + 1 >= tokens.length) {
                        break;
                    }
                    Schema.Field field = current.getFields().get(Integer.parseInt(tokens[++i]));
                    names.add(field.name());
                    current = field.schema();
                }
                case "type", "name", "size", "symbols" -> {
                    // The pointer steps into the field's type or an attribute of it.
                }
                case "items" -> current = current.getElementType();
                case "values" -> current = current.getValueType();
                default -> {
                    if (current.getType() == Schema.Type.UNION && token.matches("\\d+")) {
                        current = current.getTypes().get(Integer.parseInt(token));
                        if (current.getType() != Schema.Type.NULL) {
                            names.add(current.getName());
                        }
                    }
                }
            }
        }
        return names.isEmpty() ? root.getName() : String.join(".", names);
    }
}
