package io.tributary.media.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tributary.media.transcode.Ladder;
import io.tributary.testkit.infra.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ManifestsTest {
    private static final Ladder LADDER = Ladder.DEFAULT;

    @Test
    void hlsAndDashManifestsParseAndReferenceEveryRenditionOnce() throws Exception {
        Path dir = TempDirs.create("manifests");
        ManifestStore store = new ManifestStore(dir.toUri().toString());
        for (Ladder.Rung rung : LADDER.rungs()) {
            store.write("m1/" + rung.name() + "/index.m3u8", Manifests.hlsMedia(95_500, 6_000));
        }
        store.write("m1/master.m3u8", Manifests.hlsMaster(LADDER));
        store.write("m1/manifest.mpd", Manifests.dashMpd(LADDER, 95_500, 6_000));

        ParsedManifests parsed = ParsedManifests.read(dir.resolve("m1"));
        assertThat(parsed.hlsRenditions()).containsExactly("500k", "1000k", "2000k", "4000k");
        assertThat(parsed.hlsSecondsPerRendition().values())
                .allSatisfy(s -> assertThat(s).isCloseTo(95.5, within(0.001)));
        assertThat(parsed.dashRenditions()).containsExactly("500k", "1000k", "2000k", "4000k");
        assertThat(parsed.dashDuration()).isEqualTo(Duration.ofMillis(95_500));
        assertThat(parsed.dashSegmentMs()).isEqualTo(6_000);
        try (var files = Files.list(dir.resolve("m1"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("no temporary file left")
                    .containsExactlyInAnyOrder(
                            "master.m3u8", "manifest.mpd", "500k", "1000k", "2000k", "4000k");
        }
    }

    @Test
    void segmentsAreFullLengthButTheLast() {
        assertThat(Manifests.segmentCount(12_000, 6_000)).isEqualTo(2);
        assertThat(Manifests.segmentCount(12_001, 6_000)).isEqualTo(3);
        assertThat(Manifests.hlsMedia(13_000, 6_000))
                .contains(
                        "#EXT-X-TARGETDURATION:6\n",
                        "#EXTINF:6.000,\nsegment-00000.ts\n",
                        "#EXTINF:1.000,\nsegment-00002.ts\n#EXT-X-ENDLIST\n");
        assertThat(Manifests.hlsMaster(Ladder.parse("2000k")))
                .contains(
                        "#EXT-X-STREAM-INF:BANDWIDTH=2128000,RESOLUTION=1280x720,CODECS=\"avc1.4d401f,mp4a.40.2\"\n2000k/index.m3u8\n");
    }

    @Test
    void writingAgainLeavesTheSameFile() throws Exception {
        Path dir = TempDirs.create("manifests");
        ManifestStore store = new ManifestStore(dir.toUri().toString());
        store.write("m2/master.m3u8", Manifests.hlsMaster(LADDER));
        store.write("m2/master.m3u8", Manifests.hlsMaster(LADDER));
        assertThat(Files.readString(dir.resolve("m2/master.m3u8")))
                .isEqualTo(Manifests.hlsMaster(LADDER));
        try (var files = Files.list(dir.resolve("m2"))) {
            assertThat(files).hasSize(1);
        }
    }
}
