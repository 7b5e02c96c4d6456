package io.tributary.ingest.validate;

import static io.tributary.schemas.DeadLetterReason.INVALID_VALUE;
import static io.tributary.schemas.DeadLetterReason.MISSING_FIELD;
import static io.tributary.schemas.DeadLetterReason.WRONG_TYPE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.jobs.validate.Rejection;
import java.math.BigDecimal;
import java.time.DateTimeException;

/**
 * Typed, bounded reads of one JSON event's fields. Every failure names the field and says what was
 * expected, because the message ends up in front of whoever owns the sending gateway.
 */
final class JsonFields {
    static final int MAX_INSTANT_CHARS = 64;
    static final int MAX_DECIMAL_CHARS = 64;
    static final int MAX_DECIMAL_DIGITS = 38;

    private final ObjectNode event;
    private final int maxStringLength;

    JsonFields(ObjectNode event, int maxStringLength) {
        this.event = event;
        this.maxStringLength = maxStringLength;
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
        JsonNode node = event.get(field);
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
