package io.tributary.media.job;

import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.media.MediaEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Media events for tests, each with a raw record whose value names the event (to check dead
 * letters).
 */
public final class MediaRecords {
    private MediaRecords() {}

    public static MediaRecord chunk(
            String mediaId,
            String uploadId,
            int index,
            int count,
            long bytes,
            String checksum,
            long time) {
        return record(
                mediaId + "-" + uploadId + "-c" + index,
                EventType.UPLOAD_CHUNK,
                time,
                m ->
                        m.setMediaId(mediaId)
                                .setUploadId(uploadId)
                                .setChunkIndex(index)
                                .setChunkCount(count)
                                .setChunkBytes(bytes)
                                .setChecksum(checksum));
    }

    public static MediaRecord completed(
            String mediaId, String uploadId, long totalBytes, String checksum, long time) {
        return record(
                mediaId + "-" + uploadId + "-done",
                EventType.UPLOAD_COMPLETED,
                time,
                m ->
                        m.setMediaId(mediaId)
                                .setUploadId(uploadId)
                                .setTotalBytes(totalBytes)
                                .setChecksum(checksum));
    }

    public static MediaRecord uploaded(String mediaId, String uploadId, long time) {
        return record(
                mediaId + "-uploaded",
                EventType.UPLOADED,
                time,
                m -> m.setMediaId(mediaId).setUploadId(uploadId));
    }

    public static MediaRecord report(
            EventType type, String mediaId, String rendition, int attempt, long time) {
        return record(
                mediaId + "-" + type + "-" + rendition + "-" + attempt + "-" + time,
                type,
                time,
                m ->
                        m.setMediaId(mediaId)
                                .setRendition(rendition)
                                .setAttempt(attempt)
                                .setWorkerId("worker-7")
                                .setFailureReason(
                                        type == EventType.TRANSCODE_FAILED
                                                ? "ffmpeg exited 137"
                                                : null)
                                .setDurationMs(
                                        type == EventType.TRANSCODE_COMPLETED ? 95_000L : null));
    }

    public static MediaRecord record(
            String id, EventType type, long time, Consumer<MediaEvent.Builder> fill) {
        MediaEvent.Builder media = MediaEvent.newBuilder().setMediaId("unset");
        fill.accept(media);
        Envelope event =
                Envelope.newBuilder()
                        .setEventId(id)
                        .setEventType(type)
                        .setDomain(Domain.MEDIA)
                        .setEventTime(Instant.ofEpochMilli(time))
                        .setIngestTime(Instant.ofEpochMilli(time))
                        .setProducer("test")
                        .setOrigin(new Origin(Topics.EVENTS_MEDIA, 0, time))
                        .setPayload(media.build())
                        .build();
        RawRecord raw =
                new RawRecord(
                        Topics.EVENTS_MEDIA,
                        0,
                        time,
                        time,
                        null,
                        ("raw " + id).getBytes(StandardCharsets.UTF_8));
        return new MediaRecord(raw, event);
    }
}
