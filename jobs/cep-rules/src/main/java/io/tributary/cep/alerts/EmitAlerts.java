package io.tributary.cep.alerts;

import io.tributary.cep.rules.Rule;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Emits one alert per match of one rule. Partial matches that run out of time are not alerts
 * (rules that fire on absence end in notFollowedBy, which Flink completes as a match); they are
 * counted so an operator sees how much a rule starts without finishing.
 */
public final class EmitAlerts extends PatternProcessFunction<Envelope, Alert> implements TimedOutPartialMatchHandler<Envelope> {
    private static final long serialVersionUID = 1L;

    private final AlertRenderer renderer;
    private final KeySelector<Envelope, String> key;
    private transient Counter alerts;
    private transient Counter timedOut;

    public EmitAlerts(Rule rule, KeySelector<Envelope, String> key) {
        this.renderer = new AlertRenderer(rule);
        this.key = key;
    }

    @Override
    public void open(Configuration parameters) {
        alerts = getRuntimeContext().getMetricGroup().counter("alerts");
        timedOut = getRuntimeContext().getMetricGroup().counter("partialMatchesTimedOut");
    }

    @Override
    public void processMatch(Map<String, List<Envelope>> match, Context ctx, Collector<Alert> out) throws Exception {
        Envelope any = match.values().iterator().next().get(0);
        out.collect(renderer.render(key.getKey(any), match, Instant.ofEpochMilli(ctx.currentProcessingTime())));
        alerts.inc();
    }

    @Override
    public void processTimedOutMatch(Map<String, List<Envelope>> match, Context ctx) {
        timedOut.inc();
    }
}
