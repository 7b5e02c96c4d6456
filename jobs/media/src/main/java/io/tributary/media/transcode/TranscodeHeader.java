package io.tributary.media.transcode;

import io.tributary.media.pipeline.MediaLifecycle;

/**
 * What the transcode stage keeps about one media item besides its renditions (a POJO in Flink
 * state).
 */
public class TranscodeHeader {
    public String mediaId;
    public String uploadId;
    public MediaLifecycle lifecycle;

    /** The one event-time timer this item has registered; 0 for none. */
    public long timer;

    public TranscodeHeader() {}
}
