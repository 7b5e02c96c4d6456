package io.tributary.benchmarks;

import io.tributary.ingest.validate.IngestLimits;
import io.tributary.ingest.validate.RawEventDecoder;
import io.tributary.ingest.validate.RecordOrigin;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.SchemaRegistry;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Loads canonical envelopes as the ingest job writes them: generated traffic through the ingest
 * job's own decoder, so the events are realistic, one topic per domain.
 */
final class CanonicalLoad {
    private CanonicalLoad() {}

    /** Loads {@code events} envelopes of the domains that have a topic; others are skipped. */
    static int load(
            KafkaBroker kafka, SchemaRegistry registry, Map<Domain, String> topics, int events)
            throws Exception {
        TrafficGenerator generator = new TrafficGenerator(7, System::currentTimeMillis, 0, 0);
        RawEventDecoder decoder =
                new RawEventDecoder(
                        IngestLimits.DEFAULTS,
                        id -> {
                            throw new IllegalStateException("no Avro input here");
                        });
        Map<Domain, RegistryAvroSerializationSchema<Envelope>> serializers = new HashMap<>();
        for (Map.Entry<Domain, String> topic : topics.entrySet()) {
            RegistryAvroSerializationSchema<Envelope> serializer =
                    ConfluentAvro.serializer(Envelope.class, topic.getValue(), registry.url());
            serializer.open(null);
            serializers.put(topic.getKey(), serializer);
        }
        int loaded = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                kafka.producer(
                        Map.of(
                                "linger.ms",
                                20,
                                "batch.size",
                                262_144,
                                "compression.type",
                                "lz4",
                                "max.in.flight.requests.per.connection",
                                5))) {
            while (loaded < events) {
                GeneratedRecord raw = generator.nextGood();
                Envelope envelope;
                try {
                    envelope =
                            decoder.decode(
                                    raw.key(),
                                    raw.value(),
                                    new RecordOrigin(
                                            raw.topic(), 0, loaded, System.currentTimeMillis()));
                } catch (Rejection e) {
                    throw new IllegalStateException(
                            "generator produced a bad event: " + e.getMessage());
                }
                String topic = topics.get(envelope.getDomain());
                if (topic == null) {
                    continue;
                }
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                null,
                                envelope.getEventTime().toEpochMilli(),
                                raw.key(),
                                serializers.get(envelope.getDomain()).serialize(envelope)));
                loaded++;
            }
            producer.flush();
        }
        return loaded;
    }
}
