package io.tributary.aggregations.window;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns a window's incrementally aggregated result into an output row with window bounds and a
 * revision: 1 for the on-time firing, +1 for each late update. The count of firings lives in
 * per-window state, which Flink clears with the window once the allowed lateness has passed, so
 * downstream upserts keep the highest revision per (window, key).
 */
public abstract class RevisionedWindowResult<ACC, OUT, K>
        extends ProcessWindowFunction<ACC, OUT, K, TimeWindow> {
    private static final long serialVersionUID = 1L;
    private static final ValueStateDescriptor<Integer> FIRINGS =
            new ValueStateDescriptor<>("firings", Types.INT);

    /** The row for one firing of one window. */
    protected abstract OUT result(K key, ACC aggregate, TimeWindow window, int revision);

    @Override
    public final void process(K key, Context context, Iterable<ACC> aggregated, Collector<OUT> out)
            throws Exception {
        ValueState<Integer> firings = context.windowState().getState(FIRINGS);
        int revision = firings.value() == null ? 1 : firings.value() + 1;
        firings.update(revision);
        out.collect(result(key, aggregated.iterator().next(), context.window(), revision));
    }

    @Override
    public final void clear(Context context) {
        context.windowState().getState(FIRINGS).clear();
    }
}
