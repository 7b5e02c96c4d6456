package io.tributary.media.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestStoreTest {
    @TempDir Path origin;

    @Test
    void writesUnderTheBaseAndARewriteLeavesOneWholeFileAndNoTemporaryOne() throws Exception {
        ManifestStore store =
                new ManifestStore(origin.toUri().toString()); // a directory URI ends with /

        store.write("title-1/master.m3u8", "#EXTM3U\nfirst\n");
        store.write("title-1/master.m3u8", "#EXTM3U\nreplayed\n");
        store.write("title-1/2000k/index.m3u8", "#EXTM3U\n");

        assertThat(Files.readString(origin.resolve("title-1/master.m3u8")))
                .isEqualTo("#EXTM3U\nreplayed\n");
        assertThat(Files.readString(origin.resolve("title-1/2000k/index.m3u8")))
                .isEqualTo("#EXTM3U\n");
        try (Stream<Path> files = Files.walk(origin)) {
            assertThat(files.filter(Files::isRegularFile).map(f -> origin.relativize(f).toString()))
                    .containsExactlyInAnyOrder("title-1/master.m3u8", "title-1/2000k/index.m3u8");
        }
        assertThat(store.uri("title-1/master.m3u8"))
                .isEqualTo(origin.toUri() + "title-1/master.m3u8");
    }
}
