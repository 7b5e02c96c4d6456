package io.tributary.media.upload;

/** A received chunk in Flink state (a POJO). */
public class StoredChunk {
    public long bytes;
    public String checksum;

    public StoredChunk() {}

    StoredChunk(UploadAssembly.Chunk chunk) {
        this.bytes = chunk.bytes();
        this.checksum = chunk.checksum();
    }

    UploadAssembly.Chunk toChunk(int index) {
        return new UploadAssembly.Chunk(index, bytes, checksum);
    }
}
