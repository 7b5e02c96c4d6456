package io.tributary.media.job;

import io.tributary.jobs.kafka.RawRecord;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time for the media pipeline, whose events are stamped by live services close to the wall
 * clock. Watermarks trail the largest event time by the out-of-orderness bound, like everywhere in
 * the suite; in addition, a partition that has been silent for {@code quietAfter} lets its
 * watermark follow the wall clock (minus the bound). Without that, the retry and SLA timers of the
 * last items in flight would wait for unrelated traffic to move event time: a quiet pipeline is
 * exactly when a stuck transcode must still be noticed.
 */
public final class LiveEventTime {
    private LiveEventTime() {}

    /** Reads the Kafka record timestamp, which the suite's producers set to the event time. */
    public static WatermarkStrategy<RawRecord> watermarks(
            Duration maxOutOfOrderness, Duration quietAfter) {
        long bound = maxOutOfOrderness.toMillis();
        long quiet = quietAfter.toMillis();
        return WatermarkStrategy.<RawRecord>forGenerator(
                        context -> new FollowWallClockWhenQuiet(bound, quiet))
                .withTimestampAssigner((record, kafkaTimestamp) -> record.timestamp);
    }

    static final class FollowWallClockWhenQuiet implements WatermarkGenerator<RawRecord> {
        private final long bound;
        private final long quietMs;
        private long maxTimestamp = Long.MIN_VALUE;
        private long lastEventAt = System.currentTimeMillis();
        private long emitted = Long.MIN_VALUE;

        FollowWallClockWhenQuiet(long bound, long quietMs) {
            this.bound = bound;
            this.quietMs = quietMs;
        }

        @Override
        public void onEvent(RawRecord record, long timestamp, WatermarkOutput output) {
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            lastEventAt = System.currentTimeMillis();
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long now = System.currentTimeMillis();
            long next = maxTimestamp == Long.MIN_VALUE ? Long.MIN_VALUE : maxTimestamp - bound - 1;
            if (now - lastEventAt >= quietMs) {
                next = Math.max(next, now - bound - quietMs);
            }
            if (next > emitted) {
                emitted = next;
                output.emitWatermark(new Watermark(next));
            }
        }
    }
}
