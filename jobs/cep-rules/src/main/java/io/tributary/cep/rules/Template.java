package io.tributary.cep.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Alert text with {@code ${expression}} parts: {@code "Session ${stalls.sessionId} stalled
 * ${stalls.count} times"}. Only splits the text; the expressions are CEL.
 */
public record Template(List<Part> parts) {
    /** Literal text, or an expression with its offset (0-based) in the template. */
    public record Part(String text, boolean expression, int offset) {}

    /** Thrown for a {@code ${} without its closing brace; offset is where the part starts. */
    public static final class Unclosed extends Exception {
        private final int offset;

        Unclosed(int offset) {
            super("'${' at character " + (offset + 1) + " is never closed with '}'");
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    public static Template parse(String text) throws Unclosed {
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf("${", at);
            if (open < 0) {
                parts.add(new Part(text.substring(at), false, at));
                break;
            }
            if (open > at) {
                parts.add(new Part(text.substring(at, open), false, at));
            }
            int close = closingBrace(text, open + 2);
            if (close < 0) {
                throw new Unclosed(open);
            }
            parts.add(new Part(text.substring(open + 2, close), true, open + 2));
            at = close + 1;
        }
        return new Template(parts);
    }

    /** Braces of map literals may nest inside; quoted text may hold any brace. */
    private static int closingBrace(String text, int from) {
        int depth = 0;
        char quote = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }
}
