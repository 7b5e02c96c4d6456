package io.tributary.testkit.flink;

import io.tributary.testkit.infra.S3Server;
import io.tributary.testkit.infra.TempDirs;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;

/**
 * Flink file systems in tests: {@code s3://} on a real S3 server, and reading back what a job
 * wrote.
 */
public final class FlinkFileSystems {
    private FlinkFileSystems() {}

    /**
     * Points this JVM's {@code s3://} file system (flink-s3-fs-hadoop on the test classpath) at
     * {@code server}. A MiniCluster's task managers share the JVM's file systems.
     */
    public static void useS3(S3Server server) {
        Configuration config = new Configuration();
        server.flinkOptions().forEach(config::setString);
        FileSystem.initialize(config, null);
    }

    /** Copies every file under {@code uri} into a new local directory, keeping relative paths. */
    public static Path copyToLocal(String uri) throws Exception {
        Path local = TempDirs.create("fs-copy");
        org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(uri);
        FileSystem fs = root.getFileSystem();
        List<org.apache.flink.core.fs.Path> pending = new ArrayList<>(List.of(root));
        while (!pending.isEmpty()) {
            for (FileStatus status : fs.listStatus(pending.remove(0))) {
                if (status.isDir()) {
                    pending.add(status.getPath());
                    continue;
                }
                String relative = root.toUri().relativize(status.getPath().toUri()).getPath();
                Path target = local.resolve(relative);
                Files.createDirectories(target.getParent());
                try (InputStream in = fs.open(status.getPath())) {
                    Files.copy(in, target);
                }
            }
        }
        return local;
    }
}
