package io.tributary.media.upload;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rules of a chunked, resumable upload, free of Flink. A client sends chunks in any order and
 * may resend any of them (a retry after a lost acknowledgement), then declares the upload complete
 * with its total size and checksum. The upload is assembled when every chunk is present and the
 * declaration agrees with them.
 *
 * <p>The upload checksum is the SHA-256 (hex) of the chunks' SHA-256 hex strings concatenated in
 * chunk order, the way S3 derives a multipart ETag from its parts: the pipeline can verify it
 * without the bytes, which never pass through Kafka.
 */
public final class UploadAssembly {
    private UploadAssembly() {}

    /** One chunk as its event describes it. */
    public record Chunk(int index, long bytes, String checksum) {}

    /** What to do with an arriving chunk, given the chunk already stored at its index (or null). */
    public enum ChunkVerdict {
        NEW,
        DUPLICATE,
        CONFLICT
    }

    public static ChunkVerdict onChunk(Chunk stored, Chunk arriving) {
        if (stored == null) {
            return ChunkVerdict.NEW;
        }
        return stored.bytes() == arriving.bytes()
                        && Objects.equals(stored.checksum(), arriving.checksum())
                ? ChunkVerdict.DUPLICATE
                : ChunkVerdict.CONFLICT;
    }

    /** Why a chunk conflicts with the one already received at its index. */
    public static String conflict(Chunk stored, Chunk arriving) {
        return "chunk "
                + arriving.index()
                + " arrived twice with different content ("
                + stored.bytes()
                + " bytes, checksum "
                + stored.checksum()
                + " then "
                + arriving.bytes()
                + " bytes, checksum "
                + arriving.checksum()
                + ")";
    }

    /** The verdict on an upload once the client declared it complete; empty when assembled. */
    public static List<String> problems(
            int chunkCount,
            Map<Integer, Chunk> chunks,
            long declaredBytes,
            String declaredChecksum) {
        List<String> problems = new ArrayList<>();
        List<Integer> missing = missing(chunkCount, chunks);
        if (!missing.isEmpty()) {
            problems.add("missing chunks " + describe(missing) + " of " + chunkCount);
            return problems;
        }
        long bytes = totalBytes(chunks);
        if (bytes != declaredBytes) {
            problems.add("declared " + declaredBytes + " bytes but the chunks hold " + bytes);
        }
        if (declaredChecksum != null
                && !declaredChecksum.equalsIgnoreCase(checksum(chunkCount, chunks))) {
            problems.add(
                    "declared checksum "
                            + declaredChecksum
                            + " does not match the chunks' "
                            + checksum(chunkCount, chunks));
        }
        return problems;
    }

    public static List<Integer> missing(int chunkCount, Map<Integer, Chunk> chunks) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < chunkCount; i++) {
            if (!chunks.containsKey(i)) {
                missing.add(i);
            }
        }
        return missing;
    }

    public static long totalBytes(Map<Integer, Chunk> chunks) {
        return chunks.values().stream().mapToLong(Chunk::bytes).sum();
    }

    /** The upload checksum of complete chunks (see the class comment). */
    public static String checksum(int chunkCount, Map<Integer, Chunk> chunks) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        for (int i = 0; i < chunkCount; i++) {
            String part = chunks.get(i).checksum();
            sha.update(
                    (part == null ? "" : part.toLowerCase()).getBytes(StandardCharsets.US_ASCII));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** "3, 7" or, for long runs, "3-9, 12". */
    static String describe(List<Integer> indices) {
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < indices.size()) {
            int start = indices.get(i);
            int end = start;
            while (i + 1 < indices.size() && indices.get(i + 1) == end + 1) {
                end = indices.get(++i);
            }
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(
                    end > start + 1
                            ? start + "-" + end
                            : end == start + 1 ? start + ", " + end : String.valueOf(start));
            i++;
        }
        return text.toString();
    }
}
