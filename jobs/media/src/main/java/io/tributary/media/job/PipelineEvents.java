package io.tributary.media.job;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.media.MediaEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The canonical events the pipeline itself emits. Their ids derive from what they decide (media,
 * event type, rendition, attempt), so a replay after a failure emits the same ids and downstream
 * deduplication and upserts see one event.
 */
public final class PipelineEvents {
    public static final String PRODUCER = "tributary-media";

    private PipelineEvents() {}

    /**
     * @param cause the event that led to this one, for lineage; null when a timer decided
     * @param discriminator what makes this decision unique for its media item and type
     */
    public static Envelope derived(
            EventType type, long time, MediaEvent payload, Envelope cause, String discriminator) {
        String name = payload.getMediaId() + "|" + type + "|" + discriminator;
        Origin origin =
                cause == null ? new Origin(PRODUCER + "-timer", -1, -1L) : cause.getOrigin();
        return Envelope.newBuilder()
                .setEventId(
                        UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString())
                .setEventType(type)
                .setDomain(Domain.MEDIA)
                .setEventTime(Instant.ofEpochMilli(time))
                .setIngestTime(Instant.ofEpochMilli(time))
                .setProducer(PRODUCER)
                .setOrigin(origin)
                .setPayload(payload)
                .build();
    }
}
