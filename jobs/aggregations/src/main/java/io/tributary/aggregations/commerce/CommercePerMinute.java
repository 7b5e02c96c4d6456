package io.tributary.aggregations.commerce;

import io.tributary.aggregations.window.RevisionedWindowResult;
import io.tributary.aggregations.window.TwoPhaseWindow;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.commerce.CommerceEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Orders, revenue, average order value and payment failure rate per minute per country × currency.
 */
public final class CommercePerMinute {
    public static final String WINDOW_UID = "commerce-per-minute-window";

    private CommercePerMinute() {}

    public static TwoPhaseWindow.Results<CommerceMinute> apply(
            DataStream<Envelope> events, Duration allowedLateness) {
        DataStream<Envelope> commerceEvents =
                events.filter(new CommerceEventsOnly())
                        .uid("commerce-events")
                        .name("commerce events");
        return TwoPhaseWindow.tumbling(
                        "commerce per minute",
                        WINDOW_UID,
                        new ByMarket(),
                        new Aggregate(),
                        Duration.ofMinutes(1))
                .apply(commerceEvents, allowedLateness, new Result());
    }

    /** Keeps the commerce domain. */
    public static final class CommerceEventsOnly implements FilterFunction<Envelope> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(Envelope event) {
            return event.getDomain() == Domain.COMMERCE;
        }
    }

    /** Keys commerce windows by market. */
    public static final class ByMarket implements KeySelector<Envelope, Market> {
        private static final long serialVersionUID = 1L;

        @Override
        public Market getKey(Envelope event) {
            CommerceEvent commerce = (CommerceEvent) event.getPayload();
            return new Market(commerce.getCountry(), commerce.getCurrency());
        }
    }

    /** Counts one event into the window's accumulator. */
    public static final class Aggregate
            implements AggregateFunction<Envelope, CommerceAccumulator, CommerceAccumulator> {
        private static final long serialVersionUID = 1L;

        @Override
        public CommerceAccumulator createAccumulator() {
            return new CommerceAccumulator();
        }

        @Override
        public CommerceAccumulator add(Envelope event, CommerceAccumulator acc) {
            acc.add(event.getEventType(), ((CommerceEvent) event.getPayload()).getAmountMinor());
            return acc;
        }

        @Override
        public CommerceAccumulator getResult(CommerceAccumulator acc) {
            return acc;
        }

        @Override
        public CommerceAccumulator merge(CommerceAccumulator a, CommerceAccumulator b) {
            return a.merge(b);
        }
    }

    /** The accumulator as a {@link CommerceMinute} row. */
    public static final class Result
            extends RevisionedWindowResult<CommerceAccumulator, CommerceMinute, Market> {
        private static final long serialVersionUID = 1L;

        @Override
        protected CommerceMinute result(
                Market market, CommerceAccumulator acc, TimeWindow window, int revision) {
            return acc.toResult(market, window.getStart(), window.getEnd(), revision);
        }
    }
}
