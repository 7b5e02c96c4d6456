package io.tributary.media.transcode;

import java.io.Serializable;
import java.time.Duration;

/**
 * How long a rendition may wait for a worker, and how long a worker may take, before it is a
 * breach.
 */
public record TranscodeSla(Duration maxQueued, Duration maxRunning) implements Serializable {
    public enum Kind {
        QUEUED_TOO_LONG,
        RUNNING_TOO_LONG
    }
}
