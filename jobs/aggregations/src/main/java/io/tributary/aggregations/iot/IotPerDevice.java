package io.tributary.aggregations.iot;

import io.tributary.aggregations.window.RevisionedWindowResult;
import io.tributary.aggregations.window.TwoPhaseWindow;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.iot.IotTelemetry;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Min, max, mean, standard deviation and an anomaly flag per device and metric over five minutes.
 */
public final class IotPerDevice {
    public static final String WINDOW_UID = "iot-per-device-5m-window";

    private IotPerDevice() {}

    public static TwoPhaseWindow.Results<IotDevice5m> apply(
            DataStream<Envelope> events, Duration allowedLateness) {
        DataStream<Envelope> telemetry =
                events.filter(new IotEventsOnly()).uid("iot-telemetry").name("iot telemetry");
        return TwoPhaseWindow.tumbling(
                        "IoT per device, 5 min",
                        WINDOW_UID,
                        new ByDeviceMetric(),
                        new Aggregate(),
                        Duration.ofMinutes(5))
                .apply(telemetry, allowedLateness, new Result());
    }

    /** Keeps the IoT domain. */
    public static final class IotEventsOnly implements FilterFunction<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(Envelope event) {
            return event.getDomain() == Domain.IOT;
        }
    }

    /** Keys IoT windows by device and metric. */
    public static final class ByDeviceMetric implements KeySelector<Envelope, DeviceMetric> {
        private static final long serialVersionUID = 1L;

        @Override
        public DeviceMetric getKey(Envelope event) {
            IotTelemetry reading = (IotTelemetry) event.getPayload();
            return new DeviceMetric(reading.getDeviceId(), reading.getMetric());
        }
    }

    /** Folds one reading into the window's statistics. */
    public static final class Aggregate
            implements AggregateFunction<Envelope, ReadingStats, ReadingStats> {
        private static final long serialVersionUID = 1L;

        @Override
        public ReadingStats createAccumulator() {
            return new ReadingStats();
        }

        @Override
        public ReadingStats add(Envelope event, ReadingStats stats) {
            IotTelemetry reading = (IotTelemetry) event.getPayload();
            stats.add(reading.getValue(), reading.getUnit());
            return stats;
        }

        @Override
        public ReadingStats getResult(ReadingStats stats) {
            return stats;
        }

        @Override
        public ReadingStats merge(ReadingStats a, ReadingStats b) {
            return a.merge(b);
        }
    }

    /** The statistics as an {@link IotDevice5m} row. */
    public static final class Result
            extends RevisionedWindowResult<ReadingStats, IotDevice5m, DeviceMetric> {
        private static final long serialVersionUID = 1L;

        @Override
        protected IotDevice5m result(
                DeviceMetric key, ReadingStats stats, TimeWindow window, int revision) {
            return IotDevice5m.newBuilder()
                    .setWindowStart(Instant.ofEpochMilli(window.getStart()))
                    .setWindowEnd(Instant.ofEpochMilli(window.getEnd()))
                    .setRevision(revision)
                    .setDeviceId(key.deviceId)
                    .setMetric(key.metric)
                    .setUnit(stats.unit)
                    .setReadings(stats.count)
                    .setMin(stats.min)
                    .setMax(stats.max)
                    .setMean(stats.mean)
                    .setStddev(stats.stddev())
                    .setAnomaly(stats.anomaly())
                    .build();
        }
    }
}
