package io.tributary.aggregations.window;

import io.tributary.schemas.Envelope;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Combines per key into partial sessions: events whose session windows ({@code [t, t + gap)})
 * overlap are folded together, exactly as the session window would merge them. A partial is
 * timestamped with its first event; the window gives it the gap {@code last - first + gap}, so its
 * window is the union of its events' windows.
 */
public final class SessionCombiner<K, A> extends LocalCombiner<K, A> {
    private static final long serialVersionUID = 1L;

    /** The first and last event time an accumulator has seen. */
    public interface Span<A> extends Serializable {
        long first(A acc);

        long last(A acc);
    }

    private final long gapMillis;
    private final Span<A> span;

    /** Per key, partial sessions whose windows do not overlap (merging keeps it so). */
    private transient Map<K, List<A>> pending;

    private transient int pendingCount;

    public SessionCombiner(
            KeySelector<Envelope, K> keySelector,
            AggregateFunction<Envelope, A, ?> aggregate,
            Span<A> span,
            long gapMillis,
            long allowedLatenessMillis,
            int maxPending) {
        super(keySelector, aggregate, allowedLatenessMillis, maxPending);
        this.gapMillis = gapMillis;
        this.span = span;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
        pendingCount = 0;
    }

    /**
     * The event's own session window. Merged with others it can only grow, and a larger window is
     * late only if this one is.
     */
    @Override
    protected long lastWindowMaxTimestamp(long timestamp) {
        return timestamp + gapMillis - 1;
    }

    @Override
    protected void combine(K key, Envelope event, long timestamp) {
        A session = aggregate.add(event, aggregate.createAccumulator());
        List<A> sessions = pending.computeIfAbsent(key, k -> new ArrayList<>(2));
        // Pending sessions do not overlap each other, so only those overlapping this event's own
        // window [t, t + gap) can merge with it.
        for (Iterator<A> it = sessions.iterator(); it.hasNext(); ) {
            A other = it.next();
            if (timestamp < span.last(other) + gapMillis
                    && span.first(other) < timestamp + gapMillis) {
                session = aggregate.merge(session, other);
                it.remove();
                pendingCount--;
            }
        }
        sessions.add(session);
        pendingCount++;
    }

    @Override
    protected void emitPending(Output<Partial<K, A>> out) {
        for (Map.Entry<K, List<A>> byKey : pending.entrySet()) {
            for (A session : byKey.getValue()) {
                out.emit(Partial.combined(byKey.getKey(), session), span.first(session));
            }
        }
        pending.clear();
        pendingCount = 0;
    }

    @Override
    public int pendingPartials() {
        return pendingCount;
    }

    /**
     * The session gap the window gives a partial so that its window is {@code [first, last + gap)}.
     */
    public static <A> long gapOf(Span<A> span, A acc, long gapMillis) {
        return span.last(acc) - span.first(acc) + gapMillis;
    }
}
