package io.tributary.aggregations.window;

import io.tributary.jobs.state.StateTtl;
import io.tributary.schemas.Envelope;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One player event feeds several aggregates (QoE, QoE per rendition, sessions, trending), so when
 * it is too late it is too late for several of them at once. Keyed by event id, this lets the first
 * copy through to the late-events topic and drops the others. The copies leave their windows within
 * moments of each other, so a short TTL bounds the state.
 */
public final class EachLateEventOnce extends KeyedProcessFunction<String, Envelope, Envelope> {
    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<Boolean> sent;

    public EachLateEventOnce(Duration ttl) {
        this.ttl = ttl;
    }

    public static ValueStateDescriptor<Boolean> sentDescriptor(Duration ttl) {
        ValueStateDescriptor<Boolean> descriptor =
                new ValueStateDescriptor<>("late-event-sent", Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtl.expireAfterWrite(ttl));
        return descriptor;
    }

    @Override
    public void open(Configuration parameters) {
        sent = getRuntimeContext().getState(sentDescriptor(ttl));
    }

    @Override
    public void processElement(Envelope event, Context ctx, Collector<Envelope> out)
            throws Exception {
        if (sent.value() == null) {
            sent.update(Boolean.TRUE);
            out.collect(event);
        }
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
