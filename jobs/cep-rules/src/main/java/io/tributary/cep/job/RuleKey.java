package io.tributary.cep.job;

import io.tributary.cep.rules.EventFields;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import java.util.List;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The values of a rule's key fields (sessionId; deviceId and metric), as text joined by '|'; null
 * when one is missing.
 */
public final class RuleKey implements KeySelector<Envelope, String> {
    private static final long serialVersionUID = 1L;

    private final Domain domain;
    private final List<String> fields;

    public RuleKey(Domain domain, List<String> fields) {
        this.domain = domain;
        this.fields = fields;
    }

    @Override
    public String getKey(Envelope event) {
        StringBuilder key = new StringBuilder();
        for (String field : fields) {
            Object value = EventFields.of(domain).get(field).read(event);
            if (value == null) {
                return null;
            }
            if (key.length() > 0) {
                key.append('|');
            }
            key.append(value);
        }
        return key.toString();
    }
}
