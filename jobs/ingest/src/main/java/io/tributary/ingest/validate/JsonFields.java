package io.tributary.ingest.validate;

import static io.tributary.schemas.DeadLetterReason.INVALID_VALUE;
import static io.tributary.schemas.DeadLetterReason.MALFORMED_JSON;
import static io.tributary.schemas.DeadLetterReason.MISSING_FIELD;
import static io.tributary.schemas.DeadLetterReason.WRONG_TYPE;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tributary.jobs.validate.Rejection;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.util.HashMap;
import java.util.Map;

/**
 * Typed, bounded reads of one JSON event's fields. Every failure names the field and says what was
 * expected, because the message ends up in front of whoever owns the sending gateway.
 *
 * <p>The event's top level is read straight from the parser into a small table instead of a Jackson
 * tree: an {@code ObjectNode} (a {@code LinkedHashMap} of nodes, hashed on every put and get) was a
 * fifth of the ingest parse task. Values are the nodes a tree would hold, so every check reads them
 * as before; nested objects and arrays, which no event field has, are still built as trees.
 */
final class JsonFields {
    static final int MAX_INSTANT_CHARS = 64;
    static final int MAX_DECIMAL_CHARS = 64;
    static final int MAX_DECIMAL_DIGITS = 38;

    /**
     * Events have about twenty fields, kept in a small open-addressing table (names' hash codes are
     * cached: the parser interns them, Java its literals). Beyond this many, a record could be
     * crafted with colliding names to make probing quadratic: the rest go to a {@link HashMap},
     * whose bins turn into trees under collisions.
     */
    private static final int TABLE_FIELDS = 32;

    private static final int TABLE_SLOTS = 64;

    private final int maxStringLength;
    private final String[] names = new String[TABLE_SLOTS];
    private final JsonNode[] values = new JsonNode[TABLE_SLOTS];
    private int size;
    private Map<String, JsonNode> overflow;

    private JsonFields(int maxStringLength) {
        this.maxStringLength = maxStringLength;
    }

