package io.tributary.media.packaging;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemKind;
import org.apache.flink.core.fs.Path;

/**
 * Writes manifests under a base URI on any Flink file system (local, {@code s3://}). A manifest's
 * content depends only on its media item, so writing it again after a replay leaves the same file:
 * together with the PACKAGED event committed only with the checkpoint, that is exactly once in
 * effect. Readers never see half a manifest: on an object store (S3) an object appears whole when
 * its upload completes, so it is written in place; on a file system it is written to a temporary
 * name and renamed over the old one.
 */
public final class ManifestStore implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String baseUri;

    public ManifestStore(String baseUri) {
        this.baseUri = baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri;
    }

    /** The URI of {@code relative} under the base. */
    public String uri(String relative) {
        return baseUri + "/" + relative;
    }

    public void write(String relative, String content) throws IOException {
        Path target = new Path(uri(relative));
        FileSystem fs = target.getFileSystem();
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (fs.getKind() == FileSystemKind.OBJECT_STORE) {
            // A rename there is a copy that refuses an existing target (S3A), which every replay
            // meets.
            try (OutputStream out = fs.create(target, FileSystem.WriteMode.OVERWRITE)) {
                out.write(bytes);
            }
            return;
        }
        Path temporary =
                new Path(
                        target.getParent(),
                        "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try (OutputStream out = fs.create(temporary, FileSystem.WriteMode.OVERWRITE)) {
            out.write(bytes);
        }
        if (!fs.rename(temporary, target)) {
            fs.delete(target, false);
            if (!fs.rename(temporary, target)) {
                fs.delete(temporary, false);
                throw new IOException("could not move " + temporary + " to " + target);
            }
        }
    }
}
