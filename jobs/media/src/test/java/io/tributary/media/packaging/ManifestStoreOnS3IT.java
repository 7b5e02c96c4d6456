package io.tributary.media.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.testkit.flink.FlinkFileSystems;
import io.tributary.testkit.junit.RealS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Manifests on a real S3 API (s3proxy through Flink's s3:// file system). A replay after a failure
 * writes the manifests of a media item again; S3A refuses to rename onto an existing object, which
 * once failed the media job after an injected failure until it gave up.
 */
class ManifestStoreOnS3IT {
    @RegisterExtension static final RealS3 S3 = new RealS3();

    @Test
    void aReplayedWriteReplacesTheManifestAndLeavesNoTemporaryObject() throws Exception {
        S3.server().createBucket("replay");
        FlinkFileSystems.useS3(S3.server());
        ManifestStore store = new ManifestStore("s3://replay/packages");

        store.write("m-1/500k/index.m3u8", "#EXTM3U\nfirst\n");
        store.write("m-1/500k/index.m3u8", "#EXTM3U\nreplayed\n");
        store.write("m-1/master.m3u8", "#EXTM3U\n");

        Path local = FlinkFileSystems.copyToLocal("s3://replay/packages");
        assertThat(Files.readString(local.resolve("m-1/500k/index.m3u8")))
                .isEqualTo("#EXTM3U\nreplayed\n");
        try (Stream<Path> files = Files.walk(local)) {
            assertThat(files.filter(Files::isRegularFile).map(f -> local.relativize(f).toString()))
                    .containsExactlyInAnyOrder("m-1/500k/index.m3u8", "m-1/master.m3u8");
        }
    }
}
