package io.tributary.cep.rules;

import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.PlayerEvent;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a rule can say about an event, derived from the Avro schemas: the envelope's {@code id},
 * {@code type} (the event type's name), {@code time} (event time, epoch milliseconds) and {@code
 * producer}, then every field of the domain's payload under its Avro name. Expressions see them as
 * {@code event.<field>} and, for earlier steps, {@code <step>.<field>}.
 *
 * <p>Avro types map to CEL types: string and enum → string, int and long → int, float and double →
 * double, boolean → bool. A nullable field has its base type; when the value is null the field is
 * absent, and a condition that reads it is false.
 */
public final class EventFields {
    private static final Map<Domain, Map<String, Field>> BY_DOMAIN = new EnumMap<>(Domain.class);

    static {
        BY_DOMAIN.put(Domain.PLAYER, of(PlayerEvent.getClassSchema()));
        BY_DOMAIN.put(Domain.MEDIA, of(MediaEvent.getClassSchema()));
        BY_DOMAIN.put(Domain.COMMERCE, of(CommerceEvent.getClassSchema()));
        BY_DOMAIN.put(Domain.IOT, of(IotTelemetry.getClassSchema()));
    }

    private EventFields() {}

    /** One field of an event as expressions see it. */
    public record Field(String name, CelType type, Kind kind, int payloadPosition) {
        /** Reads the field, converted to the CEL value type; null when the event has no value. */
        public Object read(Envelope event) {
            return switch (kind) {
                case ID -> event.getEventId();
                case TYPE -> event.getEventType().name();
                case TIME -> event.getEventTime().toEpochMilli();
                case PRODUCER -> event.getProducer();
                case PAYLOAD -> toCel(((SpecificRecord) event.getPayload()).get(payloadPosition));
            };
        }
    }

    enum Kind {
        ID,
        TYPE,
        TIME,
        PRODUCER,
        PAYLOAD
    }

    /** Every field of the domain's events, in schema order, envelope fields first. */
    public static Map<String, Field> of(Domain domain) {
        Map<String, Field> fields = BY_DOMAIN.get(domain);
        if (fields == null) {
            throw new IllegalArgumentException("no events in domain " + domain);
        }
        return fields;
    }

    private static Map<String, Field> of(Schema payload) {
        Map<String, Field> fields = new LinkedHashMap<>();
        fields.put("id", new Field("id", SimpleType.STRING, Kind.ID, -1));
        fields.put("type", new Field("type", SimpleType.STRING, Kind.TYPE, -1));
        fields.put("time", new Field("time", SimpleType.INT, Kind.TIME, -1));
        fields.put("producer", new Field("producer", SimpleType.STRING, Kind.PRODUCER, -1));
        for (Schema.Field field : payload.getFields()) {
            Field previous =
                    fields.put(
                            field.name(),
                            new Field(
                                    field.name(),
                                    celType(nonNull(field.schema())),
                                    Kind.PAYLOAD,
                                    field.pos()));
            if (previous != null) {
                throw new IllegalStateException(
                        payload.getFullName()
                                + "."
                                + field.name()
                                + " hides the envelope's "
                                + field.name());
            }
        }
        return Collections.unmodifiableMap(fields);
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        return schema.getTypes().stream()
                .filter(s -> s.getType() != Schema.Type.NULL)
                .findFirst()
                .orElseThrow();
    }

    private static CelType celType(Schema schema) {
        return switch (schema.getType()) {
            case STRING, ENUM -> SimpleType.STRING;
            case INT, LONG -> SimpleType.INT;
            case FLOAT, DOUBLE -> SimpleType.DOUBLE;
            case BOOLEAN -> SimpleType.BOOL;
            default -> SimpleType.DYN;
        };
    }

    private static Object toCel(Object value) {
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof Integer number) {
            return number.longValue();
        }
        if (value instanceof Float number) {
            return number.doubleValue();
        }
        if (value instanceof Enum<?> symbol) {
            return symbol.name();
        }
        return value;
    }
}
