package io.tributary.cep.job;

import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.testkit.hostile.HostileCanonicalRecords;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The CEP job's topics on a test class's broker and registry: write input, read alerts and late
 * events.
 */
final class CepKafka {
    private final RealKafka kafka;
    private final RealSchemaRegistry registry;

    CepKafka(RealKafka kafka, RealSchemaRegistry registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    CepRulesJob.Sinks sinks(String alertsTopic, String lateTopic, String name) {
        return sinks(alertsTopic, lateTopic, Topics.CEP_DEAD_LETTERS, name);
    }

    CepRulesJob.Sinks sinks(
            String alertsTopic, String lateTopic, String deadLetterTopic, String name) {
        CepRulesOptions options = new CepRulesOptions();
        options.kafka.bootstrapServers = kafka.bootstrapServers();
        options.kafka.registryUrl = registry.url();
        options.alertsTopic = alertsTopic;
        options.lateTopic = lateTopic;
        options.deadLetterTopic = deadLetterTopic;
        options.transactionalIdPrefix = name + "-" + UUID.randomUUID();
        options.runtime = new RuntimeOptions();
        options.runtime.transactionTimeout = Duration.ofMinutes(5);
        return CepRulesJobMain.kafkaSinks(options);
    }

    List<Alert> readAlerts(String topic) throws Exception {
        RegistryAvroDeserializationSchema<Alert> decoder =
                ConfluentAvro.deserializer(Alert.class, registry.url());
        List<Alert> alerts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        kafka.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            alerts.add(decoder.deserialize(record.value()));
        }
        return alerts;
    }

    List<Envelope> readEvents(String topic) throws Exception {
        RegistryAvroDeserializationSchema<Envelope> decoder =
                ConfluentAvro.deserializer(Envelope.class, registry.url());
        List<Envelope> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        kafka.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            events.add(decoder.deserialize(record.value()));
        }
        return events;
    }

    /**
     * Writes {@link HostileCanonicalRecords} of the domain; the dead-letter reason each must get,
     * by topic and key.
     */
    Map<String, String> produceHostile(String topic, Domain domain) throws Exception {
        return HostileCanonicalRecords.produce(kafka.broker(), registry.url(), topic, domain);
    }

    Map<String, String> readDeadLetterReasons(String topic) throws Exception {
        return HostileCanonicalRecords.deadLetterReasons(
                kafka.bootstrapServers(), registry.url(), topic);
    }

    void produce(String topic, List<Envelope> events) throws Exception {
        var serializer = ConfluentAvro.serializer(Envelope.class, topic, registry.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = kafka.broker().producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Envelope event : events) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        null,
                                        event.getEventTime().toEpochMilli(),
                                        event.getEventId().getBytes(StandardCharsets.UTF_8),
                                        serializer.serialize(event))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Writes to one partition, so a test can move time on in every partition. */
    void produceToPartition(String topic, int partition, Envelope event) throws Exception {
        var serializer = ConfluentAvro.serializer(Envelope.class, topic, registry.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = kafka.broker().producer()) {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    partition,
                                    event.getEventTime().toEpochMilli(),
                                    null,
                                    serializer.serialize(event)))
                    .get(60, TimeUnit.SECONDS);
        }
    }
}
