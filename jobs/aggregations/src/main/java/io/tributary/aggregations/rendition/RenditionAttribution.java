package io.tributary.aggregations.rendition;

import io.tributary.schemas.EventType;
import io.tributary.schemas.player.PlayerEvent;

/**
 * Which ladder rendition a player event counts against, or none.
 *
 * <p>Most events count against the rendition the player reports being on. A downward bitrate switch
 * counts against the rendition the player left, because that is the rendition that failed to keep
 * up; switch events name only the new rendition, so the one left is read from {@code
 * previousBitrateKbps} by the ladder's naming rule (a rung is its bitrate followed by {@code k}, as
 * the media pipeline names them). Upward switches blame nobody.
 */
public final class RenditionAttribution {
    private RenditionAttribution() {}

    /**
     * @return the rendition id, or null when the event cannot or should not be attributed
     */
    public static String of(EventType type, PlayerEvent event) {
        if (type == EventType.BITRATE_SWITCH) {
            return isDownshift(event) ? event.getPreviousBitrateKbps() + "k" : null;
        }
        return switch (type) {
            case HEARTBEAT, BUFFER_START, BUFFER_END, ERROR -> event.getRenditionId();
            default -> null;
        };
    }

    static boolean isDownshift(PlayerEvent event) {
        return event.getPreviousBitrateKbps() != null
                && event.getBitrateKbps() != null
                && event.getBitrateKbps() < event.getPreviousBitrateKbps();
    }
}
