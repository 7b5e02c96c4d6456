package io.tributary.ingest.validate;

import static io.tributary.schemas.DeadLetterReason.TIMESTAMP_OUT_OF_RANGE;

import io.tributary.jobs.validate.Rejection;
import java.time.Instant;

/**
 * An event time must be plausible relative to when its record arrived.
 *
 * <p>Two clocks decide "arrived". The record's Kafka timestamp keeps replays deterministic (a
 * replay makes the age decisions of the first run), but the producer chooses it, and the broker
 * accepts it up to its {@code log.message.timestamp.after.max.ms} ahead of its own clock. So the
 * future bound is measured from {@link #arrival}, the earlier of the record's timestamp and the
 * job's processing time: no record can move a watermark past the wall clock by more than {@code
 * maxFutureSkew}, and every canonical timestamp is one the broker accepts back.
 */
public final class EventTimeBounds {
    private EventTimeBounds() {}

    /** When a record arrived, on a clock its producer does not control. */
    public static long arrival(long recordTimestamp, long processingTime) {
        return Math.min(recordTimestamp, processingTime);
    }

    static void check(long eventTime, long recordTimestamp, long arrival, IngestLimits limits)
            throws Rejection {
        if (eventTime > saturatedAdd(arrival, limits.maxFutureSkew().toMillis())) {
            throw new Rejection(
                    TIMESTAMP_OUT_OF_RANGE,
                    "eventTime",
                    "eventTime "
                            + shown(eventTime)
                            + " is more than "
                            + limits.maxFutureSkew()
                            + " after the record arrived ("
                            + shown(arrival)
                            + ")");
        }
        if (eventTime < recordTimestamp - limits.maxEventAge().toMillis()) {
            throw new Rejection(
                    TIMESTAMP_OUT_OF_RANGE,
                    "eventTime",
                    "eventTime "
                            + shown(eventTime)
                            + " is more than "
                            + limits.maxEventAge()
                            + " before the record's timestamp ("
                            + shown(recordTimestamp)
                            + ")");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static String shown(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
