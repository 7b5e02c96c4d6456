package io.tributary.sinks.warehouse;

import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.media.MediaEvent;
import java.time.Instant;

/**
 * One part of one media item's pipeline as the media_jobs table holds it: the upload, the transcode
 * of one rendition, the packaging in one format, or the publication. A POJO, so Flink serializes it
 * without Kryo.
 */
public class MediaJobRow {
    public String mediaId;
    public String stage;
    public String part;
    public String state;
    public Instant eventTime;

    /**
     * Orders the events of one part that carry the same time: the pipeline stamps a decision with
     * the time of the report that caused it (UPLOADED with that of its UPLOAD_COMPLETED), so time
     * alone would leave the winner to the event ids. A later attempt outranks an earlier one, then
     * a later lifecycle step an earlier one.
     */
    public int step;

    public String eventId;
    public String uploadId;
    public String rendition;
    public Integer bitrateKbps;
    public String workerId;
    public Integer attempt;
    public Double progressPercent;
    public String failureReason;
    public String packagingFormat;
    public String manifestUri;
    public String cdnUrl;

    public MediaJobRow() {}

    /**
     * @throws IllegalArgumentException if the envelope holds no media event
     */
    public static MediaJobRow of(Envelope envelope) {
        if (!(envelope.getPayload() instanceof MediaEvent media)) {
            throw new IllegalArgumentException(
                    "event "
                            + envelope.getEventId()
                            + " of type "
                            + envelope.getEventType()
                            + " is not a media pipeline event");
        }
        MediaJobRow row = new MediaJobRow();
        row.mediaId = media.getMediaId();
        row.state = envelope.getEventType().name();
        row.eventTime = envelope.getEventTime();
        row.step = step(envelope.getEventType(), media.getAttempt());
        row.eventId = envelope.getEventId();
        row.uploadId = media.getUploadId();
        row.rendition = media.getRendition();
        row.bitrateKbps = media.getBitrateKbps();
        row.workerId = media.getWorkerId();
        row.attempt = media.getAttempt();
        row.progressPercent = media.getProgressPercent();
        row.failureReason = media.getFailureReason();
        row.packagingFormat = media.getPackagingFormat();
        row.manifestUri = media.getManifestUri();
        row.cdnUrl = media.getCdnUrl();
        switch (envelope.getEventType()) {
            case UPLOAD_CHUNK, UPLOAD_COMPLETED, UPLOADED, UPLOAD_FAILED -> {
                row.stage = "upload";
                row.part = orEmpty(media.getUploadId());
            }
            case TRANSCODE_REQUESTED,
                    TRANSCODE_STARTED,
                    TRANSCODE_PROGRESS,
                    TRANSCODE_COMPLETED,
                    TRANSCODE_FAILED -> {
                row.stage = "transcode";
                row.part = orEmpty(media.getRendition());
            }
            case TRANSCODE_SLA_BREACHED -> {
                row.stage = "sla";
                row.part = orEmpty(media.getRendition());
            }
            case TRANSCODED -> {
                row.stage = "transcode";
                row.part = "";
            }
            case MEDIA_FAILED -> {
                row.stage = "pipeline";
                row.part = "";
            }
            case PACKAGED -> {
                row.stage = "package";
                row.part = orEmpty(media.getPackagingFormat());
            }
            case PUBLISHED -> {
                row.stage = "publish";
                row.part = "";
            }
            default ->
                    throw new IllegalArgumentException(
                            "event "
                                    + envelope.getEventId()
                                    + " of type "
                                    + envelope.getEventType()
                                    + " is not a media pipeline stage");
        }
        return row;
    }

    static int step(EventType type, Integer attempt) {
        int rank =
                switch (type) {
                    case UPLOAD_CHUNK, TRANSCODE_REQUESTED -> 0;
                    case UPLOAD_COMPLETED, TRANSCODE_STARTED -> 1;
                    case TRANSCODE_PROGRESS -> 2;
                    default -> 3;
                };
        return (attempt == null ? 0 : attempt) * 10 + rank;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
