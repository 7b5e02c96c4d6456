package io.tributary.media.pipeline;

import io.tributary.schemas.EventType;
import java.util.EnumSet;
import java.util.Set;

/**
 * The life of one media item through the pipeline, as a pure state machine: which pipeline event
 * may follow which. Every stage job checks the events it acts on against it, and sends an event
 * that does not fit to the dead-letter path instead of acting on it.
 *
 * <pre>
 *                  UPLOAD_CHUNK / UPLOAD_COMPLETED (client)
 *                 +----+
 *                 v    |
 *   (new) ---> UPLOADING --UPLOADED--> UPLOADED --TRANSCODE_REQUESTED--> TRANSCODING
 *                 |                                                       |  ^    |
 *           UPLOAD_FAILED                  TRANSCODE_STARTED / _PROGRESS /|  |    |
 *                 |                   _COMPLETED / _FAILED / _REQUESTED / |  |    |
 *                 |                              _SLA_BREACHED            +--+    |
 *                 v                                                               |
 *              FAILED <-----------------------MEDIA_FAILED------------------------+
 *                                                                                 |
 *                                                                    TRANSCODED   |
 *                                                                                 v
 *   PUBLISHED <--PUBLISHED-- PACKAGED <--PACKAGED (HLS, then DASH)-- TRANSCODED <-+
 *                            ^    |
 *                            +----+ PACKAGED (the other format)
 * </pre>
 *
 * FAILED and PUBLISHED are terminal. Re-delivered events of the state an item is in (a second
 * PACKAGED for the other format, progress reports) are transitions to the same state.
 */
public enum MediaLifecycle {
    UPLOADING(
            EventType.UPLOAD_CHUNK,
            EventType.UPLOAD_COMPLETED,
            EventType.UPLOADED,
            EventType.UPLOAD_FAILED),
    UPLOADED(EventType.TRANSCODE_REQUESTED, EventType.MEDIA_FAILED),
    TRANSCODING(
            EventType.TRANSCODE_REQUESTED,
            EventType.TRANSCODE_STARTED,
            EventType.TRANSCODE_PROGRESS,
            EventType.TRANSCODE_COMPLETED,
            EventType.TRANSCODE_FAILED,
            EventType.TRANSCODE_SLA_BREACHED,
            EventType.TRANSCODED,
            EventType.MEDIA_FAILED),
    TRANSCODED(EventType.PACKAGED, EventType.MEDIA_FAILED),
    PACKAGED(EventType.PACKAGED, EventType.PUBLISHED),
    PUBLISHED,
    FAILED;

    private final Set<EventType> accepted;

    MediaLifecycle(EventType... accepted) {
        this.accepted =
                accepted.length == 0
                        ? EnumSet.noneOf(EventType.class)
                        : EnumSet.of(accepted[0], accepted);
    }

    /** Thrown for an event the current state does not accept. */
    public static final class InvalidTransition extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidTransition(MediaLifecycle from, EventType event) {
            super(
                    event
                            + " cannot follow "
                            + from
                            + (from.terminal()
                                    ? " (a final state)"
                                    : "; expected one of " + from.accepted));
        }
    }

    /** The state of a new media item, before its first event. */
    public static MediaLifecycle initial() {
        return UPLOADING;
    }

    public boolean terminal() {
        return accepted.isEmpty();
    }

    public boolean accepts(EventType event) {
        return accepted.contains(event);
    }

    /** The state after {@code event}, or {@link InvalidTransition} when it may not happen now. */
    public MediaLifecycle next(EventType event) throws InvalidTransition {
        if (!accepts(event)) {
            throw new InvalidTransition(this, event);
        }
        return switch (event) {
            case UPLOADED -> UPLOADED;
            case UPLOAD_FAILED, MEDIA_FAILED -> FAILED;
            case TRANSCODE_REQUESTED,
                    TRANSCODE_STARTED,
                    TRANSCODE_PROGRESS,
                    TRANSCODE_COMPLETED,
                    TRANSCODE_FAILED,
                    TRANSCODE_SLA_BREACHED ->
                    TRANSCODING;
            case TRANSCODED -> TRANSCODED;
            case PACKAGED -> PACKAGED;
            case PUBLISHED -> PUBLISHED;
            default -> this;
        };
    }
}
