package io.tributary.ingest.validate;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Epoch milliseconds of an ISO-8601 instant, as {@link Instant#parse} reads it, with a fast path
 * for the one form gateways send ({@code 2026-11-22T10:15:30Z} or {@code ...30.123Z}, up to nine
 * fraction digits). Profiles of the ingest job showed {@code Instant.parse} (a general formatter
 * building a map of parsed fields per call) at a sixth of the parse task's CPU. Anything outside
 * the fast path (offsets, leap seconds, years beyond four digits) goes to {@code Instant.parse}, so
 * both accept and refuse exactly the same texts.
 */
public final class IsoInstants {
    private static final int DATE_TIME_CHARS = "2026-11-22T10:15:30".length();

    private IsoInstants() {}

    /**
     * @throws DateTimeException if the text is not an instant, or not one in the range of epoch
     *     milliseconds (as {@code Instant.parse(text).toEpochMilli()} would)
     */
    public static long toEpochMilli(String text) {
        long fast = fastPath(text);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (ArithmeticException e) {
            throw new DateTimeException(
                    "instant beyond the range of epoch milliseconds: " + text, e);
        }
    }

    /** Long.MIN_VALUE where the text is not of the common form; the general parser decides then. */
    static long fastPath(String text) {
        int length = text.length();
        if (length < DATE_TIME_CHARS + 1
                || length > DATE_TIME_CHARS + 11
                || text.charAt(length - 1) != 'Z') {
            return Long.MIN_VALUE;
        }
        if (text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > 28 && day > lengthOfMonth(year, month)
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return Long.MIN_VALUE;
        }
        int millis = 0;
        int fractionEnd = length - 1;
        if (fractionEnd > DATE_TIME_CHARS) {
            int fractionDigits = fractionEnd - DATE_TIME_CHARS - 1;
            if (text.charAt(DATE_TIME_CHARS) != '.' || fractionDigits < 1) {
                return Long.MIN_VALUE;
            }
            // Digits past the third are checked, then truncated, as Instant.toEpochMilli truncates.
            if (digits(text, DATE_TIME_CHARS + 1, fractionDigits) < 0) {
                return Long.MIN_VALUE;
            }
            for (int i = 0; i < 3; i++) {
                int index = DATE_TIME_CHARS + 1 + i;
                millis = millis * 10 + (index < fractionEnd ? text.charAt(index) - '0' : 0);
            }
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** The decimal value of {@code count} ASCII digits, or -1 if any is not one. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
