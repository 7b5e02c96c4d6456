package io.tributary.media.upload;

/** What the upload stage keeps about one upload besides its chunks (a POJO in Flink state). */
public class UploadHeader {
    public String mediaId;
    public String uploadId;
    public int chunkCount;

    /** Set once the client declared the upload complete. */
    public Long declaredBytes;

    public String declaredChecksum;

    /** Event time of the upload's timeout timer. */
    public long timeoutAt;

    /** Set when the upload was decided (assembled or failed); later events of it are stragglers. */
    public boolean decided;

    public long cleanupAt;

    public UploadHeader() {}
}
