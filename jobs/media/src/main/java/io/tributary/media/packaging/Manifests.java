package io.tributary.media.packaging;

import io.tributary.media.transcode.Ladder;
import java.time.Duration;
import java.util.Locale;

/**
 * HLS and DASH manifests of a transcoded media item, as text, free of Flink and I/O. Layout under
 * the item's directory: {@code master.m3u8}, {@code <rendition>/index.m3u8} with {@code
 * <rendition>/segment-NNNNN.ts}, and {@code manifest.mpd} addressing {@code <rendition>/init.mp4}
 * and {@code <rendition>/segment-NNNNN.m4s} by template. Segments are {@code segmentMs} long except
 * the last, which holds the remainder.
 */
public final class Manifests {
    private static final int AUDIO_KBPS = 128;

    private Manifests() {}

    /** Frame size and codec profile of a rung, by its bitrate. */
    record Video(int width, int height, String codec) {
        static Video of(int kbps) {
            if (kbps < 800) {
                return new Video(640, 360, "avc1.4d401e");
            } else if (kbps < 1500) {
                return new Video(854, 480, "avc1.4d401f");
            } else if (kbps < 3000) {
                return new Video(1280, 720, "avc1.4d401f");
            }
            return new Video(1920, 1080, "avc1.640028");
        }
    }

    public static int segmentCount(long durationMs, long segmentMs) {
        return (int) Math.max(1, (durationMs + segmentMs - 1) / segmentMs);
    }

    public static String hlsMaster(Ladder ladder) {
        StringBuilder m3u8 =
                new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (Ladder.Rung rung : ladder.rungs()) {
            Video video = Video.of(rung.kbps());
            m3u8.append("#EXT-X-STREAM-INF:BANDWIDTH=")
                    .append((rung.kbps() + AUDIO_KBPS) * 1000)
                    .append(",RESOLUTION=")
                    .append(video.width())
                    .append('x')
                    .append(video.height())
                    .append(",CODECS=\"")
                    .append(video.codec())
                    .append(",mp4a.40.2\"\n")
                    .append(rung.name())
                    .append("/index.m3u8\n");
        }
        return m3u8.toString();
    }

    public static String hlsMedia(long durationMs, long segmentMs) {
        int segments = segmentCount(durationMs, segmentMs);
        StringBuilder m3u8 =
                new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n")
                        .append("#EXT-X-TARGETDURATION:")
                        .append((segmentMs + 999) / 1000)
                        .append('\n')
                        .append("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
        for (int i = 0; i < segments; i++) {
            long length = i < segments - 1 ? segmentMs : durationMs - segmentMs * (segments - 1);
            m3u8.append(String.format(Locale.ROOT, "#EXTINF:%.3f,%n", length / 1000.0))
                    .append(segmentName(i, "ts"))
                    .append('\n');
        }
        return m3u8.append("#EXT-X-ENDLIST\n").toString();
    }

    public static String dashMpd(Ladder ladder, long durationMs, long segmentMs) {
        StringBuilder mpd =
                new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                        .append(
                                "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"")
                        .append(" type=\"static\" mediaPresentationDuration=\"")
                        .append(Duration.ofMillis(durationMs))
                        .append("\" minBufferTime=\"PT2S\">\n")
                        .append("  <Period id=\"0\" start=\"PT0S\">\n")
                        .append(
                                "    <AdaptationSet id=\"0\" contentType=\"video\" mimeType=\"video/mp4\" segmentAlignment=\"true\" startWithSAP=\"1\">\n")
                        .append("      <SegmentTemplate timescale=\"1000\" duration=\"")
                        .append(segmentMs)
                        .append(
                                "\" startNumber=\"0\" initialization=\"$RepresentationID$/init.mp4\"")
                        .append(" media=\"$RepresentationID$/segment-$Number%05d$.m4s\"/>\n");
        for (Ladder.Rung rung : ladder.rungs()) {
            Video video = Video.of(rung.kbps());
            mpd.append("      <Representation id=\"")
                    .append(rung.name())
                    .append("\" bandwidth=\"")
                    .append(rung.kbps() * 1000)
                    .append("\" codecs=\"")
                    .append(video.codec())
                    .append("\" width=\"")
                    .append(video.width())
                    .append("\" height=\"")
                    .append(video.height())
                    .append("\"/>\n");
        }
        return mpd.append("    </AdaptationSet>\n  </Period>\n</MPD>\n").toString();
    }

    static String segmentName(int index, String extension) {
        return String.format(Locale.ROOT, "segment-%05d.%s", index, extension);
    }
}
