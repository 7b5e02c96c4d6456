package io.tributary.aggregations.window;

import io.tributary.schemas.Envelope;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The first phase of a two-phase window, chained to the source: folds the events of each key that
 * will share a window into one {@link Partial} and sends that across the shuffle instead of every
 * event. Subclasses decide what "will share a window" means (a pane, a session).
 *
 * <p>Why the results stay exactly those of a plain window:
 *
 * <ul>
 *   <li>Everything pending is emitted before each watermark is forwarded, so a partial reaches the
 *       window before any watermark that follows its events: the window sees the same watermarks
 *       relative to those events as it would have seen relative to each event.
 *   <li>The window's watermark can never be ahead of this operator's (it is the minimum over its
 *       inputs). An event that is not too late here is therefore not too late there. An event that
 *       is too late by this operator's watermark may or may not be too late at the window; it is
 *       sent alone, with the event attached, so the window either counts it or hands it to the
 *       late-events topic unchanged.
 *   <li>Nothing is pending at a checkpoint barrier ({@link #prepareSnapshotPreBarrier}), so the
 *       operator has no state, and restoring replays exactly what the checkpoint did not cover.
 *   <li>Idleness weakens the second point: while this operator's input is idle the window leaves it
 *       out of its minimum and may move ahead of it. Everything pending is sent before the idle
 *       status is forwarded, so nothing combined is held across an idle period. Events that arrive
 *       after the input resumes, and belong to windows the others have already closed past the
 *       allowed lateness, can still be combined; the window then refuses the partial, and its
 *       events are counted ({@code TwoPhaseWindow.EventOfLatePartial}) rather than written to the
 *       late-events topic. A one-phase window would have written them.
 * </ul>
 *
 * Late events within the allowed lateness that arrive together update their window once instead of
 * once each: fewer revisions, same final result.
 */
public abstract class LocalCombiner<K, A> extends AbstractStreamOperator<Partial<K, A>>
        implements OneInputStreamOperator<Envelope, Partial<K, A>>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    protected final KeySelector<Envelope, K> keySelector;
    protected final AggregateFunction<Envelope, A, ?> aggregate;
    protected final long allowedLatenessMillis;
    private final int maxPending;

    private transient long watermark;

    /**
     * @param maxPending pending partials beyond which they are sent early (bounds memory when the
     *     watermark stalls; sending early is always correct)
     */
    protected LocalCombiner(
            KeySelector<Envelope, K> keySelector,
            AggregateFunction<Envelope, A, ?> aggregate,
            long allowedLatenessMillis,
            int maxPending) {
        this.keySelector = keySelector;
        this.aggregate = aggregate;
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.maxPending = maxPending;
        // Chained to the source, or events would still be serialized between the two.
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        watermark = Long.MIN_VALUE;
    }

    /**
     * The latest of the windows the event can end up in, as the window would judge it: too late
     * when {@code maxTimestamp + allowedLateness <= watermark}.
     */
    protected abstract long lastWindowMaxTimestamp(long timestamp);

    /** Folds an event that is not too late into what is pending. */
    protected abstract void combine(K key, Envelope event, long timestamp) throws Exception;

    /** Sends every pending partial, timestamped so that the window assigns it as its events. */
    protected abstract void emitPending(Output<Partial<K, A>> out);

    /** Partials not yet sent; zero after every watermark and before every checkpoint barrier. */
    public abstract int pendingPartials();

    /** Where subclasses send partials. */
    protected interface Output<P> {
        void emit(P partial, long timestamp);
    }

    @Override
    public final void processElement(StreamRecord<Envelope> element) throws Exception {
        if (!element.hasTimestamp()) {
            throw new IllegalStateException(
                    "event "
                            + element.getValue().getEventId()
                            + " has no event-time timestamp; a watermark strategy must run before the window");
        }
        Envelope event = element.getValue();
        K key = keySelector.getKey(event);
        long timestamp = element.getTimestamp();
        if (lastWindowMaxTimestamp(timestamp) + allowedLatenessMillis <= watermark) {
            A alone = aggregate.add(event, aggregate.createAccumulator());
            output.collect(element.replace(Partial.alone(key, alone, event)));
            return;
        }
        combine(key, event, timestamp);
        if (pendingPartials() >= maxPending) {
            flush();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        watermark = mark.getTimestamp();
        super.processWatermark(mark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (status.isIdle()) {
            flush();
        }
        super.processWatermarkStatus(status);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    private void flush() {
        if (pendingPartials() == 0) {
            return;
        }
        StreamRecord<Partial<K, A>> record = new StreamRecord<>(null);
        emitPending((partial, timestamp) -> output.collect(record.replace(partial, timestamp)));
    }
}
