package io.tributary.jobs.deadletters;

import io.tributary.schemas.DeadLetterReason;

/**
 * Why a value cannot be stored or used: the field it is in, a sentence an operator understands, and
 * the dead-letter reason (a value the store refuses is {@link DeadLetterReason#INVALID_VALUE}).
 */
public record Violation(String field, String message, DeadLetterReason reason) {
    public Violation(String field, String message) {
        this(field, message, DeadLetterReason.INVALID_VALUE);
    }
}
