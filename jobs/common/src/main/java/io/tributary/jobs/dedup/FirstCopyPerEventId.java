package io.tributary.jobs.dedup;

import io.tributary.jobs.state.StateTtl;
import io.tributary.schemas.Envelope;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by event id ({@link ByEventId}): lets the first copy of each event through and drops any
 * other copy that arrives within {@code ttl} of it. Where copies come from, and so how long they
 * can trail the first, is the caller's to say; the state of an id expires {@code ttl} after it was
 * written, with no timer per id.
 */
public final class FirstCopyPerEventId extends KeyedProcessFunction<String, Envelope, Envelope> {
    private static final long serialVersionUID = 1L;

    /** Counter of the copies dropped, on the operator's metric group. */
    public static final String DROPPED_METRIC = "copiesDropped";

    private final String stateName;
    private final Duration ttl;
    private transient ValueState<Boolean> seen;
    private transient Counter dropped;

    /**
     * @param stateName the state's name in checkpoints and savepoints; never change it for an
     *     existing use
     */
    public FirstCopyPerEventId(String stateName, Duration ttl) {
        this.stateName = stateName;
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> descriptor =
                new ValueStateDescriptor<>(stateName, Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtl.expireAfterWrite(ttl));
        seen = getRuntimeContext().getState(descriptor);
        dropped = getRuntimeContext().getMetricGroup().counter(DROPPED_METRIC);
    }

    @Override
    public void processElement(Envelope event, Context ctx, Collector<Envelope> out)
            throws Exception {
        if (seen.value() != null) {
            dropped.inc();
            return;
        }
        seen.update(Boolean.TRUE);
        out.collect(event);
    }

    /** Copies of one event share its id. */
    public static final class ByEventId implements KeySelector<Envelope, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Envelope event) {
            return event.getEventId();
        }
    }
}