    /**
     * Reads one JSON object from {@code parser}, which stands before its first token, and refuses a
     * field named twice. What follows the object is the caller's to check.
     *
     * @param trees builds nested values, with the same settings as the parser's mapper
     * @return the fields, or {@code null} if the value is not a JSON object
     */
    static JsonFields read(JsonParser parser, ObjectMapper trees, int maxStringLength)
            throws IOException, Rejection {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            if (parser.currentToken() == JsonToken.START_ARRAY) {
                parser.skipChildren();
            }
            return null;
        }
        JsonFields fields = new JsonFields(maxStringLength);
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonNode value = value(parser, parser.nextToken(), trees);
            if (!fields.add(name, value)) {
                throw Rejection.of(
                        MALFORMED_JSON,
                        "not valid JSON: the field \""
                                + abbreviate(name)
                                + "\" appears twice in the event");
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new JsonParseException(parser, "unexpected " + token + " in an object");
        }
        return fields;
    }

    /** The node readTree would build for the value at {@code token}. */
    private static JsonNode value(JsonParser parser, JsonToken token, ObjectMapper trees)
            throws IOException {
        if (token == null) {
            throw new JsonParseException(parser, "the event ends inside an object");
        }
        return switch (token) {
            case VALUE_STRING -> TextNode.valueOf(parser.getText());
            case VALUE_NUMBER_INT ->
                    switch (parser.getNumberType()) {
                        case INT -> IntNode.valueOf(parser.getIntValue());
                        case LONG -> LongNode.valueOf(parser.getLongValue());
                        default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
                    };
            case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(parser.getDoubleValue());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            case START_OBJECT, START_ARRAY -> trees.readTree(parser);
            default -> throw new JsonParseException(parser, "unexpected " + token + " as a value");
        };
    }

    /** Adds a field; {@code false} if the name is already there. */
    private boolean add(String name, JsonNode value) {
        int slot = slotOf(name);
        if (names[slot] != null) {
            return false;
        }
        if (size < TABLE_FIELDS) {
            names[slot] = name;
            values[slot] = value;
        } else {
            if (overflow == null) {
                overflow = new HashMap<>();
            }
            if (overflow.putIfAbsent(name, value) != null) {
                return false;
            }
        }
        size++;
        return true;
    }

    /**
     * The table slot holding {@code name}, or the empty one where it would go (the table is never
     * more than half full, so there is one).
     */
    private int slotOf(String name) {
        int slot = name.hashCode() & (TABLE_SLOTS - 1);
        for (String held; (held = names[slot]) != null; slot = (slot + 1) & (TABLE_SLOTS - 1)) {
            if (held == name || held.equals(name)) {
                return slot;
            }
        }
        return slot;
    }

    int size() {
        return size;
    }

    /** The field's node as the event holds it (a JSON null included), or {@code null}. */
    JsonNode get(String field) {
        int slot = slotOf(field);
        if (names[slot] != null) {
            return values[slot];
        }
        return overflow == null ? null : overflow.get(field);
    }

    String requiredString(String field) throws Rejection {
        JsonNode node = present(field);
        if (node == null) {
            throw missing(field);
        }
        return string(field, node);
    }

    String optionalString(String field) throws Rejection {
        JsonNode node = present(field);
        return node == null ? null : string(field, node);
    }

    long requiredLong(String field, long min, long max) throws Rejection {
        JsonNode node = present(field);
        if (node == null) {
            throw missing(field);
        }
        return longValue(field, node, min, max);
    }

    Long optionalLong(String field, long min, long max) throws Rejection {
        JsonNode node = present(field);
        return node == null ? null : longValue(field, node, min, max);
    }

    Integer optionalInt(String field, int min, int max) throws Rejection {
        Long value = optionalLong(field, min, max);
        return value == null ? null : value.intValue();
    }

    int requiredInt(String field, int min, int max) throws Rejection {
        return (int) requiredLong(field, min, max);
    }

    double requiredFiniteDouble(String field) throws Rejection {
        JsonNode node = present(field);
        if (node == null) {
            throw missing(field);
        }
        return finiteDouble(field, node);
    }

    Double optionalDouble(String field, double min, double max) throws Rejection {
        JsonNode node = present(field);
        if (node == null) {
            return null;
        }
        double value = finiteDouble(field, node);
        if (value < min || value > max) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    Boolean optionalBoolean(String field) throws Rejection {
        JsonNode node = present(field);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            throw new Rejection(
                    WRONG_TYPE, field, field + " must be true or false, was " + describe(node));
        }
        return node.booleanValue();
    }

    /** ISO-8601 instant ({@code 2026-11-22T10:15:30.123Z}) or epoch milliseconds. */
    long requiredInstant(String field) throws Rejection {
        JsonNode node = present(field);
        if (node == null) {
            throw missing(field);
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual()) {
            String text = node.textValue();
            try {
                if (text.length() <= MAX_INSTANT_CHARS) {
                    return IsoInstants.toEpochMilli(text);
                }
            } catch (DateTimeException e) {
                // Unparseable, or beyond the range of epoch milliseconds: both the sender's error.
            }
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field
                            + " must be an ISO-8601 instant such as 2026-11-22T10:15:30Z, was \""
                            + abbreviate(text)
                            + "\"");
        }
        throw new Rejection(
                WRONG_TYPE,
                field,
                field + " must be an ISO-8601 string or epoch milliseconds, was " + describe(node));
    }

    /**
     * A JSON decimal, as a string or a number, with its exact digits. Bounded before anything is
     * computed from it: {@code "1e2000000"} is a valid BigDecimal whose plain form has two million
     * digits.
     */
    BigDecimal requiredDecimal(String field) throws Rejection {
        JsonNode node = present(field);
        if (node == null) {
            throw missing(field);
        }
        BigDecimal value;
        if (node.isTextual()) {
            String text = node.textValue();
            try {
                value = text.length() <= MAX_DECIMAL_CHARS ? new BigDecimal(text.strip()) : null;
            } catch (NumberFormatException e) {
                value = null;
            }
        } else if (node.isNumber()) {
            value =
                    node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())
                            ? null
                            : node.decimalValue();
        } else {
            throw new Rejection(
                    WRONG_TYPE, field, field + " must be a decimal number, was " + describe(node));
        }
        if (value == null
                || value.precision() > MAX_DECIMAL_DIGITS
                || Math.abs(value.scale()) > MAX_DECIMAL_DIGITS) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field
                            + " must be a decimal number of at most "
                            + MAX_DECIMAL_DIGITS
                            + " digits, was "
                            + describe(node));
        }
        return value;
    }

    private JsonNode present(String field) {
        JsonNode node = get(field);
        return node == null || node.isNull() ? null : node;
    }

    private String string(String field, JsonNode node) throws Rejection {
        if (!node.isTextual()) {
            throw new Rejection(
                    WRONG_TYPE, field, field + " must be a string, was " + describe(node));
        }
        String value = node.textValue();
        if (value.isBlank()) {
            throw new Rejection(MISSING_FIELD, field, field + " must not be blank");
        }
        if (value.length() > maxStringLength) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field
                            + " is "
                            + value.length()
                            + " characters long; at most "
                            + maxStringLength
                            + " are allowed");
        }
        return value;
    }

    private static long longValue(String field, JsonNode node, long min, long max)
            throws Rejection {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new Rejection(
                    WRONG_TYPE, field, field + " must be a whole number, was " + describe(node));
        }
        long value = node.longValue();
        if (value < min || value > max) {
            throw new Rejection(
                    INVALID_VALUE,
                    field,
                    field + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    private static double finiteDouble(String field, JsonNode node) throws Rejection {
        if (!node.isNumber()) {
            throw new Rejection(
                    WRONG_TYPE, field, field + " must be a number, was " + describe(node));
        }
        double value = node.doubleValue();
        if (!Double.isFinite(value)) {
            throw new Rejection(INVALID_VALUE, field, field + " must be finite, was " + value);
        }
        return value;
    }

    private static Rejection missing(String field) {
        return new Rejection(MISSING_FIELD, field, "required field " + field + " is missing");
    }

    private static String describe(JsonNode node) {
        String kind = node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        return kind + " " + abbreviate(node.toString());
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
