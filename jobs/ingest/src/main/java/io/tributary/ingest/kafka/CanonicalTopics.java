package io.tributary.ingest.kafka;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Topics;
import java.io.Serializable;
import java.util.List;

/** The canonical topic of each domain, and the ingest job's dead-letter topic. */
public record CanonicalTopics(
        String player, String media, String commerce, String iot, String deadLetters)
        implements Serializable {

    public static final CanonicalTopics DEFAULTS =
            new CanonicalTopics(
                    Topics.EVENTS_PLAYER,
                    Topics.EVENTS_MEDIA,
                    Topics.EVENTS_COMMERCE,
                    Topics.EVENTS_IOT,
                    Topics.INGEST_DEAD_LETTERS);

    public String forDomain(Domain domain) {
        return switch (domain) {
            case PLAYER -> player;
            case MEDIA -> media;
            case COMMERCE -> commerce;
            case IOT -> iot;
            case UNKNOWN ->
                    throw new IllegalArgumentException("no canonical topic for UNKNOWN events");
        };
    }

    public List<String> eventTopics() {
        return List.of(player, media, commerce, iot);
    }
}
