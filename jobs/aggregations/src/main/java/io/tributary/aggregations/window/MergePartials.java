package io.tributary.aggregations.window;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * The second phase of a two-phase window: merges partials with the event-level aggregate's own
 * {@code merge}, so both phases share one definition of every metric.
 */
public final class MergePartials<K, A, R> implements AggregateFunction<Partial<K, A>, A, R> {
    private static final long serialVersionUID = 1L;

    private final AggregateFunction<?, A, R> perEvent;

    public MergePartials(AggregateFunction<?, A, R> perEvent) {
        this.perEvent = perEvent;
    }

    @Override
    public A createAccumulator() {
        return perEvent.createAccumulator();
    }

    @Override
    public A add(Partial<K, A> partial, A acc) {
        return perEvent.merge(acc, partial.aggregate);
    }

    @Override
    public R getResult(A acc) {
        return perEvent.getResult(acc);
    }

    @Override
    public A merge(A a, A b) {
        return perEvent.merge(a, b);
    }
}
