package io.tributary.testkit.flink;

import io.tributary.schemas.Envelope;
import io.tributary.schemas.time.CanonicalEventTime;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Canonical events from memory, for job-level tests: one stream per list, in the list's order (as
 * one Kafka partition delivers them), with the jobs' event time (bounded out-of-orderness). The
 * watermark moves after every event instead of every 200 ms: an in-memory source delivers its whole
 * list faster than that, and a test of late events needs the watermark to have passed a point
 * before the next event arrives, every run.
 */
public final class InMemoryEvents {
    private InMemoryEvents() {}

    /** The lists as streams of their own, unioned; empty lists are left out. */
    @SafeVarargs
    public static DataStream<Envelope> arriving(
            StreamExecutionEnvironment env,
            Duration maxOutOfOrderness,
            List<Envelope>... partitions) {
        DataStream<Envelope> events = null;
        for (List<Envelope> partition : partitions) {
            if (partition.isEmpty()) {
                continue;
            }
            DataStream<Envelope> stream =
                    env.fromData(partition)
                            .assignTimestampsAndWatermarks(
                                    watermarkAfterEveryEvent(maxOutOfOrderness))
                            .setParallelism(1);
            events = events == null ? stream : events.union(stream);
        }
        if (events == null) {
            throw new IllegalArgumentException("no events");
        }
        return events;
    }

    static WatermarkStrategy<Envelope> watermarkAfterEveryEvent(Duration maxOutOfOrderness) {
        long bound = maxOutOfOrderness.toMillis();
        return WatermarkStrategy.<Envelope>forGenerator(
                        context ->
                                new WatermarkGenerator<>() {
                                    private long highest = Long.MIN_VALUE + bound + 1;

                                    @Override
                                    public void onEvent(
                                            Envelope event,
                                            long timestamp,
                                            WatermarkOutput output) {
                                        highest = Math.max(highest, timestamp);
                                        output.emitWatermark(new Watermark(highest - bound - 1));
                                    }

                                    @Override
                                    public void onPeriodicEmit(WatermarkOutput output) {}
                                })
                .withTimestampAssigner(new CanonicalEventTime.EventTimeAssigner());
    }
}
