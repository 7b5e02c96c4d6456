package io.tributary.schemas.time;

import io.tributary.schemas.Envelope;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time of canonical events, the same in every job: the envelope's {@code eventTime}, with
 * watermarks that trail the largest time seen by a bounded out-of-orderness, and idle partitions
 * ignored so one quiet partition cannot stall every window downstream.
 */
public final class CanonicalEventTime {
    private CanonicalEventTime() {}

    public static WatermarkStrategy<Envelope> watermarks(
            Duration maxOutOfOrderness, Duration idleness) {
        return WatermarkStrategy.<Envelope>forBoundedOutOfOrderness(maxOutOfOrderness)
                .withTimestampAssigner(new EventTimeAssigner())
                .withIdleness(idleness);
    }

    /** Reads {@code eventTime}; the Kafka record timestamp is ignored on purpose. */
    public static final class EventTimeAssigner implements SerializableTimestampAssigner<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public long extractTimestamp(Envelope envelope, long recordTimestamp) {
            return envelope.getEventTime().toEpochMilli();
        }
    }
}
