package io.tributary.aggregations.qoe;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * QoE per minute per title × CDN × region × device class, in event time. Windows fire when the
 * watermark passes their end, fire again (revision + 1) for each late event within the allowed
 * lateness, and events later than that leave through {@link #TOO_LATE}.
 */
public final class QoePerMinute {
    public static final String WINDOW_UID = "qoe-per-minute-window";
    public static final OutputTag<Envelope> TOO_LATE = new OutputTag<>("qoe-too-late") {};

    private QoePerMinute() {}

    /** @param events canonical events with event-time timestamps and watermarks assigned */
    public static SingleOutputStreamOperator<QoeMinute> apply(
            DataStream<Envelope> events, Duration allowedLateness, Duration heartbeatInterval) {
        return events.filter(new PlayerEventsOnly())
                .uid("qoe-player-events").name("player events")
                .keyBy(new ByDimensions())
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .allowedLateness(allowedLateness)
                .sideOutputLateData(TOO_LATE)
                .aggregate(new QoeAggregate(), new QoeWindowResult(heartbeatInterval.toMillis()))
                .uid(WINDOW_UID)
                .name("QoE per minute");
    }

    /** Keeps the player domain. */
    public static final class PlayerEventsOnly implements FilterFunction<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(Envelope event) {
            return event.getDomain() == Domain.PLAYER;
        }
    }

    /** Keys QoE windows by their dimensions. */
    public static final class ByDimensions implements KeySelector<Envelope, QoeDimensions> {
        private static final long serialVersionUID = 1L;

        @Override
        public QoeDimensions getKey(Envelope event) {
            return QoeDimensions.of((PlayerEvent) event.getPayload());
        }
    }
}
