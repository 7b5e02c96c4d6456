package io.tributary.aggregations.window;

import io.tributary.schemas.Envelope;
import java.time.Duration;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SessionWindowTimeGapExtractor;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event-time window aggregated in two phases (local, then global, as Flink SQL's two-phase
 * aggregation): a {@link LocalCombiner} before the shuffle folds each key's events per pane, the
 * window merges the partials. Each event is decoded, keyed and aggregated once where it is read; a
 * pane's worth of events crosses the network and touches the window state once.
 *
 * <p>The window operator keeps the uid it had when it aggregated events one by one: its state
 * (accumulators, revisions, timers) is the same, so savepoints of earlier builds restore.
 *
 * @param <K> the window key
 * @param <A> the accumulator, shared by both phases
 * @param <R> what the window function receives
 */
public final class TwoPhaseWindow<K, A, R> {
    /** Pending partials per combiner before they are sent early. */
    static final int MAX_PENDING = 20_000;

    private final String name;
    private final String uid;
    private final KeySelector<Envelope, K> key;
    private final AggregateFunction<Envelope, A, R> perEvent;
    private final Duration size;
    private final Duration slide;
    private final SessionCombiner.Span<A> sessionSpan;

    private TwoPhaseWindow(
            String name,
            String uid,
            KeySelector<Envelope, K> key,
            AggregateFunction<Envelope, A, R> perEvent,
            Duration size,
            Duration slide,
            SessionCombiner.Span<A> sessionSpan) {
        this.name = name;
        this.uid = uid;
        this.key = key;
        this.perEvent = perEvent;
        this.size = size;
        this.slide = slide;
        this.sessionSpan = sessionSpan;
    }

    /** Tumbling windows of {@code size}. */
    public static <K, A, R> TwoPhaseWindow<K, A, R> tumbling(
            String name,
            String uid,
            KeySelector<Envelope, K> key,
            AggregateFunction<Envelope, A, R> perEvent,
            Duration size) {
        return new TwoPhaseWindow<>(name, uid, key, perEvent, size, size, null);
    }

    /** Windows of {@code size} every {@code slide}; the combiner's panes are one slide long. */
    public static <K, A, R> TwoPhaseWindow<K, A, R> sliding(
            String name,
            String uid,
            KeySelector<Envelope, K> key,
            AggregateFunction<Envelope, A, R> perEvent,
            Duration size,
            Duration slide) {
        return new TwoPhaseWindow<>(name, uid, key, perEvent, size, slide, null);
    }

    /**
     * Session windows closing after {@code gap} without events; {@code span} reads the first and
     * last event time from an accumulator, so that a partial session gets the window of its events.
     */
    public static <K, A, R> TwoPhaseWindow<K, A, R> sessions(
            String name,
            String uid,
            KeySelector<Envelope, K> key,
            AggregateFunction<Envelope, A, R> perEvent,
            Duration gap,
            SessionCombiner.Span<A> span) {
        return new TwoPhaseWindow<>(name, uid, key, perEvent, gap, gap, span);
    }

    /** The window's results, and the events too late for every window they belong to. */
    public record Results<OUT>(
            SingleOutputStreamOperator<OUT> results, DataStream<Envelope> tooLate) {}

