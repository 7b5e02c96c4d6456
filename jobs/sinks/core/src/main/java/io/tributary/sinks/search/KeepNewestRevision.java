package io.tributary.sinks.search;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by document: lets a revisioned document through only if no higher revision of it has
 * been written, so an older revision that arrives late never overwrites a newer one. Keying by
 * document also gives each document a single writer that sends its revisions in order, which
 * makes plain index requests enough (no update scripts, which not every deployment enables).
 *
 * <p>The remembered revision expires after {@code retention}: an aggregate gets no new revision
 * once its window is past the allowed lateness, which is minutes.
 */
public final class KeepNewestRevision extends KeyedProcessFunction<String, SearchDocument, SearchDocument> {
    private static final long serialVersionUID = 1L;

    private final Duration retention;
    private transient ValueState<Integer> written;
    private transient Counter staleDropped;

    public KeepNewestRevision(Duration retention) {
        this.retention = retention;
    }

    public static String key(SearchDocument document) {
        return document.index + "/" + document.id;
    }

    @Override
    public void open(Configuration parameters) {
        ValueStateDescriptor<Integer> descriptor = new ValueStateDescriptor<>("written-revision", Integer.class);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(retention)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                // Whichever backend runs the job, expired revisions leave state without a full scan.
                .cleanupIncrementally(10, true)
                .cleanupInRocksdbCompactFilter(1000)
                .build());
        written = getRuntimeContext().getState(descriptor);
        staleDropped = getRuntimeContext().getMetricGroup().counter("staleRevisionsDropped");
    }

    @Override
    public void processElement(SearchDocument document, Context context, Collector<SearchDocument> out) throws Exception {
        if (!document.revisioned()) {
            out.collect(document);
            return;
        }
        Integer highest = written.value();
        if (highest != null && document.revision < highest) {
            staleDropped.inc();
            return;
        }
        written.update(document.revision);
        out.collect(document);
    }
}
