package io.tributary.media.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.media.upload.UploadAssembly.Chunk;
import io.tributary.media.upload.UploadAssembly.ChunkVerdict;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UploadAssemblyTest {
    private static final Chunk C0 = new Chunk(0, 100, "aa");
    private static final Chunk C1 = new Chunk(1, 50, "bb");

    @Test
    void aResentChunkIsADuplicateAndADifferentOneAConflict() {
        assertThat(UploadAssembly.onChunk(null, C0)).isEqualTo(ChunkVerdict.NEW);
        assertThat(UploadAssembly.onChunk(C0, new Chunk(0, 100, "aa")))
                .isEqualTo(ChunkVerdict.DUPLICATE);
        assertThat(UploadAssembly.onChunk(C0, new Chunk(0, 100, "ab")))
                .isEqualTo(ChunkVerdict.CONFLICT);
        assertThat(UploadAssembly.onChunk(C0, new Chunk(0, 99, "aa")))
                .isEqualTo(ChunkVerdict.CONFLICT);
        assertThat(UploadAssembly.conflict(C0, new Chunk(0, 99, "ab")))
                .isEqualTo(
                        "chunk 0 arrived twice with different content (100 bytes, checksum aa then 99 bytes, checksum ab)");
    }

    @Test
    void theUploadChecksumHashesTheChunkChecksumsInOrder() throws Exception {
        String expected =
                HexFormat.of()
                        .formatHex(
                                MessageDigest.getInstance("SHA-256")
                                        .digest("aabb".getBytes(StandardCharsets.US_ASCII)));
        assertThat(UploadAssembly.checksum(2, Map.of(1, C1, 0, C0))).isEqualTo(expected);
    }

    @Test
    void completeChunksThatAgreeWithTheDeclarationHaveNoProblems() {
        String checksum = UploadAssembly.checksum(2, Map.of(0, C0, 1, C1));
        assertThat(UploadAssembly.problems(2, Map.of(0, C0, 1, C1), 150, checksum)).isEmpty();
        assertThat(UploadAssembly.problems(2, Map.of(0, C0, 1, C1), 150, null))
                .as("checksum is optional")
                .isEmpty();
    }

    @Test
    void problemsNameMissingChunksSizesAndChecksums() {
        assertThat(UploadAssembly.problems(2, Map.of(0, C0), 150, null))
                .containsExactly("missing chunks 1 of 2");
        assertThat(UploadAssembly.problems(2, Map.of(0, C0, 1, C1), 151, "00"))
                .containsExactly(
                        "declared 151 bytes but the chunks hold 150",
                        "declared checksum 00 does not match the chunks' "
                                + UploadAssembly.checksum(2, Map.of(0, C0, 1, C1)));
    }

    @Test
    void missingChunksAreDescribedAsRuns() {
        assertThat(UploadAssembly.describe(List.of(3))).isEqualTo("3");
        assertThat(UploadAssembly.describe(List.of(3, 4))).isEqualTo("3, 4");
        assertThat(UploadAssembly.describe(List.of(3, 4, 5, 9, 11, 12, 13)))
                .isEqualTo("3-5, 9, 11-13");
        assertThat(UploadAssembly.missing(5, Map.of(0, C0, 1, C1))).containsExactly(2, 3, 4);
    }
}
