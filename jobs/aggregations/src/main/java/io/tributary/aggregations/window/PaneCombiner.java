package io.tributary.aggregations.window;

import io.tributary.schemas.Envelope;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Combines per key and pane: a tumbling window, or a sliding window's slide (every event of a pane
 * belongs to the same sliding windows). A partial is timestamped with its pane's start.
 */
public final class PaneCombiner<K, A> extends LocalCombiner<K, A> {
    private static final long serialVersionUID = 1L;

    private final long paneMillis;
    private final long windowMillis;

    private transient Map<K, Map<Long, A>> pending;
    private transient int pendingCount;

    /**
     * @param paneMillis the tumbling window's size, or the sliding window's slide
     * @param windowMillis the window's size
     */
    public PaneCombiner(
            KeySelector<Envelope, K> keySelector,
            AggregateFunction<Envelope, A, ?> aggregate,
            long paneMillis,
            long windowMillis,
            long allowedLatenessMillis,
            int maxPending) {
        super(keySelector, aggregate, allowedLatenessMillis, maxPending);
        if (windowMillis % paneMillis != 0) {
            throw new IllegalArgumentException(
                    "the window ("
                            + windowMillis
                            + " ms) must be a multiple of the pane ("
                            + paneMillis
                            + " ms)");
        }
        this.paneMillis = paneMillis;
        this.windowMillis = windowMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
        pendingCount = 0;
    }

    @Override
    protected long lastWindowMaxTimestamp(long timestamp) {
        return paneStart(timestamp) + windowMillis - 1;
    }

    @Override
    protected void combine(K key, Envelope event, long timestamp) {
        long paneStart = paneStart(timestamp);
        Map<Long, A> panes = pending.computeIfAbsent(key, k -> new HashMap<>(4));
        A acc = panes.get(paneStart);
        if (acc == null) {
            acc = aggregate.createAccumulator();
            pendingCount++;
        }
        panes.put(paneStart, aggregate.add(event, acc));
    }

    @Override
    protected void emitPending(Output<Partial<K, A>> out) {
        for (Map.Entry<K, Map<Long, A>> byKey : pending.entrySet()) {
            for (Map.Entry<Long, A> pane : byKey.getValue().entrySet()) {
                out.emit(Partial.combined(byKey.getKey(), pane.getValue()), pane.getKey());
            }
        }
        pending.clear();
        pendingCount = 0;
    }

    @Override
    public int pendingPartials() {
        return pendingCount;
    }

    private long paneStart(long timestamp) {
        return TimeWindow.getWindowStartWithOffset(timestamp, 0, paneMillis);
    }
}
