package io.tributary.testkit.hostile;

import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.ConfluentSchemaCoder;
import io.tributary.schemas.registry.SchemaRegistryClient;
import io.tributary.testkit.avro.ConfluentRecords;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.kafka.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Records that no job reading a canonical topic may choke on: garbage, Avro that lies about its
 * lengths, and schema-valid envelopes with hostile values (a payload of another domain, NaN, an
 * event time in 2100 that would drag the watermark along, a media upload without a chunk count).
 * Each comes with the dead-letter reason a job must give it. For the ITs of every downstream job.
 */
public final class HostileCanonicalRecords {

    /**
     * A record as it is written to a canonical topic, and the reason it must be dead-lettered for.
     */
    public record Hostile(
            String name, byte[] key, byte[] value, long timestamp, String expectedReason) {}

    private HostileCanonicalRecords() {}

    /**
     * @param envelopeSchemaId the registry's id of the Envelope schema
     * @param now the time the records are written
     */
    public static List<Hostile> forDomain(Domain domain, int envelopeSchemaId, long now) {
        Envelope good = good(domain, now);
        List<Hostile> records = new ArrayList<>();
        records.add(
                new Hostile(
                        "garbage",
                        key("garbage"),
                        "not avro at all".getBytes(StandardCharsets.UTF_8),
                        now,
                        "MALFORMED_AVRO"));
        records.add(new Hostile("empty value", key("empty"), new byte[0], now, "EMPTY_VALUE"));
        records.add(
                new Hostile(
                        "unknown schema id",
                        key("unknown-id"),
                        framed(987_654, good),
                        now,
                        "UNKNOWN_SCHEMA_ID"));
        byte[] valid = framed(envelopeSchemaId, good);
        byte[] lying =
                concat(
                        concat(
                                Arrays.copyOf(valid, 5),
                                new byte[] {
                                    (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f
                                }),
                        Arrays.copyOfRange(valid, 6, valid.length));
        records.add(new Hostile("2 GB length prefix", key("lying"), lying, now, "MALFORMED_AVRO"));
        records.add(
                new Hostile(
                        "truncated",
                        key("truncated"),
                        Arrays.copyOf(valid, valid.length / 2),
                        now,
                        "MALFORMED_AVRO"));
        Envelope future = copy(good, "future");
        future.setEventTime(Instant.parse("2100-01-01T00:00:00Z"));
        records.add(
                new Hostile(
                        "event time in 2100",
                        key("future"),
                        framed(envelopeSchemaId, future),
                        now,
                        "TIMESTAMP_OUT_OF_RANGE"));
        Envelope otherDomain = copy(good, "other-domain");
        otherDomain.setPayload(
                domain == Domain.IOT
                        ? good(Domain.PLAYER, now).getPayload()
                        : good(Domain.IOT, now).getPayload());
        records.add(
                new Hostile(
                        "payload of another domain",
                        key("other-domain"),
                        framed(envelopeSchemaId, otherDomain),
                        now,
                        "INVALID_VALUE"));
        Envelope blankId = copy(good, "blank");
        blankId.setEventId(" ");
        records.add(
                new Hostile(
                        "blank event id",
                        key("blank"),
                        framed(envelopeSchemaId, blankId),
                        now,
                        "MISSING_FIELD"));
        Envelope hostileValue = copy(good, "hostile-value");
        switch (domain) {
            case PLAYER -> ((PlayerEvent) hostileValue.getPayload()).setBufferDurationMs(-5L);
            case MEDIA -> ((MediaEvent) hostileValue.getPayload()).setChunkCount(null);
            case COMMERCE -> ((CommerceEvent) hostileValue.getPayload()).setAmountMinor(-1L);
            default -> ((IotTelemetry) hostileValue.getPayload()).setValue(Double.NaN);
        }
        records.add(
                new Hostile(
                        "hostile value",
                        key("hostile-value"),
                        framed(envelopeSchemaId, hostileValue),
                        now,
                        domain == Domain.MEDIA ? "MISSING_FIELD" : "INVALID_VALUE"));
        return records;
    }

    /**
     * Writes the domain's hostile records to a topic of a test's broker.
     *
     * @return the dead-letter reason each must get, by {@code topic/key} (see {@link
     *     #deadLetterReasons})
     */
    public static Map<String, String> produce(
            KafkaBroker broker, String registryUrl, String topic, Domain domain) throws Exception {
        int envelopeId =
                new SchemaRegistryClient(registryUrl)
                        .register(
                                ConfluentSchemaCoder.valueSubject(topic),
                                Envelope.getClassSchema());
        Map<String, String> expected = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
            for (Hostile hostile : forDomain(domain, envelopeId, System.currentTimeMillis())) {
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        null,
                                        hostile.timestamp(),
                                        hostile.key(),
                                        hostile.value()))
                        .get(60, TimeUnit.SECONDS);
                expected.put(
                        topic + "/" + new String(hostile.key(), StandardCharsets.UTF_8),
                        hostile.expectedReason());
            }
        }
        return expected;
    }

    /**
     * The dead letters on a topic, read as an exactly-once consumer: reason by {@code
     * sourceTopic/originalKey}.
     */
    public static Map<String, String> deadLetterReasons(
            String bootstrapServers, String registryUrl, String topic) throws Exception {
        RegistryAvroDeserializationSchema<DeadLetter> decoder =
                ConfluentAvro.deserializer(DeadLetter.class, registryUrl);
        Map<String, String> reasons = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        bootstrapServers, List.of(topic), Duration.ofSeconds(60))) {
            DeadLetter letter = decoder.deserialize(record.value());
            String at =
                    letter.getSourceTopic()
                            + "/"
                            + StandardCharsets.UTF_8.decode(letter.getOriginalKey());
            if (reasons.put(at, letter.getReason().name()) != null) {
                throw new AssertionError("two dead letters for " + at);
            }
        }
        return reasons;
    }

    /** A valid event of the domain: the base the hostile ones are made from. */
    public static Envelope good(Domain domain, long now) {
        Object payload =
                switch (domain) {
                    case PLAYER ->
                            PlayerEvent.newBuilder()
                                    .setSessionId("sess-hostile")
                                    .setViewerId("viewer-1")
                                    .setAccountId("acct-1")
                                    .setDeviceId("dev-1")
                                    .setTitleId("title-1")
                                    .setDeviceClass(DeviceClass.TV)
                                    .setCdn("fastly")
                                    .setRegion("eu-west")
                                    .setPositionMs(0)
                                    .setBufferDurationMs(100L)
                                    .build();
                    case MEDIA ->
                            MediaEvent.newBuilder()
                                    .setMediaId("media-hostile")
                                    .setUploadId("up-1")
                                    .setChunkIndex(0)
                                    .setChunkCount(2)
                                    .setChunkBytes(1024L)
                                    .build();
                    case COMMERCE ->
                            CommerceEvent.newBuilder()
                                    .setOrderId("ord-hostile")
                                    .setAccountId("acct-1")
                                    .setAmountMinor(100)
                                    .setCurrency("EUR")
                                    .setCountry("DE")
                                    .build();
                    default ->
                            new IotTelemetry("dev-hostile", "temperature", 20.0, "celsius", null);
                };
        EventType type =
                switch (domain) {
                    case PLAYER -> EventType.BUFFER_END;
                    case MEDIA -> EventType.UPLOAD_CHUNK;
                    case COMMERCE -> EventType.ORDER_CREATED;
                    default -> EventType.TELEMETRY;
                };
        return Envelope.newBuilder()
                .setEventId("hostile-" + domain + "-" + now)
                .setEventType(type)
                .setDomain(domain)
                .setEventTime(Instant.ofEpochMilli(now - 1_000))
                .setIngestTime(Instant.ofEpochMilli(now))
                .setProducer("hostile-test")
                .setOrigin(new Origin("raw", 0, 0L))
                .setPayload(payload)
                .build();
    }

    private static Envelope copy(Envelope envelope, String suffix) {
        Envelope copy = Envelope.newBuilder(envelope).build();
        copy.setEventId(envelope.getEventId() + "-" + suffix);
        return copy;
    }

    private static byte[] key(String name) {
        return ("hostile-" + name).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] framed(int schemaId, Envelope envelope) {
        return ConfluentRecords.framed(schemaId, envelope);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
