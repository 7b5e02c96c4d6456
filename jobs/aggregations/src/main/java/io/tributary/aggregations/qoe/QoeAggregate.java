package io.tributary.aggregations.qoe;

import io.tributary.schemas.Envelope;
import io.tributary.schemas.player.PlayerEvent;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds player events into a window's {@link QoeAccumulator}, one event at a time. */
public final class QoeAggregate
        implements AggregateFunction<Envelope, QoeAccumulator, QoeAccumulator> {
    private static final long serialVersionUID = 1L;

    @Override
    public QoeAccumulator createAccumulator() {
        return new QoeAccumulator();
    }

    @Override
    public QoeAccumulator add(Envelope event, QoeAccumulator acc) {
        acc.add(event.getEventType(), (PlayerEvent) event.getPayload());
        return acc;
    }

    @Override
    public QoeAccumulator getResult(QoeAccumulator acc) {
        return acc;
    }

    @Override
    public QoeAccumulator merge(QoeAccumulator a, QoeAccumulator b) {
        return a.merge(b);
    }
}
