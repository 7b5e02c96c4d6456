package io.tributary.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.registry.UnknownSchemaIdException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class RawEventDecoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ARRIVAL = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    private static final RecordOrigin ORIGIN = new RecordOrigin(Topics.RAW_PLAYER, 1, 42, ARRIVAL);
    private static final byte[] KEY = "sess-1".getBytes(StandardCharsets.UTF_8);
    private static final int ENVELOPE_SCHEMA_ID = 7;

    private final RawEventDecoder decoder =
            new RawEventDecoder(
                    IngestLimits.DEFAULTS,
                    id -> {
                        if (id == ENVELOPE_SCHEMA_ID) {
                            return Envelope.getClassSchema();
                        }
                        throw new UnknownSchemaIdException(id);
                    });

    static ObjectNode bufferEnd() {
        ObjectNode event = JSON.createObjectNode();
        event.put("eventId", "e-1");
        event.put("type", "buffer_end");
        event.put("eventTime", "2026-11-22T09:59:58.500Z");
        event.put("producer", "player-gw-1");
        event.put("sessionId", "sess-1");
        event.put("viewerId", "acct-1-p0");
        event.put("accountId", "acct-1");
        event.put("deviceId", "dev-9");
        event.put("titleId", "title-3");
        event.put("deviceClass", "TV");
        event.put("cdn", "Fastly");
        event.put("region", "eu-west");
        event.put("positionMs", 30_000);
        event.put("bufferDurationMs", 1_200);
        event.put("bitrateKbps", 2000);
        return event;
    }

    static ObjectNode orderPaid(String amount, String currency) {
        ObjectNode event = JSON.createObjectNode();
        event.put("eventId", "e-2");
        event.put("type", "order_paid");
        event.put("eventTime", ARRIVAL - 1000);
        event.put("producer", "checkout-svc");
        event.put("orderId", "ord-1");
        event.put("accountId", "acct-1");
        event.put("amount", amount);
        event.put("currency", currency);
        event.put("country", "de");
        return event;
    }

    private Envelope decode(ObjectNode json) throws Rejection {
        return decoder.decode(KEY, bytes(json), ORIGIN);
    }

    @Test
    void normalisesAPlayerEvent() throws Rejection {
        Envelope envelope = decode(bufferEnd());

        assertThat(envelope.getEventId()).isEqualTo("e-1");
        assertThat(envelope.getEventType()).isEqualTo(EventType.BUFFER_END);
        assertThat(envelope.getDomain()).isEqualTo(Domain.PLAYER);
        assertThat(envelope.getEventTime()).isEqualTo(Instant.parse("2026-11-22T09:59:58.500Z"));
        assertThat(envelope.getIngestTime()).isEqualTo(Instant.ofEpochMilli(ARRIVAL));
        assertThat(envelope.getOrigin()).isEqualTo(new Origin(Topics.RAW_PLAYER, 1, 42L));
        PlayerEvent player = (PlayerEvent) envelope.getPayload();
        assertThat(player.getDeviceClass()).isEqualTo(DeviceClass.TV);
        assertThat(player.getCdn()).isEqualTo("fastly");
        assertThat(player.getBufferDurationMs()).isEqualTo(1_200L);
    }

    @Test
    void moneyBecomesExactMinorUnitsAndCodesAreUpperCased() throws Rejection {
        CommerceEvent euros = (CommerceEvent) decode(orderPaid("19.99", "eur")).getPayload();
        assertThat(euros.getAmountMinor()).isEqualTo(1999L);
        assertThat(euros.getCurrency()).isEqualTo("EUR");
        assertThat(euros.getCountry()).isEqualTo("DE");

        CommerceEvent yen = (CommerceEvent) decode(orderPaid("1500", "JPY")).getPayload();
        assertThat(yen.getAmountMinor()).isEqualTo(1500L);
    }

    @Test
    void epochMillisAndIsoTimesAreBothAccepted() throws Rejection {
        ObjectNode event = bufferEnd();
        event.put("eventTime", ARRIVAL - 5);
        assertThat(decode(event).getEventTime().toEpochMilli()).isEqualTo(ARRIVAL - 5);
    }

    @Test
    void readsIotTelemetry() throws Rejection {
        ObjectNode event = JSON.createObjectNode();
        event.put("eventId", "e-3")
                .put("type", "telemetry")
                .put("eventTime", ARRIVAL)
                .put("producer", "iot-gw-1")
                .put("deviceId", "edge-1")
                .put("metric", "Temperature")
                .put("value", 41.5)
                .put("unit", "celsius");
        IotTelemetry reading = (IotTelemetry) decode(event).getPayload();
        assertThat(reading.getMetric()).isEqualTo("temperature");
        assertThat(reading.getValue()).isEqualTo(41.5);
    }

    @Test
    void emptyNullKeyOversizedAndEncodingProblemsAreRejectedFirst() {
        expect(() -> decoder.decode(KEY, new byte[0], ORIGIN), DeadLetterReason.EMPTY_VALUE, null);
        expect(() -> decoder.decode(KEY, null, ORIGIN), DeadLetterReason.EMPTY_VALUE, null);
        expect(
                () -> decoder.decode(null, bytes(bufferEnd()), ORIGIN),
                DeadLetterReason.MISSING_KEY,
                null);
        expect(
                () -> decoder.decode(KEY, new byte[70_000], ORIGIN),
                DeadLetterReason.OVERSIZED,
                null);
        byte[] invalidUtf8 = bytes(bufferEnd());
        invalidUtf8[20] = (byte) 0xC3;
        invalidUtf8[21] = (byte) 0x28;
        expect(() -> decoder.decode(KEY, invalidUtf8, ORIGIN), DeadLetterReason.INVALID_UTF8, null);
        expect(
                () ->
                        decoder.decode(
                                KEY,
                                "{\"eventId\": \"x\",".getBytes(StandardCharsets.UTF_8),
                                ORIGIN),
                DeadLetterReason.MALFORMED_JSON,
                null);
        expect(
                () -> decoder.decode(KEY, "[1,2]".getBytes(StandardCharsets.UTF_8), ORIGIN),
                DeadLetterReason.MALFORMED_JSON,
                null);
    }

    @Test
    void validUtf8BeyondAsciiIsAccepted() throws Rejection {
        ObjectNode event = bufferEnd();
        event.put("titleId", "Amélie-日本");
        assertThat(((PlayerEvent) decode(event).getPayload()).getTitleId()).isEqualTo("Amélie-日本");
    }

    @Test
    void fieldProblemsNameTheField() {
        ObjectNode missing = bufferEnd();
        missing.remove("sessionId");
        expect(() -> decode(missing), DeadLetterReason.MISSING_FIELD, "sessionId");

        ObjectNode neededByType = bufferEnd();
        neededByType.remove("bufferDurationMs");
        expect(() -> decode(neededByType), DeadLetterReason.MISSING_FIELD, "bufferDurationMs");

        ObjectNode wrongType = bufferEnd();
        wrongType.put("positionMs", "thirty seconds");
        expect(() -> decode(wrongType), DeadLetterReason.WRONG_TYPE, "positionMs");

        ObjectNode badTime = bufferEnd();
        badTime.put("eventTime", true);
        expect(() -> decode(badTime), DeadLetterReason.WRONG_TYPE, "eventTime");

        ObjectNode unknownType = bufferEnd();
        unknownType.put("type", "teleport");
        expect(() -> decode(unknownType), DeadLetterReason.UNKNOWN_EVENT_TYPE, "type");

        ObjectNode badEnum = bufferEnd();
        badEnum.put("deviceClass", "toaster");
        expect(() -> decode(badEnum), DeadLetterReason.INVALID_VALUE, "deviceClass");

        ObjectNode negative = bufferEnd();
        negative.put("bufferDurationMs", -5);
        expect(() -> decode(negative), DeadLetterReason.INVALID_VALUE, "bufferDurationMs");

        ObjectNode tooLong = bufferEnd();
        tooLong.put("titleId", "t".repeat(300));
        expect(() -> decode(tooLong), DeadLetterReason.INVALID_VALUE, "titleId");

        expect(() -> decode(orderPaid("19.999", "EUR")), DeadLetterReason.INVALID_VALUE, "amount");
        expect(() -> decode(orderPaid("-1", "EUR")), DeadLetterReason.INVALID_VALUE, "amount");
        expect(() -> decode(orderPaid("10", "EURO")), DeadLetterReason.INVALID_VALUE, "currency");
    }

    @Test
    void eventTimesMustBePlausibleAgainstTheRecordTimestamp() {
        ObjectNode future = bufferEnd();
        future.put("eventTime", ARRIVAL + 6 * 60_000);
        expect(() -> decode(future), DeadLetterReason.TIMESTAMP_OUT_OF_RANGE, "eventTime");

        ObjectNode ancient = bufferEnd();
        ancient.put("eventTime", "2020-01-01T00:00:00Z");
        expect(() -> decode(ancient), DeadLetterReason.TIMESTAMP_OUT_OF_RANGE, "eventTime");
    }

    @Test
    void acceptsCanonicalAvroInTheConfluentWireFormat() throws Exception {
        Envelope written = decode(bufferEnd());
        written.setOrigin(new Origin("elsewhere", 0, 0L));
        Envelope read = decoder.decode(KEY, confluentFramed(ENVELOPE_SCHEMA_ID, written), ORIGIN);
        assertThat(read.getPayload()).isEqualTo(written.getPayload());
        assertThat(read.getOrigin()).isEqualTo(new Origin(Topics.RAW_PLAYER, 1, 42L));
    }

    @Test
    void avroWithAnUnknownSchemaIdOrACorruptBodyIsRejected() throws Exception {
        byte[] framed = confluentFramed(ENVELOPE_SCHEMA_ID, decode(bufferEnd()));
        byte[] unknownId = framed.clone();
        unknownId[4] = 99;
        expect(
                () -> decoder.decode(KEY, unknownId, ORIGIN),
                DeadLetterReason.UNKNOWN_SCHEMA_ID,
                null);

        byte[] truncated = java.util.Arrays.copyOf(framed, 12);
        expect(() -> decoder.decode(KEY, truncated, ORIGIN), DeadLetterReason.MALFORMED_AVRO, null);
    }

    private static void expect(ThrowingCallable call, DeadLetterReason reason, String field) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        Rejection.class,
                        r -> {
                            assertThat(r.reason()).isEqualTo(reason);
                            assertThat(r.field()).isEqualTo(field);
                            assertThat(r.getMessage()).isNotBlank();
                            if (field != null) {
                                assertThat(r.getMessage()).contains(field);
                            }
                        });
    }

    static byte[] confluentFramed(int schemaId, Envelope envelope) {
        return io.tributary.testkit.avro.ConfluentRecords.framed(schemaId, envelope);
    }

    private static byte[] bytes(ObjectNode json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
