package io.tributary.sinks;

import io.tributary.jobs.deadletters.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Collects the first violation among a record's values; written as a chain in a table's check:
 * {@code Checks.of().text("title_id", r.getTitleId(), 128).finite("rebuffer_ratio",
 * r.getRebufferRatio()).first()}.
 */
public final class Checks {
    /**
     * PostgreSQL's timestamptz ends in year 294276; Elasticsearch's date in year 292278994. The
     * lake takes any long.
     */
    public static final Instant LATEST_STORABLE = Instant.parse("9999-12-31T23:59:59.999Z");

    public static final Instant EARLIEST_STORABLE = Instant.parse("1970-01-01T00:00:00Z");

    private final List<Violation> violations = new ArrayList<>(1);

    private Checks() {}

    public static Checks of() {
        return new Checks();
    }

    /**
     * A string that must fit a column of {@code maxLength} characters and hold no NUL, which
     * PostgreSQL text refuses.
     */
    public Checks text(String field, CharSequence value, int maxLength) {
        if (value == null) {
            return this;
        }
        if (value.length() > maxLength) {
            violations.add(
                    new Violation(
                            field,
                            field
                                    + " is "
                                    + value.length()
                                    + " characters long; at most "
                                    + maxLength
                                    + " fit"));
        } else if (value.chars().anyMatch(c -> c == 0)) {
            violations.add(new Violation(field, field + " contains a NUL character"));
        }
        return this;
    }

    /** Every string in a list, as {@link #text}. */
    public Checks texts(String field, List<? extends CharSequence> values, int maxLength) {
        if (values != null) {
            values.forEach(value -> text(field, value, maxLength));
        }
        return this;
    }

    /** A measurement: NaN and infinities are not numbers an analyst can aggregate. */
    public Checks finite(String field, Double value) {
        if (value != null && !Double.isFinite(value)) {
            violations.add(
                    new Violation(
                            field, field + " is " + value + "; only finite numbers are stored"));
        }
        return this;
    }

    /** A finite number inside [min, max]. */
    public Checks between(String field, Double value, double min, double max) {
        finite(field, value);
        if (value != null && Double.isFinite(value) && (value < min || value > max)) {
            violations.add(
                    new Violation(
                            field,
                            field
                                    + " is "
                                    + value
                                    + "; it must lie in ["
                                    + min
                                    + ", "
                                    + max
                                    + "]"));
        }
        return this;
    }

    /** A count or amount that cannot be negative. */
    public Checks notNegative(String field, long value) {
        if (value < 0) {
            violations.add(
                    new Violation(field, field + " is " + value + "; it cannot be negative"));
        }
        return this;
    }

    /** A point in time every tier can store. */
    public Checks time(String field, Instant value) {
        if (value != null
                && (value.isBefore(EARLIEST_STORABLE) || value.isAfter(LATEST_STORABLE))) {
            violations.add(
                    new Violation(
                            field,
                            field
                                    + " is "
                                    + value
                                    + "; it must lie between "
                                    + EARLIEST_STORABLE
                                    + " and "
                                    + LATEST_STORABLE));
        }
        return this;
    }

    /** A UUID in its canonical text form. */
    public Checks uuid(String field, CharSequence value) {
        if (value != null) {
            try {
                UUID.fromString(value.toString());
            } catch (IllegalArgumentException e) {
                violations.add(new Violation(field, field + " '" + value + "' is not a UUID"));
            }
        }
        return this;
    }

    public Optional<Violation> first() {
        return violations.isEmpty() ? Optional.empty() : Optional.of(violations.get(0));
    }
}
