package io.tributary.sinks.lake;

import io.tributary.schemas.Envelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The lake's shape of a canonical event. The Envelope's payload is a union of four records; Parquet
 * writers turn such a union into anonymous {@code member0..member3} columns, which no analyst
 * should have to decode. Here each payload type gets its own nullable column named after its domain
 * ({@code player}, {@code media}, {@code commerce}, {@code iot}), so a query reads {@code
 * player.titleId}. Derived from the Envelope schema, so a field added there appears here.
 */
public final class LakeEvents {
    public static final Schema SCHEMA = schema();

    private LakeEvents() {}

    public static GenericRecord of(Envelope envelope) {
        GenericData.Record record = new GenericData.Record(SCHEMA);
        for (Schema.Field field : Envelope.SCHEMA$.getFields()) {
            if (!field.name().equals("payload")) {
                Object value = envelope.get(field.pos());
                // Generic records hold timestamp-millis as the long it is on the wire.
                record.put(
                        field.name(),
                        value instanceof Instant instant ? instant.toEpochMilli() : value);
            }
        }
        Object payload = envelope.getPayload();
        if (payload != null) {
            record.put(columnOf(((GenericRecord) payload).getSchema()), payload);
        }
        return record;
    }

    public static Instant eventTime(GenericRecord lakeEvent) {
        return Instant.ofEpochMilli((Long) lakeEvent.get("eventTime"));
    }

    static String columnOf(Schema payloadType) {
        String name = payloadType.getName();
        return switch (name) {
            case "PlayerEvent" -> "player";
            case "MediaEvent" -> "media";
            case "CommerceEvent" -> "commerce";
            case "IotTelemetry" -> "iot";
            default -> name.toLowerCase(Locale.ROOT);
        };
    }

    private static Schema schema() {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : Envelope.SCHEMA$.getFields()) {
            if (field.name().equals("payload")) {
                for (Schema branch : field.schema().getTypes()) {
                    if (branch.getType() == Schema.Type.RECORD) {
                        fields.add(
                                new Schema.Field(
                                        columnOf(branch),
                                        Schema.createUnion(Schema.create(Schema.Type.NULL), branch),
                                        "Set when the event is a " + branch.getName(),
                                        Schema.Field.NULL_DEFAULT_VALUE));
                    }
                }
            } else {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        return Schema.createRecord(
                "LakeEvent",
                "A canonical event as the lake stores it: one nullable column per payload type.",
                "io.tributary.lake",
                false,
                fields);
    }
}
