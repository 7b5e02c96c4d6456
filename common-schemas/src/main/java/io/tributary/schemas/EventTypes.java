package io.tributary.schemas;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The wire names of event types ({@code buffer_start}) and the domain each belongs to. */
public final class EventTypes {
    private static final Map<String, EventType> BY_WIRE_NAME = new HashMap<>();
    private static final Map<EventType, Domain> DOMAINS = new EnumMap<>(EventType.class);

    static {
        for (EventType type : EventType.values()) {
            if (type != EventType.UNKNOWN) {
                BY_WIRE_NAME.put(type.name().toLowerCase(Locale.ROOT), type);
                DOMAINS.put(type, domainOf(type));
            }
        }
    }

    private EventTypes() {}

    /** The type for a wire name, or null when there is no such type. */
    public static EventType fromWireName(String name) {
        return BY_WIRE_NAME.get(name);
    }

    public static String wireName(EventType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    public static Domain domain(EventType type) {
        return DOMAINS.getOrDefault(type, Domain.UNKNOWN);
    }

    private static Domain domainOf(EventType type) {
        return switch (type) {
            case PLAY,
                    FIRST_FRAME,
                    PAUSE,
                    SEEK,
                    BUFFER_START,
                    BUFFER_END,
                    BITRATE_SWITCH,
                    ERROR,
                    HEARTBEAT ->
                    Domain.PLAYER;
            case UPLOAD_CHUNK,
                    UPLOAD_COMPLETED,
                    TRANSCODE_REQUESTED,
                    TRANSCODE_STARTED,
                    TRANSCODE_PROGRESS,
                    TRANSCODE_COMPLETED,
                    TRANSCODE_FAILED,
                    PACKAGED,
                    PUBLISHED,
                    UPLOADED,
                    UPLOAD_FAILED,
                    TRANSCODE_SLA_BREACHED,
                    TRANSCODED,
                    MEDIA_FAILED ->
                    Domain.MEDIA;
            case ORDER_CREATED,
                    ORDER_PAID,
                    ORDER_FULFILLED,
                    ORDER_CANCELLED,
                    PAYMENT_ATTEMPTED,
                    PAYMENT_FAILED,
                    PAYMENT_SUCCEEDED ->
                    Domain.COMMERCE;
            case TELEMETRY -> Domain.IOT;
            case UNKNOWN -> Domain.UNKNOWN;
        };
    }
}
