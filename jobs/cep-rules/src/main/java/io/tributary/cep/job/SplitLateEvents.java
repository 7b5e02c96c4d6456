package io.tributary.cep.job;

import io.tributary.schemas.Envelope;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends events at or behind the watermark to a side output, once, before the rules fan out. The CEP
 * operators downstream never see a watermark ahead of this operator's (theirs is the minimum over
 * all of its instances), so nothing that passes here is dropped as late by a rule.
 */
public final class SplitLateEvents extends ProcessFunction<Envelope, Envelope> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<Envelope> LATE = new OutputTag<>("late-events") {};

    private transient Counter late;

    @Override
    public void open(Configuration parameters) {
        late = getRuntimeContext().getMetricGroup().counter("lateEvents");
    }

    @Override
    public void processElement(Envelope event, Context ctx, Collector<Envelope> out) {
        if (ctx.timestamp() != null && ctx.timestamp() <= ctx.timerService().currentWatermark()) {
            ctx.output(LATE, event);
            late.inc();
        } else {
            out.collect(event);
        }
    }
}
