package io.tributary.ingest.kafka;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes each envelope to its domain's canonical topic in the Confluent wire format, its schema
 * registered under the topic's TopicNameStrategy subject. The record key is the domain's entity
 * (session, media item, order, device), so downstream jobs find an entity's events in one
 * partition, in order; the record timestamp is the event time.
 */
public final class EnvelopeSerializer implements KafkaRecordSerializationSchema<Envelope> {
    private static final long serialVersionUID = 1L;

    private final CanonicalTopics topics;
    private final Map<Domain, SerializationSchema<Envelope>> valueSerializers = new EnumMap<>(Domain.class);

    public EnvelopeSerializer(CanonicalTopics topics, String registryUrl) {
        this.topics = topics;
        for (Domain domain : Domain.values()) {
            if (domain != Domain.UNKNOWN) {
                valueSerializers.put(
                        domain, ConfluentAvro.serializer(Envelope.class, topics.forDomain(domain), registryUrl));
            }
        }
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
            throws Exception {
        for (SerializationSchema<Envelope> serializer : valueSerializers.values()) {
            serializer.open(context);
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Envelope envelope, KafkaSinkContext context, Long timestamp) {
        Domain domain = envelope.getDomain();
        return new ProducerRecord<>(
                topics.forDomain(domain),
                null,
                envelope.getEventTime().toEpochMilli(),
                entityKey(envelope).getBytes(StandardCharsets.UTF_8),
                valueSerializers.get(domain).serialize(envelope));
    }

    /** The id of the entity an event is about. */
    public static String entityKey(Envelope envelope) {
        Object payload = envelope.getPayload();
        if (payload instanceof PlayerEvent player) {
            return player.getSessionId();
        } else if (payload instanceof MediaEvent media) {
            return media.getMediaId();
        } else if (payload instanceof CommerceEvent commerce) {
            return commerce.getOrderId();
        } else if (payload instanceof IotTelemetry iot) {
            return iot.getDeviceId();
        }
        throw new IllegalArgumentException("unknown payload " + payload.getClass());
    }
}
