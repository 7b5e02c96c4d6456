package io.tributary.ingest.dedup;

import io.tributary.ingest.CanonicalRecord;
import io.tributary.jobs.state.StateTtl;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets the first event of each id through and drops the rest (gateway retries, replays of a raw
 * topic). Keyed by event id; the "seen" flag expires after {@code ttl}, so state stays bounded:
 * a duplicate arriving later than that is indistinguishable from a new event, which is the
 * contract operators tune with {@code --dedup-ttl}.
 *
 * <p>TTL rather than a timer per id: timers would double the state writes of the hottest
 * operator of the suite, and RocksDB's compaction filter drops expired flags for free.
 */
public final class DeduplicateByEventId extends KeyedProcessFunction<String, CanonicalRecord, CanonicalRecord> {
    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<Boolean> seen;
    private transient Counter duplicates;
    private transient Counter eventsOut;

    public DeduplicateByEventId(Duration ttl) {
        this.ttl = ttl;
    }

    public static ValueStateDescriptor<Boolean> seenDescriptor(Duration ttl) {
        ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtl.expireAfterWrite(ttl));
        return descriptor;
    }

    @Override
    public void open(Configuration parameters) {
        seen = getRuntimeContext().getState(seenDescriptor(ttl));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
        eventsOut = getRuntimeContext().getMetricGroup().counter("eventsOut");
    }

    @Override
    public void processElement(CanonicalRecord event, Context ctx, Collector<CanonicalRecord> out) throws Exception {
        if (seen.value() != null) {
            duplicates.inc();
            return;
        }
        seen.update(Boolean.TRUE);
        eventsOut.inc();
        out.collect(event);
    }
}