    /**
     * @param events canonical events of this aggregation only, with event-time timestamps and
     *     watermarks assigned
     */
    public <OUT> Results<OUT> apply(
            DataStream<Envelope> events,
            Duration allowedLateness,
            ProcessWindowFunction<R, OUT, K, TimeWindow> windowFunction) {
        TypeInformation<K> keyType = TypeExtractor.getKeySelectorTypes(key, events.getType());
        TypeInformation<A> accType =
                TypeExtractor.getAggregateFunctionAccumulatorType(
                        perEvent, events.getType(), null, false);
        TypeInformation<R> resultType =
                TypeExtractor.getAggregateFunctionReturnType(
                        perEvent, events.getType(), null, false);
        TypeInformation<OUT> outType =
                TypeExtractor.getUnaryOperatorReturnType(
                        windowFunction,
                        ProcessWindowFunction.class,
                        0,
                        1,
                        TypeExtractor.NO_INDEX,
                        resultType,
                        null,
                        false);
        TypeInformation<Partial<K, A>> partialType = Partial.typeInfo(keyType, accType);
        OutputTag<Partial<K, A>> tooLate = new OutputTag<>(tooLateTagId(uid), partialType);

        SingleOutputStreamOperator<Partial<K, A>> partials =
                events.transform(
                                name
                                        + (sessionSpan != null
                                                ? ": combine partial sessions"
                                                : ": combine per pane"),
                                partialType,
                                combiner(allowedLateness))
                        .uid(uid + "-combine");
        SingleOutputStreamOperator<OUT> results =
                partials.keyBy(new ByPartialKey<K, A>(), keyType)
                        .window(assigner())
                        .allowedLateness(allowedLateness)
                        .sideOutputLateData(tooLate)
                        .aggregate(
                                new MergePartials<K, A, R>(perEvent),
                                windowFunction,
                                accType,
                                resultType,
                                outType)
                        .uid(uid)
                        .name(name);
        DataStream<Envelope> lateEvents =
                results.getSideOutput(tooLate)
                        .flatMap(new EventOfLatePartial<K, A>(), new AvroTypeInfo<>(Envelope.class))
                        .uid(uid + "-too-late")
                        .name(name + ": too late");
        return new Results<>(results, lateEvents);
    }

    /** The id of the side output where the window with this uid sends refused partials. */
    public static String tooLateTagId(String windowUid) {
        return windowUid + "-too-late";
    }

    private LocalCombiner<K, A> combiner(Duration allowedLateness) {
        if (sessionSpan != null) {
            return new SessionCombiner<>(
                    key,
                    perEvent,
                    sessionSpan,
                    size.toMillis(),
                    allowedLateness.toMillis(),
                    MAX_PENDING);
        }
        return new PaneCombiner<>(
                key,
                perEvent,
                slide.toMillis(),
                size.toMillis(),
                allowedLateness.toMillis(),
                MAX_PENDING);
    }

    private WindowAssigner<? super Partial<K, A>, TimeWindow> assigner() {
        if (sessionSpan != null) {
            return EventTimeSessionWindows.withDynamicGap(
                    new PartialSessionGap<K, A>(sessionSpan, size.toMillis()));
        }
        return size.equals(slide)
                ? TumblingEventTimeWindows.of(size)
                : SlidingEventTimeWindows.of(size, slide);
    }

    /** A partial session's gap: its window spans its events' windows. */
    public static final class PartialSessionGap<K, A>
            implements SessionWindowTimeGapExtractor<Partial<K, A>> {
        private static final long serialVersionUID = 1L;
        private final SessionCombiner.Span<A> span;
        private final long gapMillis;

        PartialSessionGap(SessionCombiner.Span<A> span, long gapMillis) {
            this.span = span;
            this.gapMillis = gapMillis;
        }

        @Override
        public long extract(Partial<K, A> partial) {
            return SessionCombiner.gapOf(span, partial.aggregate, gapMillis);
        }
    }

    /** The window key a partial was combined under. */
    public static final class ByPartialKey<K, A> implements KeySelector<Partial<K, A>, K> {
        private static final long serialVersionUID = 1L;

        @Override
        public K getKey(Partial<K, A> partial) {
            return partial.key;
        }
    }

    /**
     * The event behind a partial the window refused. Only lone events are refused while watermarks
     * stay ordered (see {@link LocalCombiner}); a combined partial is refused only after its source
     * input was idle and resumed behind the others. Its events are then no longer at hand: they are
     * counted in {@code combinedEventsTooLate} and logged, and the job goes on.
     */
    public static final class EventOfLatePartial<K, A>
            extends RichFlatMapFunction<Partial<K, A>, Envelope> {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(EventOfLatePartial.class);
        private transient Counter combinedTooLate;

        @Override
        public void open(OpenContext context) {
            combinedTooLate =
                    getRuntimeContext().getMetricGroup().counter("combinedPartialsTooLate");
        }

        long combinedPartialsTooLate() {
            return combinedTooLate.getCount();
        }

        @Override
        public void flatMap(Partial<K, A> partial, Collector<Envelope> out) {
            if (partial.event != null) {
                out.collect(partial.event);
                return;
            }
            combinedTooLate.inc();
            LOG.error(
                    "A combined partial for key {} arrived too late for its window after its source input was idle;"
                            + " its events are counted in combinedPartialsTooLate, not written to the late-events topic",
                    partial.key);
        }
    }
}
