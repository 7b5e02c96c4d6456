package io.tributary.aggregations.qoe;

import io.tributary.aggregations.window.TwoPhaseWindow;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * QoE per minute per title × CDN × region × device class, in event time. Windows fire when the
 * watermark passes their end, fire again (revision + 1) for each late event within the allowed
 * lateness, and events later than that are returned as too late.
 */
public final class QoePerMinute {
    public static final String WINDOW_UID = "qoe-per-minute-window";

    private QoePerMinute() {}

    /**
     * @param events canonical events with event-time timestamps and watermarks assigned
     */
    public static TwoPhaseWindow.Results<QoeMinute> apply(
            DataStream<Envelope> events, Duration allowedLateness, Duration heartbeatInterval) {
        DataStream<Envelope> playerEvents =
                events.filter(new PlayerEventsOnly())
                        .uid("qoe-player-events")
                        .name("player events");
        return TwoPhaseWindow.tumbling(
                        "QoE per minute",
                        WINDOW_UID,
                        new ByDimensions(),
                        new QoeAggregate(),
                        Duration.ofMinutes(1))
                .apply(
                        playerEvents,
                        allowedLateness,
                        new QoeWindowResult(heartbeatInterval.toMillis()));
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
