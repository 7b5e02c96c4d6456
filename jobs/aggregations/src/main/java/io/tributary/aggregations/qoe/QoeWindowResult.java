package io.tributary.aggregations.qoe;

import io.tributary.aggregations.window.RevisionedWindowResult;
import io.tributary.schemas.aggregates.QoeMinute;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/** A QoE window's accumulator as a {@link QoeMinute} row. */
public final class QoeWindowResult
        extends RevisionedWindowResult<QoeAccumulator, QoeMinute, QoeDimensions> {
    private static final long serialVersionUID = 1L;

    private final long heartbeatIntervalMs;

    public QoeWindowResult(long heartbeatIntervalMs) {
        this.heartbeatIntervalMs = heartbeatIntervalMs;
    }

    @Override
    protected QoeMinute result(
            QoeDimensions key, QoeAccumulator acc, TimeWindow window, int revision) {
        return acc.toResult(key, window.getStart(), window.getEnd(), revision, heartbeatIntervalMs);
    }
}
