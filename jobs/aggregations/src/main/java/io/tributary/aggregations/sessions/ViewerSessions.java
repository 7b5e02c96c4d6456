package io.tributary.aggregations.sessions;

import io.tributary.aggregations.qoe.QoePerMinute;
import io.tributary.aggregations.window.SessionCombiner;
import io.tributary.aggregations.window.TwoPhaseWindow;
import io.tributary.jobs.state.StateTtl;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.player.PlayerEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Viewing sessions per viewer: event-time session windows that close after {@code gap} without
 * player activity. Length, watch time, titles watched, buffering share and how it ended.
 */
public final class ViewerSessions {
    public static final String WINDOW_UID = "viewer-sessions-window";

    private ViewerSessions() {}

    public static TwoPhaseWindow.Results<ViewerSession> apply(
            DataStream<Envelope> events,
            Duration gap,
            Duration allowedLateness,
            Duration heartbeatInterval) {
        DataStream<Envelope> playerEvents =
                events.filter(new QoePerMinute.PlayerEventsOnly())
                        .uid("sessions-player-events")
                        .name("player events for sessions");
        return TwoPhaseWindow.sessions(
                        "viewer sessions",
                        WINDOW_UID,
                        new ByViewer(),
                        new Aggregate(),
                        gap,
                        new SessionSpan())
                .apply(
                        playerEvents,
                        allowedLateness,
                        new Result(
                                heartbeatInterval.toMillis(),
                                gap.plus(allowedLateness).plusHours(1)));
    }

    /** A session's first and last event time. */
    public static final class SessionSpan implements SessionCombiner.Span<SessionAccumulator> {
        private static final long serialVersionUID = 1L;

        @Override
        public long first(SessionAccumulator acc) {
            return acc.firstEventTime;
        }

        @Override
        public long last(SessionAccumulator acc) {
            return acc.lastEventTime;
        }
    }

    /** Keys sessions by viewer. */
    public static final class ByViewer implements KeySelector<Envelope, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Envelope event) {
            return ((PlayerEvent) event.getPayload()).getViewerId();
        }
    }

    /** Folds one player event into the session. */
    public static final class Aggregate
            implements AggregateFunction<Envelope, SessionAccumulator, SessionAccumulator> {
        private static final long serialVersionUID = 1L;

        @Override
        public SessionAccumulator createAccumulator() {
            return new SessionAccumulator();
        }

        @Override
        public SessionAccumulator add(Envelope event, SessionAccumulator acc) {
            acc.add(
                    event.getEventType(),
                    (PlayerEvent) event.getPayload(),
                    event.getEventTime().toEpochMilli());
            return acc;
        }

        @Override
        public SessionAccumulator getResult(SessionAccumulator acc) {
            return acc;
        }

        @Override
        public SessionAccumulator merge(SessionAccumulator a, SessionAccumulator b) {
            return a.merge(b);
        }
    }

    /**
     * The session as a {@link ViewerSession} row. Merging windows allow no per-window state, so the
     * revision counts firings per viewer in keyed state instead: monotonic, hence the highest
     * revision of (viewer, sessionStart) is the latest. The counter expires after {@code ttl}
     * without firings, which outlasts the allowed lateness of the last session it numbered.
     */
    public static final class Result
            extends ProcessWindowFunction<SessionAccumulator, ViewerSession, String, TimeWindow> {
        private static final long serialVersionUID = 1L;
        private final long heartbeatIntervalMs;
        private final Duration ttl;

        public Result(long heartbeatIntervalMs, Duration ttl) {
            this.heartbeatIntervalMs = heartbeatIntervalMs;
            this.ttl = ttl;
        }

        @Override
        public void process(
                String viewerId,
                Context context,
                Iterable<SessionAccumulator> aggregated,
                Collector<ViewerSession> out)
                throws Exception {
            ValueState<Integer> firings = context.globalState().getState(firingsDescriptor(ttl));
            int revision = firings.value() == null ? 1 : firings.value() + 1;
            firings.update(revision);
            out.collect(
                    aggregated.iterator().next().toResult(viewerId, revision, heartbeatIntervalMs));
        }

        static ValueStateDescriptor<Integer> firingsDescriptor(Duration ttl) {
            ValueStateDescriptor<Integer> descriptor =
                    new ValueStateDescriptor<>("session-firings", Types.INT);
            descriptor.enableTimeToLive(StateTtl.expireAfterWrite(ttl));
            return descriptor;
        }
    }
}
