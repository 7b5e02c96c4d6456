package io.tributary.aggregations.rendition;

import io.tributary.aggregations.qoe.QoePerMinute;
import io.tributary.aggregations.window.RevisionedWindowResult;
import io.tributary.aggregations.window.TwoPhaseWindow;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Playback quality per minute per title × rendition: the player's side of the media pipeline's
 * ladder, which the warehouse joins to the titles and renditions the pipeline published. Late data
 * is handled as in {@link QoePerMinute}.
 */
public final class QoePerRenditionMinute {
    public static final String WINDOW_UID = "qoe-per-rendition-minute-window";

    private QoePerRenditionMinute() {}

    /**
     * @param events canonical events with event-time timestamps and watermarks assigned
     */
    public static TwoPhaseWindow.Results<QoeRenditionMinute> apply(
            DataStream<Envelope> events, Duration allowedLateness, Duration heartbeatInterval) {
        DataStream<Envelope> onARendition =
                events.filter(new AttributableToARendition())
                        .uid("qoe-rendition-player-events")
                        .name("player events on a rendition");
        return TwoPhaseWindow.tumbling(
                        "QoE per rendition per minute",
                        WINDOW_UID,
                        new ByTitleAndRendition(),
                        new Aggregate(),
                        Duration.ofMinutes(1))
                .apply(onARendition, allowedLateness, new Result(heartbeatInterval.toMillis()));
    }

    /** Keeps player events that count against some rendition. */
    public static final class AttributableToARendition implements FilterFunction<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(Envelope event) {
            return event.getPayload() instanceof PlayerEvent player
                    && RenditionAttribution.of(event.getEventType(), player) != null;
        }
    }

    /** Keys windows by title and the rendition the event counts against. */
    public static final class ByTitleAndRendition implements KeySelector<Envelope, RenditionKey> {
        private static final long serialVersionUID = 1L;

        @Override
        public RenditionKey getKey(Envelope event) {
            PlayerEvent player = (PlayerEvent) event.getPayload();
            return new RenditionKey(
                    player.getTitleId(), RenditionAttribution.of(event.getEventType(), player));
        }
    }

    /** Counts one event into the window's accumulator. */
    public static final class Aggregate
            implements AggregateFunction<Envelope, RenditionAccumulator, RenditionAccumulator> {
        private static final long serialVersionUID = 1L;

        @Override
        public RenditionAccumulator createAccumulator() {
            return new RenditionAccumulator();
        }

        @Override
        public RenditionAccumulator add(Envelope event, RenditionAccumulator acc) {
            acc.add(event.getEventType(), (PlayerEvent) event.getPayload());
            return acc;
        }

        @Override
        public RenditionAccumulator getResult(RenditionAccumulator acc) {
            return acc;
        }

        @Override
        public RenditionAccumulator merge(RenditionAccumulator a, RenditionAccumulator b) {
            return a.merge(b);
        }
    }

    /** The accumulator as a {@link QoeRenditionMinute} row. */
    public static final class Result
            extends RevisionedWindowResult<RenditionAccumulator, QoeRenditionMinute, RenditionKey> {
        private static final long serialVersionUID = 1L;

        private final long heartbeatIntervalMs;

        public Result(long heartbeatIntervalMs) {
            this.heartbeatIntervalMs = heartbeatIntervalMs;
        }

        @Override
        protected QoeRenditionMinute result(
                RenditionKey key, RenditionAccumulator acc, TimeWindow window, int revision) {
            return acc.toResult(
                    key, window.getStart(), window.getEnd(), revision, heartbeatIntervalMs);
        }
    }
}
