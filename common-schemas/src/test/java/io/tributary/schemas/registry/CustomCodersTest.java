package io.tributary.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The canonical deserializer decodes payloads with Avro's generated coders ({@link
 * ConfluentAvro.WithCustomCoders}). They must read exactly what the generic path reads, including
 * records written with an older schema version.
 */
class CustomCodersTest {
    private static final SpecificData MODEL = SpecificData.getForClass(Envelope.class);

    @Test
    void theSwitchIsOnTheModelFlinksAvroReadersShare() {
        MODEL.setCustomCoders(true);
        assertThat(new Envelope().getSpecificData()).isSameAs(MODEL);
        assertThat(MODEL.useCustomCoders()).isTrue();
    }

    @Test
    void readsWhatTheGenericPathReads() throws Exception {
        Envelope event = playEvent();
        byte[] bytes = write(event);

        assertThat(read(bytes, Envelope.getClassSchema(), false)).isEqualTo(event);
        assertThat(read(bytes, Envelope.getClassSchema(), true)).isEqualTo(event);
    }

    @Test
    void readsRecordsWrittenWithAnOlderSchemaFillingDefaults() throws Exception {
        Schema older = withoutPlayerField("errorFatal");
        GenericRecord olderRecord =
                (GenericRecord) GenericData.get().deepCopy(older, toGeneric(playEvent(), older));
        byte[] bytes = writeGeneric(olderRecord, older);

        Envelope generic = read(bytes, older, false);
        Envelope custom = read(bytes, older, true);

        assertThat(custom).isEqualTo(generic);
        PlayerEvent payload = (PlayerEvent) custom.getPayload();
        assertThat(payload.getErrorFatal()).isNull();
        assertThat(payload.getTitleId()).isEqualTo("title-7");
        assertThat(payload.getBitrateKbps()).isEqualTo(4000);
    }

    private static Envelope read(byte[] bytes, Schema writer, boolean customCoders)
            throws Exception {
        SpecificData model = new SpecificData();
        MODEL.getConversions().forEach(model::addLogicalTypeConversion);
        model.setCustomCoders(customCoders);
        SpecificDatumReader<Envelope> reader =
                new SpecificDatumReader<>(writer, Envelope.getClassSchema(), model);
        return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }

    private static byte[] write(Envelope event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Envelope.class).write(event, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static byte[] writeGeneric(GenericRecord record, Schema schema) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** The envelope schema as it was before PlayerEvent gained {@code field}. */
    private static Schema withoutPlayerField(String field) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode envelope = (ObjectNode) json.readTree(Envelope.getClassSchema().toString());
        for (var f : envelope.withArray("fields")) {
            if (f.get("name").asText().equals("payload")) {
                ObjectNode player = (ObjectNode) f.get("type").get(0);
                ArrayNode fields = (ArrayNode) player.get("fields");
                for (int i = 0; i < fields.size(); i++) {
                    if (fields.get(i).get("name").asText().equals(field)) {
                        fields.remove(i);
                    }
                }
            }
        }
        return new Schema.Parser().parse(envelope.toString());
    }

    private static GenericRecord toGeneric(Envelope event, Schema schema) throws Exception {
        // Through the current writer and a resolving generic reader: the older schema drops the
        // field.
        byte[] current = write(event);
        var reader =
                new org.apache.avro.generic.GenericDatumReader<GenericRecord>(
                        Envelope.getClassSchema(), schema);
        return reader.read(null, DecoderFactory.get().binaryDecoder(current, null));
    }

    private static Envelope playEvent() {
        PlayerEvent payload =
                PlayerEvent.newBuilder()
                        .setSessionId("s-1")
                        .setViewerId("v-1")
                        .setAccountId("a-1")
                        .setDeviceId("d-1")
                        .setTitleId("title-7")
                        .setDeviceClass(DeviceClass.TV)
                        .setCdn("cdn-a")
                        .setRegion("eu-west")
                        .setPositionMs(12_000)
                        .setRenditionId("4000k")
                        .setBitrateKbps(4000)
                        .setErrorFatal(true)
                        .build();
        return Envelope.newBuilder()
                .setEventId("e-1")
                .setEventType(EventType.ERROR)
                .setDomain(Domain.PLAYER)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setIngestTime(Instant.ofEpochMilli(1_700_000_000_100L))
                .setProducer("gw-1")
                .setOrigin(new Origin(Topics.RAW_PLAYER, 1, 42L))
                .setPayload(payload)
                .build();
    }
}
