package io.tributary.media.packaging;

import io.lindstrom.m3u8.model.MasterPlaylist;
import io.lindstrom.m3u8.model.MediaPlaylist;
import io.lindstrom.m3u8.model.MediaSegment;
import io.lindstrom.m3u8.model.Variant;
import io.lindstrom.m3u8.parser.MasterPlaylistParser;
import io.lindstrom.m3u8.parser.MediaPlaylistParser;
import io.lindstrom.m3u8.parser.ParsingMode;
import io.lindstrom.mpd.MPDParser;
import io.lindstrom.mpd.data.MPD;
import io.lindstrom.mpd.data.Representation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A packaged item's manifests read back with standard HLS and DASH parsers (strict mode). */
public record ParsedManifests(
        List<String> hlsRenditions,
        Map<String, Double> hlsSecondsPerRendition,
        List<String> dashRenditions,
        java.time.Duration dashDuration,
        long dashSegmentMs) {

    public static ParsedManifests read(Path itemDirectory) throws Exception {
        MasterPlaylist master =
                new MasterPlaylistParser(ParsingMode.STRICT)
                        .readPlaylist(itemDirectory.resolve("master.m3u8"));
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (Variant variant : master.variants()) {
            MediaPlaylist media =
                    new MediaPlaylistParser(ParsingMode.STRICT)
                            .readPlaylist(itemDirectory.resolve(variant.uri()));
            if (media.ongoing()) {
                throw new AssertionError(variant.uri() + " has no #EXT-X-ENDLIST");
            }
            seconds.put(
                    variant.uri().substring(0, variant.uri().indexOf('/')),
                    media.mediaSegments().stream().mapToDouble(MediaSegment::duration).sum());
        }
        MPD mpd = new MPDParser().parse(Files.readString(itemDirectory.resolve("manifest.mpd")));
        var set = mpd.getPeriods().get(0).getAdaptationSets().get(0);
        return new ParsedManifests(
                List.copyOf(seconds.keySet()),
                seconds,
                set.getRepresentations().stream().map(Representation::getId).toList(),
                mpd.getMediaPresentationDuration(),
                set.getSegmentTemplate().getDuration());
    }
}
