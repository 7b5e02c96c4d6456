package io.tributary.media.transcode;

import java.io.Serializable;
import java.time.Duration;

/**
 * How failed renditions are retried: up to {@code maxAttempts} tries in all, waiting {@code
 * firstBackoff} after the first failure and twice as long after each further one, never more than
 * {@code maxBackoff}.
 */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff)
        implements Serializable {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException(
                    "maxAttempts must be at least 1, not " + maxAttempts);
        }
        if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException(
                    "backoff must be 0 <= first ("
                            + firstBackoff
                            + ") <= max ("
                            + maxBackoff
                            + ")");
        }
    }

    /** The wait after attempt {@code failedAttempt} (1-based) failed. */
    public long backoffMs(int failedAttempt) {
        long wait = firstBackoff.toMillis();
        for (int i = 1; i < failedAttempt && wait < maxBackoff.toMillis(); i++) {
            wait *= 2;
        }
        return Math.min(wait, maxBackoff.toMillis());
    }
}
