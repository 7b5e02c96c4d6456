package io.tributary.ingest.validate;

import java.io.Serializable;
import java.time.Duration;

/**
 * What the ingest job accepts: record and string sizes, and how far an event time may be from the
 * time the record reached Kafka. Measured against the Kafka record timestamp rather than the wall
 * clock, so that replaying a topic makes the same decisions as the first run.
 */
public record IngestLimits(
        int maxRecordBytes, int maxStringLength, Duration maxFutureSkew, Duration maxEventAge)
        implements Serializable {

    public static final IngestLimits DEFAULTS =
            new IngestLimits(64 * 1024, 256, Duration.ofMinutes(5), Duration.ofHours(24));

    public IngestLimits {
        if (maxRecordBytes <= 0 || maxStringLength <= 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (maxFutureSkew.isNegative() || maxEventAge.isNegative()) {
            throw new IllegalArgumentException("time bounds must not be negative");
        }
    }
}
