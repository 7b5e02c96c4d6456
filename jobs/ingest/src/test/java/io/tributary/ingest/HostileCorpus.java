package io.tributary.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.testkit.avro.ConfluentRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Raw records a hostile or broken gateway might send, each with the dead-letter reason the ingest
 * job must give it, across all four raw topics, as JSON and as Avro. Also a few good events per
 * topic in both encodings, and a pair of records reusing one event id for different events.
 *
 * <p>Shared by {@code HostileCorpusTest} (the decoder alone) and {@code IngestJobIT} (the real job
 * on a real broker and registry), so both tiers hold the same promise.
 */
public final class HostileCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One record and what must become of it: {@code expectedReason} null means a good event. */
    public record Case(
            String name,
            String topic,
            byte[] key,
            byte[] value,
            Long timestamp,
            String expectedReason,
            String eventId) {
        public boolean good() {
            return expectedReason == null;
        }
    }

    /** Schema ids as the registry in use hands them out. */
    public record SchemaIds(int envelope, int jsonSchema, int unknown) {}

    private final long now;
    private final SchemaIds ids;
    private final List<Case> cases = new ArrayList<>();
    private int serial;

    private HostileCorpus(long now, SchemaIds ids) {
        this.now = now;
        this.ids = ids;
    }

    /**
     * @param now the time the records are sent; event times are placed around it
     */
    public static List<Case> build(long now, SchemaIds ids) {
        HostileCorpus corpus = new HostileCorpus(now, ids);
        corpus.json();
        corpus.avro();
        corpus.eventIdReuse();
        return List.copyOf(corpus.cases);
    }

    private void json() {
        for (String topic :
                List.of(Topics.RAW_PLAYER, Topics.RAW_MEDIA, Topics.RAW_COMMERCE, Topics.RAW_IOT)) {
            good(topic, "json good", jsonBytes(base(topic)));
            String key = keyOf(topic);
            bad(topic, "empty value", key, new byte[0], "EMPTY_VALUE");
            bad(topic, "no key", null, jsonBytes(base(topic)), "MISSING_KEY");
            bad(topic, "key of 2000 bytes", "k".repeat(2000), jsonBytes(base(topic)), "OVERSIZED");
            bad(
                    topic,
                    "70 KB value",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("padding", "x".repeat(70_000)))),
                    "OVERSIZED");
            bad(
                    topic,
                    "invalid UTF-8",
                    key,
                    concat(jsonBytes(base(topic)), new byte[] {(byte) 0xC3, (byte) 0x28}),
                    "INVALID_UTF8");
            bad(
                    topic,
                    "two JSON values",
                    key,
                    concat(jsonBytes(base(topic)), jsonBytes(base(topic))),
                    "MALFORMED_JSON");
            bad(
                    topic,
                    "trailing garbage",
                    key,
                    concat(jsonBytes(base(topic)), utf8(" trailing")),
                    "MALFORMED_JSON");
            bad(
                    topic,
                    "duplicate field",
                    key,
                    utf8("{\"eventId\":\"a-1\"," + jsonText(base(topic)).substring(1)),
                    "MALFORMED_JSON");
            bad(
                    topic,
                    "nested 100 deep",
                    key,
                    utf8("{\"x\":" + "[".repeat(100) + "]".repeat(100) + "}"),
                    "MALFORMED_JSON");
            bad(
                    topic,
                    "a JSON array",
                    key,
                    utf8("[" + jsonText(base(topic)) + "]"),
                    "MALFORMED_JSON");
            bad(topic, "not JSON", key, utf8("eventId=1&type=play"), "MALFORMED_JSON");
            bad(
                    topic,
                    "number of 100 digits",
                    key,
                    utf8(
                            jsonText(base(topic))
                                    .replaceFirst(
                                            "\"eventTime\":\\d+",
                                            "\"eventTime\":" + "9".repeat(100))),
                    "MALFORMED_JSON");
            bad(
                    topic,
                    "eventId with a lone surrogate",
                    key,
                    utf8(
                            jsonText(base(topic))
                                    .replaceFirst("\"eventId\":\"", "\"eventId\":\"\\\\ud800")),
                    "INVALID_UTF8");
            bad(
                    topic,
                    "eventId of 300 characters",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("eventId", "e".repeat(300)))),
                    "INVALID_VALUE");
            bad(
                    topic,
                    "eventId with a space",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("eventId", "a b"))),
                    "INVALID_VALUE");
            bad(
                    topic,
                    "eventId a number",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("eventId", 17))),
                    "WRONG_TYPE");
            bad(
                    topic,
                    "no eventId",
                    key,
                    jsonBytes(with(base(topic), e -> e.remove("eventId"))),
                    "MISSING_FIELD");
            bad(
                    topic,
                    "eventTime beyond epoch millis",
                    key,
                    jsonBytes(
                            with(
                                    base(topic),
                                    e -> e.put("eventTime", "+1000000000-12-31T23:59:59Z"))),
                    "INVALID_VALUE");
            bad(
                    topic,
                    "eventTime in 2100",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("eventTime", "2100-01-01T00:00:00Z"))),
                    "TIMESTAMP_OUT_OF_RANGE");
            bad(
                    topic,
                    "eventTime in 1970",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("eventTime", 0))),
                    "TIMESTAMP_OUT_OF_RANGE");
            bad(
                    topic,
                    "pipeline-only type",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("type", "uploaded"))),
                    "UNKNOWN_EVENT_TYPE");
            bad(
                    topic,
                    "unknown type",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("type", "teleport"))),
                    "UNKNOWN_EVENT_TYPE");
            bad(
                    topic,
                    "producer with NUL",
                    key,
                    jsonBytes(with(base(topic), e -> e.put("producer", "gw\u0000"))),
                    "INVALID_VALUE");
            // The broker accepts record timestamps up to an hour ahead of its clock by default,
            // and would refuse a canonical record stamped later still.
            cases.add(
                    new Case(
                            topic + ": record stamped 50 min ahead, event 52 min ahead",
                            topic,
                            utf8(key),
                            jsonBytes(
                                    with(
                                            base(topic),
                                            e ->
                                                    e.put(
                                                            "eventTime",
                                                            now
                                                                    + Duration.ofMinutes(52)
                                                                            .toMillis()))),
                            now + Duration.ofMinutes(50).toMillis(),
                            "TIMESTAMP_OUT_OF_RANGE",
                            null));
        }
        bad(
                Topics.RAW_PLAYER,
                "near 1 MB value",
                keyOf(Topics.RAW_PLAYER),
                jsonBytes(
                        with(
                                base(Topics.RAW_PLAYER),
                                e -> e.put("padding", "p".repeat(1_000_000 - 600)))),
                "OVERSIZED");

        String player = Topics.RAW_PLAYER;
        bad(
                player,
                "cdn with a lone surrogate",
                keyOf(player),
                utf8(jsonText(base(player)).replace("\"fastly\"", "\"fastly\\ud800\"")),
                "INVALID_UTF8");
        badJson(
                player,
                "negative buffer duration",
                e -> e.put("bufferDurationMs", -1),
                "INVALID_VALUE");
        badJson(
                player,
                "bitrate of a billion",
                e -> e.put("bitrateKbps", 1_000_000_000),
                "INVALID_VALUE");
        badJson(
                player,
                "unknown device class",
                e -> e.put("deviceClass", "toaster"),
                "INVALID_VALUE");
        badJson(
                player,
                "sessionId with a path",
                e -> e.put("sessionId", "../sess"),
                "INVALID_VALUE");
        badJson(player, "position as text", e -> e.put("positionMs", "abc"), "WRONG_TYPE");
        badJson(
                player,
                "buffer_end without duration",
                e -> e.remove("bufferDurationMs"),
                "MISSING_FIELD");
        badJson(
                player,
                "region of 300 characters",
                e -> e.put("region", "r".repeat(300)),
                "INVALID_VALUE");

        String media = Topics.RAW_MEDIA;
        badJson(media, "mediaId ..", e -> e.put("mediaId", ".."), "INVALID_VALUE");
        badJson(media, "mediaId with a slash", e -> e.put("mediaId", "a/b"), "INVALID_VALUE");
        badJson(
                media,
                "mediaId with a leading dot",
                e -> e.put("mediaId", ".hidden"),
                "INVALID_VALUE");
        badJson(
                media,
                "two billion chunks",
                e -> e.put("chunkCount", 2_000_000_000),
                "INVALID_VALUE");
        badJson(media, "chunk index beyond count", e -> e.put("chunkIndex", 9), "INVALID_VALUE");
        badJson(media, "upload chunk without count", e -> e.remove("chunkCount"), "MISSING_FIELD");
        badJson(media, "unknown rendition", e -> e.put("rendition", "8000k"), "INVALID_VALUE");

        String commerce = Topics.RAW_COMMERCE;
        badJson(
                commerce,
                "amount 1e2000000 as text",
                e -> e.put("amount", "1e2000000"),
                "INVALID_VALUE");
        badJson(
                commerce,
                "amount 1e-2000000000 as text",
                e -> e.put("amount", "1e-2000000000"),
                "INVALID_VALUE");
        badJson(commerce, "negative amount", e -> e.put("amount", "-5.00"), "INVALID_VALUE");
        bad(
                commerce,
                "amount 1e2000000 as a number",
                keyOf(commerce),
                utf8(
                        jsonText(base(commerce))
                                .replace("\"amount\":\"19.99\"", "\"amount\":1e2000000")),
                "INVALID_VALUE");
        badJson(commerce, "currency EURO", e -> e.put("currency", "EURO"), "INVALID_VALUE");
        badJson(commerce, "country ZZ", e -> e.put("country", "ZZ"), "INVALID_VALUE");
        badJson(commerce, "blank order id", e -> e.put("orderId", "  "), "MISSING_FIELD");
        badJson(
                commerce,
                "more decimals than the currency",
                e -> e.put("amount", "1.999"),
                "INVALID_VALUE");

        String iot = Topics.RAW_IOT;
        badJson(iot, "value NaN as text", e -> e.put("value", "NaN"), "WRONG_TYPE");
        bad(
                iot,
                "value 1e400",
                keyOf(iot),
                utf8(jsonText(base(iot)).replace("\"value\":21.5", "\"value\":1e400")),
                "INVALID_VALUE");
        bad(
                iot,
                "deviceId with a lone surrogate",
                keyOf(iot),
                utf8(jsonText(base(iot)).replace("\"dev-1\"", "\"dev\\udc00\"")),
                "INVALID_UTF8");
        badJson(iot, "unit with NUL", e -> e.put("unit", "c\u0000"), "INVALID_VALUE");
    }

    private void avro() {
        int envelope = ids.envelope();
        for (Envelope good : List.of(player(), media(), commerce(), iot())) {
            String topic = rawTopic(good.getDomain());
            good(topic, "avro good", framed(envelope, good));
            bad(
                    topic,
                    "avro unknown schema id",
                    keyOf(topic),
                    framed(ids.unknown(), good),
                    "UNKNOWN_SCHEMA_ID");
            bad(
                    topic,
                    "avro JSON Schema id",
                    keyOf(topic),
                    framed(ids.jsonSchema(), good),
                    "UNSUPPORTED_SCHEMA");
            bad(
                    topic,
                    "avro truncated",
                    keyOf(topic),
                    Arrays.copyOf(framed(envelope, good), 30),
                    "MALFORMED_AVRO");
            bad(
                    topic,
                    "avro trailing bytes",
                    keyOf(topic),
                    concat(framed(envelope, good), new byte[] {2, 4, 6}),
                    "MALFORMED_AVRO");
            byte[] hugeLength = framed(envelope, good);
            // The eventId's length prefix (right after the header) claims about 2 GB.
            byte[] claim = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
            byte[] withClaim =
                    concat(
                            concat(Arrays.copyOf(hugeLength, 5), claim),
                            Arrays.copyOfRange(hugeLength, 6, hugeLength.length));
            bad(topic, "avro length prefix of 2 GB", keyOf(topic), withClaim, "MALFORMED_AVRO");
            bad(
                    topic,
                    "avro blank eventId",
                    keyOf(topic),
                    framed(envelope, copy(good, e -> e.setEventId(" "))),
                    "MISSING_FIELD");
            bad(
                    topic,
                    "avro eventTime in 2100",
                    keyOf(topic),
                    framed(
                            envelope,
                            copy(good, e -> e.setEventTime(Instant.parse("2100-01-01T00:00:00Z")))),
                    "TIMESTAMP_OUT_OF_RANGE");
            bad(
                    topic,
                    "avro pipeline-only type",
                    keyOf(topic),
                    framed(
                            envelope,
                            copy(
                                    good,
                                    e -> {
                                        e.setEventType(EventType.TRANSCODED);
                                        e.setDomain(Domain.MEDIA);
                                    })),
                    "UNKNOWN_EVENT_TYPE");
        }
        bad(
                Topics.RAW_IOT,
                "avro NaN value",
                "dev-1",
                framed(
                        envelope,
                        copy(iot(), e -> ((IotTelemetry) e.getPayload()).setValue(Double.NaN))),
                "INVALID_VALUE");
        bad(
                Topics.RAW_IOT,
                "avro infinite value",
                "dev-1",
                framed(
                        envelope,
                        copy(
                                iot(),
                                e ->
                                        ((IotTelemetry) e.getPayload())
                                                .setValue(Double.NEGATIVE_INFINITY))),
                "INVALID_VALUE");
        bad(
                Topics.RAW_IOT,
                "avro player payload on telemetry",
                "dev-1",
                framed(envelope, copy(iot(), e -> e.setPayload(player().getPayload()))),
                "INVALID_VALUE");
        bad(
                Topics.RAW_IOT,
                "avro domain mismatch",
                "dev-1",
                framed(envelope, copy(iot(), e -> e.setDomain(Domain.PLAYER))),
                "UNKNOWN_EVENT_TYPE");
        bad(
                Topics.RAW_IOT,
                "avro invalid UTF-8 in eventId",
                "dev-1",
                invalidUtf8EventId(framed(envelope, iot())),
                "INVALID_UTF8");
        bad(
                Topics.RAW_COMMERCE,
                "avro negative amount",
                "ord-1",
                framed(
                        envelope,
                        copy(
                                commerce(),
                                e -> ((CommerceEvent) e.getPayload()).setAmountMinor(-100L))),
                "INVALID_VALUE");
        bad(
                Topics.RAW_COMMERCE,
                "avro lowercase currency",
                "ord-1",
                framed(
                        envelope,
                        copy(commerce(), e -> ((CommerceEvent) e.getPayload()).setCurrency("eur"))),
                "INVALID_VALUE");
        bad(
                Topics.RAW_MEDIA,
                "avro upload chunk without count",
                "media-1",
                framed(
                        envelope,
                        copy(media(), e -> ((MediaEvent) e.getPayload()).setChunkCount(null))),
                "MISSING_FIELD");
        bad(
                Topics.RAW_MEDIA,
                "avro two billion chunks",
                "media-1",
                framed(
                        envelope,
                        copy(
                                media(),
                                e -> ((MediaEvent) e.getPayload()).setChunkCount(2_000_000_000))),
                "INVALID_VALUE");
        bad(
                Topics.RAW_MEDIA,
                "avro mediaId ..",
                "media-1",
                framed(
                        envelope,
                        copy(media(), e -> ((MediaEvent) e.getPayload()).setMediaId(".."))),
                "INVALID_VALUE");
        bad(
                Topics.RAW_PLAYER,
                "avro oversized sessionId",
                "sess-1",
                framed(
                        envelope,
                        copy(
                                player(),
                                e -> ((PlayerEvent) e.getPayload()).setSessionId("s".repeat(500)))),
                "INVALID_VALUE");
        bad(
                Topics.RAW_PLAYER,
                "avro negative startup time",
                "sess-1",
                framed(
                        envelope,
                        copy(player(), e -> ((PlayerEvent) e.getPayload()).setStartupTimeMs(-5L))),
                "INVALID_VALUE");
    }

    /** The first copy is good; a second record reusing its id for another event is a conflict. */
    private void eventIdReuse() {
        ObjectNode first = base(Topics.RAW_IOT);
        good(Topics.RAW_IOT, "id reuse: first", jsonBytes(first));
        cases.add(
                new Case(
                        "raw.iot: id reuse: different body",
                        Topics.RAW_IOT,
                        utf8(keyOf(Topics.RAW_IOT)),
                        jsonBytes(with(first, e -> e.put("value", 99.5))),
                        null,
                        "EVENT_ID_CONFLICT",
                        null));
        // The same id in another domain is another event.
        ObjectNode sameIdOtherDomain =
                with(
                        base(Topics.RAW_COMMERCE),
                        e -> e.put("eventId", first.get("eventId").asText()));
        good(Topics.RAW_COMMERCE, "id reuse: other domain", jsonBytes(sameIdOtherDomain));
    }

    private void good(String topic, String name, byte[] value) {
        String eventId = eventIdOf(value);
        cases.add(
                new Case(
                        topic + ": " + name,
                        topic,
                        utf8(keyOf(topic)),
                        value,
                        null,
                        null,
                        eventId));
    }

    private void bad(String topic, String name, String key, byte[] value, String reason) {
        cases.add(
                new Case(
                        topic + ": " + name,
                        topic,
                        key == null ? null : utf8(key),
                        value,
                        null,
                        reason,
                        null));
    }

    private void badJson(String topic, String name, Consumer<ObjectNode> change, String reason) {
        bad(topic, name, keyOf(topic), jsonBytes(with(base(topic), change)), reason);
    }

    private String nextId(String prefix) {
        return prefix + "-" + now + "-" + (serial++);
    }

    private ObjectNode base(String topic) {
        ObjectNode e = JSON.createObjectNode();
        long eventTime = now - 1_000;
        switch (topic) {
            case Topics.RAW_PLAYER ->
                    e.put("eventId", nextId("hp"))
                            .put("type", "buffer_end")
                            .put("eventTime", eventTime)
                            .put("producer", "player-gw-1")
                            .put("sessionId", "sess-1")
                            .put("viewerId", "viewer-1")
                            .put("accountId", "acct-1")
                            .put("deviceId", "dev-1")
                            .put("titleId", "title-1")
                            .put("deviceClass", "tv")
                            .put("cdn", "fastly")
                            .put("region", "eu-west")
                            .put("positionMs", 1000)
                            .put("bufferDurationMs", 800);
            case Topics.RAW_MEDIA ->
                    e.put("eventId", nextId("hm"))
                            .put("type", "upload_chunk")
                            .put("eventTime", eventTime)
                            .put("producer", "upload-svc")
                            .put("mediaId", "media-1")
                            .put("uploadId", "up-1")
                            .put("chunkIndex", 0)
                            .put("chunkCount", 2)
                            .put("chunkBytes", 1024);
            case Topics.RAW_COMMERCE ->
                    e.put("eventId", nextId("hc"))
                            .put("type", "order_paid")
                            .put("eventTime", eventTime)
                            .put("producer", "checkout")
                            .put("orderId", "ord-1")
                            .put("accountId", "acct-1")
                            .put("amount", "19.99")
                            .put("currency", "EUR")
                            .put("country", "DE");
            case Topics.RAW_IOT ->
                    e.put("eventId", nextId("hi"))
                            .put("type", "telemetry")
                            .put("eventTime", eventTime)
                            .put("producer", "edge-gw")
                            .put("deviceId", "dev-1")
                            .put("metric", "temperature")
                            .put("value", 21.5)
                            .put("unit", "celsius");
            default -> throw new IllegalArgumentException(topic);
        }
        return e;
    }

    private static String keyOf(String topic) {
        return switch (topic) {
            case Topics.RAW_PLAYER -> "sess-1";
            case Topics.RAW_MEDIA -> "media-1";
            case Topics.RAW_COMMERCE -> "ord-1";
            default -> "dev-1";
        };
    }

    private static String rawTopic(Domain domain) {
        return "raw." + domain.name().toLowerCase(java.util.Locale.ROOT);
    }

    private Envelope envelope(EventType type, Domain domain, Object payload, String prefix) {
        return Envelope.newBuilder()
                .setEventId(nextId(prefix))
                .setEventType(type)
                .setDomain(domain)
                .setEventTime(Instant.ofEpochMilli(now - 1_000))
                .setIngestTime(Instant.ofEpochMilli(now))
                .setProducer("avro-svc")
                .setOrigin(new Origin("svc", 0, 0L))
                .setPayload(payload)
                .build();
    }

    private Envelope player() {
        return envelope(
                EventType.FIRST_FRAME,
                Domain.PLAYER,
                PlayerEvent.newBuilder()
                        .setSessionId("sess-1")
                        .setViewerId("viewer-1")
                        .setAccountId("acct-1")
                        .setDeviceId("dev-1")
                        .setTitleId("title-1")
                        .setDeviceClass(DeviceClass.TV)
                        .setCdn("fastly")
                        .setRegion("eu-west")
                        .setPositionMs(0)
                        .setStartupTimeMs(900L)
                        .build(),
                "ap");
    }

    private Envelope media() {
        return envelope(
                EventType.UPLOAD_CHUNK,
                Domain.MEDIA,
                MediaEvent.newBuilder()
                        .setMediaId("media-1")
                        .setUploadId("up-1")
                        .setChunkIndex(0)
                        .setChunkCount(2)
                        .setChunkBytes(1024L)
                        .build(),
                "am");
    }

    private Envelope commerce() {
        return envelope(
                EventType.ORDER_PAID,
                Domain.COMMERCE,
                CommerceEvent.newBuilder()
                        .setOrderId("ord-1")
                        .setAccountId("acct-1")
                        .setAmountMinor(1999)
                        .setCurrency("EUR")
                        .setCountry("DE")
                        .build(),
                "ac");
    }

    private Envelope iot() {
        return envelope(
                EventType.TELEMETRY,
                Domain.IOT,
                new IotTelemetry("dev-1", "temperature", 21.5, "celsius", null),
                "ai");
    }

    private Envelope copy(Envelope envelope, Consumer<Envelope> change) {
        Envelope copy = Envelope.newBuilder(envelope).setEventId(nextId("ax")).build();
        change.accept(copy);
        return copy;
    }

    /** Replaces the eventId's first character by a UTF-8 encoded surrogate (bytes ED A0 80). */
    private static byte[] invalidUtf8EventId(byte[] framed) {
        byte[] out = framed.clone();
        out[6] = (byte) 0xED;
        out[7] = (byte) 0xA0;
        out[8] = (byte) 0x80;
        return out;
    }

    private static byte[] framed(int schemaId, Envelope envelope) {
        return ConfluentRecords.framed(schemaId, envelope);
    }

    private static String eventIdOf(byte[] value) {
        if (ConfluentWireFormat.schemaIdOf(value).isPresent()) {
            int length = (value[5] & 0xff) >>> 1; // ids here are short: a one-byte zig-zag length
            return new String(value, 6, length, StandardCharsets.UTF_8);
        }
        try {
            return JSON.readTree(value).get("eventId").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode with(ObjectNode event, Consumer<ObjectNode> change) {
        ObjectNode copy = event.deepCopy();
        change.accept(copy);
        return copy;
    }

    private static String jsonText(ObjectNode node) {
        return node.toString();
    }

    private static byte[] jsonBytes(ObjectNode node) {
        return utf8(node.toString());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
