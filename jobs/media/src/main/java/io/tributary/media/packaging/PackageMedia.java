package io.tributary.media.packaging;

import io.tributary.media.job.PipelineEvents;
import io.tributary.media.transcode.Ladder;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.media.MediaEvent;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The packaging and publishing stage: passes on the transcode stage's events, and after each
 * TRANSCODED writes the HLS master and media playlists and the DASH MPD of its ladder with {@link
 * ManifestStore}, emits one PACKAGED event per format with the manifest's URI, then PUBLISHED with
 * the title's playback URL under the CDN base (the package path is the CDN's origin, so once both
 * manifests are written the title is live). Passing everything through keeps an item's TRANSCODED,
 * PACKAGED and PUBLISHED in order on the way to the topic. Stateless: all of it follows from the
 * TRANSCODED event alone.
 */
public final class PackageMedia extends ProcessFunction<Envelope, Envelope> {
    private static final long serialVersionUID = 1L;

    private final Ladder ladder;
    private final long segmentMs;
    private final ManifestStore store;

    private final String cdnBaseUrl;

    public PackageMedia(Ladder ladder, long segmentMs, ManifestStore store, String cdnBaseUrl) {
        this.cdnBaseUrl =
                cdnBaseUrl.endsWith("/")
                        ? cdnBaseUrl.substring(0, cdnBaseUrl.length() - 1)
                        : cdnBaseUrl;
        this.ladder = ladder;
        this.segmentMs = segmentMs;
        this.store = store;
    }

    @Override
    public void processElement(Envelope transcoded, Context ctx, Collector<Envelope> out)
            throws Exception {
        out.collect(transcoded);
        if (transcoded.getEventType() != EventType.TRANSCODED) {
            return;
        }
        MediaEvent media = (MediaEvent) transcoded.getPayload();
        if (media.getDurationMs() == null || media.getDurationMs() <= 0) {
            throw new IllegalStateException(
                    "TRANSCODED "
                            + transcoded.getEventId()
                            + " has no duration; the transcode stage always sets one");
        }
        String dir = media.getMediaId() + "/";
        long duration = media.getDurationMs();
        for (Ladder.Rung rung : ladder.rungs()) {
            store.write(dir + rung.name() + "/index.m3u8", Manifests.hlsMedia(duration, segmentMs));
        }
        store.write(dir + "master.m3u8", Manifests.hlsMaster(ladder));
        store.write(dir + "manifest.mpd", Manifests.dashMpd(ladder, duration, segmentMs));
        long time = transcoded.getEventTime().toEpochMilli();
        for (String format : new String[] {"HLS", "DASH"}) {
            String manifest =
                    store.uri(dir + (format.equals("HLS") ? "master.m3u8" : "manifest.mpd"));
            MediaEvent packaged =
                    MediaEvent.newBuilder()
                            .setMediaId(media.getMediaId())
                            .setUploadId(media.getUploadId())
                            .setDurationMs(duration)
                            .setPackagingFormat(format)
                            .setManifestUri(manifest)
                            .build();
            out.collect(
                    PipelineEvents.derived(EventType.PACKAGED, time, packaged, transcoded, format));
        }
        MediaEvent published =
                MediaEvent.newBuilder()
                        .setMediaId(media.getMediaId())
                        .setUploadId(media.getUploadId())
                        .setDurationMs(duration)
                        .setCdnUrl(cdnBaseUrl + "/" + dir + "master.m3u8")
                        .build();
        out.collect(
                PipelineEvents.derived(EventType.PUBLISHED, time, published, transcoded, "live"));
    }
}
