package io.tributary.demo;

import io.tributary.jobs.RuntimeOptions;
import io.tributary.launcher.SuiteJob;
import io.tributary.testkit.flink.EmbeddedSuiteCluster;
import java.nio.file.Path;
import java.util.List;

/** The demo's jobs on an embedded Flink in this JVM, each built with its own runtime options. */
final class DemoCluster implements DemoFlink {
    /** Ingest, aggregations, CEP, media, warehouse, lake and search. */
    private static final int JOBS = 7;

    private final EmbeddedSuiteCluster cluster;

    private DemoCluster(EmbeddedSuiteCluster cluster) {
        this.cluster = cluster;
    }

    static DemoCluster start(Path workDir, int restPort) throws Exception {
        return new DemoCluster(EmbeddedSuiteCluster.start(workDir, JOBS, restPort));
    }

    @Override
    public int restPort() {
        return cluster.restPort();
    }

    @Override
    public void submit(
            SuiteJob job,
            String name,
            List<String> args,
            RuntimeOptions runtime,
            JobBuilder builder)
            throws Exception {
        cluster.submit(
                name,
                env -> {
                    runtime.configure(env);
                    builder.build(env);
                });
    }

    @Override
    public String stoppedJob() throws Exception {
        return cluster.stoppedJob();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
