package io.tributary.jobs.validate;

import io.tributary.schemas.DeadLetterReason;

/**
 * Why a raw record cannot become a canonical event. Thrown by the pure decoders and turned into a
 * dead letter by the job; it carries no stack trace because it is an expected outcome, not a bug.
 */
public final class Rejection extends Exception {
    private final DeadLetterReason reason;
    private final String field;

    public Rejection(DeadLetterReason reason, String field, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.field = field;
    }

    public static Rejection of(DeadLetterReason reason, String message) {
        return new Rejection(reason, null, message);
    }

    public DeadLetterReason reason() {
        return reason;
    }

    /** The offending field, or null when the problem is the record as a whole. */
    public String field() {
        return field;
    }
}
