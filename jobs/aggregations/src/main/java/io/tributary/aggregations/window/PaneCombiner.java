package io.tributary.aggregations.window;

import io.tributary.schemas.Envelope;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The first phase of a two-phase window, chained to the source: folds the events of each key and
 * pane (a tumbling window, or a sliding window's slide) into one {@link Partial} and sends that
 * across the shuffle instead of every event.
 *
 * <p>Why the results stay exactly those of a plain window:
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
 * </ul>
 * Late events within the allowed lateness that arrive together update their window once instead
 * of once each: fewer revisions, same final result.
 */
public final class PaneCombiner<K, A> extends AbstractStreamOperator<Partial<K, A>>
        implements OneInputStreamOperator<Envelope, Partial<K, A>>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final KeySelector<Envelope, K> keySelector;
    private final AggregateFunction<Envelope, A, ?> aggregate;
    private final long paneMillis;
    private final long windowMillis;
    private final long allowedLatenessMillis;
    private final int maxPending;

    private transient Map<K, Map<Long, A>> pending;
    private transient int pendingCount;
    private transient long watermark;

    /**
     * @param paneMillis the tumbling window's size, or the sliding window's slide
     * @param windowMillis the window's size
     * @param maxPending pending partials beyond which they are sent early (bounds memory when the
     *     watermark stalls; sending early is always correct)
     */
    public PaneCombiner(KeySelector<Envelope, K> keySelector, AggregateFunction<Envelope, A, ?> aggregate,
            long paneMillis, long windowMillis, long allowedLatenessMillis, int maxPending) {
        if (windowMillis % paneMillis != 0) {
            throw new IllegalArgumentException("the window (" + windowMillis + " ms) must be a multiple of the pane (" + paneMillis + " ms)");
        }
        this.keySelector = keySelector;
        this.aggregate = aggregate;
        this.paneMillis = paneMillis;
        this.windowMillis = windowMillis;
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.maxPending = maxPending;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
        pendingCount = 0;
        watermark = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<Envelope> element) throws Exception {
        if (!element.hasTimestamp()) {
            throw new IllegalStateException("event " + element.getValue().getEventId()
                    + " has no event-time timestamp; a watermark strategy must run before the window");
        }
        Envelope event = element.getValue();
        K key = keySelector.getKey(event);
        long paneStart = TimeWindow.getWindowStartWithOffset(element.getTimestamp(), 0, paneMillis);
        if (mayBeTooLate(paneStart)) {
            A alone = aggregate.add(event, aggregate.createAccumulator());
            output.collect(element.replace(Partial.alone(key, alone, event)));
            return;
        }
        Map<Long, A> panes = pending.computeIfAbsent(key, k -> new HashMap<>(4));
        A acc = panes.get(paneStart);
        if (acc == null) {
            acc = aggregate.createAccumulator();
            pendingCount++;
        }
        panes.put(paneStart, aggregate.add(event, acc));
        if (pendingCount >= maxPending) {
            emitPending();
        }
    }

    /** The last window containing the pane would be dropped at a window whose watermark were ours. */
    private boolean mayBeTooLate(long paneStart) {
        long lastWindowMaxTimestamp = paneStart + windowMillis - 1;
        return lastWindowMaxTimestamp + allowedLatenessMillis <= watermark;
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        emitPending();
        watermark = mark.getTimestamp();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        emitPending();
    }

    @Override
    public void endInput() throws Exception {
        emitPending();
    }

    /** Partials not yet sent; zero after every watermark and before every checkpoint barrier. */
    public int pendingPartials() {
        return pendingCount;
    }

    private void emitPending() {
        if (pendingCount == 0) {
            return;
        }
        StreamRecord<Partial<K, A>> record = new StreamRecord<>(null);
        for (Map.Entry<K, Map<Long, A>> byKey : pending.entrySet()) {
            for (Map.Entry<Long, A> pane : byKey.getValue().entrySet()) {
                output.collect(record.replace(Partial.combined(byKey.getKey(), pane.getValue()), pane.getKey()));
            }
        }
        pending.clear();
        pendingCount = 0;
    }
}
