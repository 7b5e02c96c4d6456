package io.tributary.aggregations.qoe;

import io.tributary.schemas.aggregates.QoeMinute;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Attaches window bounds, dimensions and a revision to the aggregated QoE. The revision counts the
 * window's firings (1 on time, +1 per late update) in per-window state, which Flink clears with
 * the window once the allowed lateness has passed.
 */
public final class QoeWindowResult
        extends ProcessWindowFunction<QoeAccumulator, QoeMinute, QoeDimensions, TimeWindow> {
    private static final long serialVersionUID = 1L;
    static final ValueStateDescriptor<Integer> FIRINGS = new ValueStateDescriptor<>("firings", Types.INT);

    private final long heartbeatIntervalMs;

    public QoeWindowResult(long heartbeatIntervalMs) {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
    }

    @Override
    public void process(QoeDimensions key, Context context, Iterable<QoeAccumulator> aggregated, Collector<QoeMinute> out)
            throws Exception {
        ValueState<Integer> firings = context.windowState().getState(FIRINGS);
        int revision = firings.value() == null ? 1 : firings.value() + 1;
        firings.update(revision);
        QoeAccumulator acc = aggregated.iterator().next();
        out.collect(acc.toResult(key, context.window().getStart(), context.window().getEnd(), revision, heartbeatIntervalMs));
    }

    @Override
    public void clear(Context context) {
        context.windowState().getState(FIRINGS).clear();
    }
}
