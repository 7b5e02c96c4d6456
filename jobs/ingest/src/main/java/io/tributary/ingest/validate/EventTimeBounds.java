package io.tributary.ingest.validate;

import static io.tributary.schemas.DeadLetterReason.TIMESTAMP_OUT_OF_RANGE;

import java.time.Instant;

/** An event time must be plausible relative to when its record reached Kafka. */
final class EventTimeBounds {
    private EventTimeBounds() {}

    static void check(long eventTime, long recordTimestamp, IngestLimits limits) throws Rejection {
        if (eventTime > recordTimestamp + limits.maxFutureSkew().toMillis()) {
            throw new Rejection(TIMESTAMP_OUT_OF_RANGE, "eventTime",
                    "eventTime " + Instant.ofEpochMilli(eventTime) + " is more than " + limits.maxFutureSkew()
                            + " after the record arrived (" + Instant.ofEpochMilli(recordTimestamp) + ")");
        }
        if (eventTime < recordTimestamp - limits.maxEventAge().toMillis()) {
            throw new Rejection(TIMESTAMP_OUT_OF_RANGE, "eventTime",
                    "eventTime " + Instant.ofEpochMilli(eventTime) + " is more than " + limits.maxEventAge()
                            + " before the record arrived (" + Instant.ofEpochMilli(recordTimestamp) + ")");
        }
    }
}
