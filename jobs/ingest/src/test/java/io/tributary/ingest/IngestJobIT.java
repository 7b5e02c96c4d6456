package io.tributary.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import io.tributary.testkit.traffic.TrafficGenerator.MalformedKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ingest job end to end on real parts: a Kafka broker, the Confluent-API registry and a
 * MiniCluster at parallelism 2 with RocksDB and checkpoints, with a failure injected after the
 * first completed checkpoint. Output is read as an exactly-once consumer reads it.
 */
class IngestJobIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4);

    private static final int GOOD_EVENTS = 3_000;
    private static final int DUPLICATES = 300;
    private static final int EACH_MALFORMED_KIND = 3;

    /** What a raw record was sent as, keyed by where it landed. */
    private record Sent(GeneratedRecord record, String expectedReason) {}

    @Test
    void everyGoodEventExactlyOnceAndEveryBadRecordDeadLettered() throws Exception {
        CanonicalTopics topics = CanonicalTopics.DEFAULTS;
        KAFKA.broker().createTopics(2, Topics.list(Topics.RAW_ALL).toArray(String[]::new));
        KAFKA.broker()
                .createTopics(
                        2,
                        topics.player(),
                        topics.media(),
                        topics.commerce(),
                        topics.iot(),
                        topics.deadLetters());

        Map<String, Sent> sentByPosition = produceInput();
        Set<String> goodIds = new HashSet<>();
        Map<String, Sent> badByPosition = new HashMap<>();
        int duplicates = 0;
        for (Map.Entry<String, Sent> entry : sentByPosition.entrySet()) {
            GeneratedRecord record = entry.getValue().record();
            switch (record.kind()) {
                case GOOD -> goodIds.add(record.eventId());
                case DUPLICATE -> duplicates++;
                case MALFORMED -> badByPosition.put(entry.getKey(), entry.getValue());
            }
        }
        assertThat(goodIds).hasSize(GOOD_EVENTS + 1);
        assertThat(duplicates).isEqualTo(DUPLICATES);

        FailOnceAfterCheckpoint<RawRecord> failure = new FailOnceAfterCheckpoint<>();
        runIngestJob(topics, failure);
        assertThat(failure.hasFailed()).as("failure was injected").isTrue();

        PlainConfluentDecoder decoder = new PlainConfluentDecoder(REGISTRY.url());
        List<String> outputIds = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(), topics.eventTopics(), Duration.ofSeconds(60))) {
            GenericRecord envelope = decoder.decode(record.value());
            outputIds.add(envelope.get("eventId").toString());
            String domain = envelope.get("domain").toString();
            assertThat(record.topic())
                    .isEqualTo("events." + domain.toLowerCase(java.util.Locale.ROOT));
            assertThat(record.timestamp()).isEqualTo(envelope.get("eventTime"));
        }
        assertThat(outputIds).doesNotHaveDuplicates();
        assertThat(new HashSet<>(outputIds)).isEqualTo(goodIds);

        Map<String, GenericRecord> deadLettersByPosition =
                decoder.deadLettersByPosition(KAFKA.bootstrapServers(), topics.deadLetters());
        assertThat(deadLettersByPosition.keySet()).isEqualTo(badByPosition.keySet());
        badByPosition.forEach(
                (position, sent) -> {
                    GenericRecord letter = deadLettersByPosition.get(position);
                    assertThat(letter.get("reason").toString())
                            .as(position)
                            .isEqualTo(sent.expectedReason());
                    assertThat(letter.get("message").toString()).isNotBlank();
                    assertThat(PlainConfluentDecoder.bytes(letter.get("originalValue")))
                            .as("original bytes of " + position)
                            .isEqualTo(
                                    sent.record().value() == null ? null : sent.record().value());
                    assertThat(PlainConfluentDecoder.bytes(letter.get("originalKey")))
                            .isEqualTo(sent.record().key());
                });

        assertThat(outputIds.size() + deadLettersByPosition.size() + duplicates)
                .isEqualTo(sentByPosition.size());
    }

    private Map<String, Sent> produceInput() throws Exception {
        TrafficGenerator generator = new TrafficGenerator(42, System::currentTimeMillis, 0, 0);
        List<GeneratedRecord> good = new ArrayList<>();
        List<Sent> toSend = new ArrayList<>();
        for (int i = 0; i < GOOD_EVENTS; i++) {
            GeneratedRecord record = generator.nextGood();
            good.add(record);
            toSend.add(new Sent(record, null));
        }
        for (int i = 0; i < DUPLICATES; i++) {
            GeneratedRecord original = good.get((i * 7919) % good.size());
            toSend.add(
                    new Sent(
                            new GeneratedRecord(
                                    original.topic(),
                                    original.key(),
                                    original.value(),
                                    GeneratedRecord.Kind.DUPLICATE,
                                    original.eventId()),
                            null));
        }
        for (MalformedKind kind : MalformedKind.values()) {
            for (int i = 0; i < EACH_MALFORMED_KIND; i++) {
                toSend.add(new Sent(generator.malformed(kind), kind.expectedReason));
            }
        }
        // A service that already speaks Avro: one valid canonical record, one naming a schema id
        // the registry never issued.
        Envelope avroEvent = avroTelemetry();
        byte[] avro =
                ConfluentAvro.serializer(Envelope.class, Topics.RAW_IOT, REGISTRY.url())
                        .serialize(avroEvent);
        toSend.add(
                new Sent(
                        new GeneratedRecord(
                                Topics.RAW_IOT,
                                "edge-avro".getBytes(),
                                avro,
                                GeneratedRecord.Kind.GOOD,
                                avroEvent.getEventId()),
                        null));
        byte[] unknownId = avro.clone();
        System.arraycopy(
                ConfluentWireFormat.header(987_654),
                0,
                unknownId,
                0,
                ConfluentWireFormat.HEADER_LENGTH);
        toSend.add(
                new Sent(
                        new GeneratedRecord(
                                Topics.RAW_IOT,
                                "edge-avro".getBytes(),
                                unknownId,
                                GeneratedRecord.Kind.MALFORMED,
                                null),
                        "UNKNOWN_SCHEMA_ID"));
        java.util.Collections.shuffle(toSend, new java.util.Random(7));

        Map<String, Sent> byPosition = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer =
                KAFKA.broker().producer(Map.of("max.request.size", 1_048_576))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Sent sent : toSend) {
                GeneratedRecord r = sent.record();
                acks.add(producer.send(new ProducerRecord<>(r.topic(), r.key(), r.value())));
            }
            for (int i = 0; i < acks.size(); i++) {
                RecordMetadata metadata = acks.get(i).get();
                byPosition.put(
                        metadata.topic() + "/" + metadata.partition() + "/" + metadata.offset(),
                        toSend.get(i));
            }
        }
        return byPosition;
    }

    private static Envelope avroTelemetry() {
        Instant now = Instant.now();
        return Envelope.newBuilder()
                .setEventId("avro-" + UUID.randomUUID())
                .setEventType(EventType.TELEMETRY)
                .setDomain(io.tributary.schemas.Domain.IOT)
                .setEventTime(now.minusSeconds(1))
                .setIngestTime(now)
                .setProducer("edge-agent")
                .setOrigin(new Origin("edge", 0, 0L))
                .setPayload(
                        new io.tributary.schemas.iot.IotTelemetry(
                                "edge-avro", "temperature", 40.5, "celsius", null))
                .build();
    }

    private void runIngestJob(CanonicalTopics topics, FailOnceAfterCheckpoint<RawRecord> failure)
            throws Exception {
        IngestOnKafka.build(
                        KAFKA.bootstrapServers(),
                        REGISTRY.url(),
                        topics,
                        "ingest-it",
                        Duration.ofHours(1),
                        raw -> raw.map(failure).returns(raw.getType()).name("inject failure"))
                .execute("ingest-it");
    }
}
