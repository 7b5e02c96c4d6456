package io.tributary.cep.job;

import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import java.util.Set;
import org.apache.flink.api.common.functions.FilterFunction;

/** The events a rule looks at: one of its input types, with a value for its key. */
public final class RuleInput implements FilterFunction<Envelope> {
    private static final long serialVersionUID = 1L;

    private final Set<EventType> types;
    private final RuleKey key;

    public RuleInput(Set<EventType> types, RuleKey key) {
        this.types = types;
        this.key = key;
    }

    @Override
    public boolean filter(Envelope event) {
        return types.contains(event.getEventType()) && key.getKey(event) != null;
    }
}
