package io.tributary.jobs.deadletters;

import java.io.Serializable;
import java.util.Optional;

/**
 * What a store accepts of a record, checked before it is written: a record the store would reject
 * (a string longer than its column, NaN, a timestamp outside the store's range) goes to the
 * dead-letter topic instead of failing the write and, with it, the job again and again.
 */
@FunctionalInterface
public interface RecordCheck<T> extends Serializable {
    Optional<Violation> check(T record);

    static <T> RecordCheck<T> acceptAll() {
        return record -> Optional.empty();
    }
}
