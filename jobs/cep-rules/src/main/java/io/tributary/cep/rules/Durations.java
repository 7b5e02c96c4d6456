package io.tributary.cep.rules;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as rule files write them: 500ms, 60s, 15m, 48h, 2d, 1h30m. */
public final class Durations {
    private static final Pattern WHOLE = Pattern.compile("-?([0-9]+(ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

    private Durations() {}

    /**
     * The duration, or null when the text is not one. Negative durations parse (and are rejected by
     * the caller).
     */
    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            return null;
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1));
            total =
                    total.plus(
                            switch (part.group(2)) {
                                case "ms" -> Duration.ofMillis(amount);
                                case "s" -> Duration.ofSeconds(amount);
                                case "m" -> Duration.ofMinutes(amount);
                                case "h" -> Duration.ofHours(amount);
                                default -> Duration.ofDays(amount);
                            });
        }
        return text.startsWith("-") ? total.negated() : total;
    }

    /** The shortest spelling in the same units, for explanations. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
