package io.tributary.demo;

import io.tributary.jobs.RuntimeOptions;
import io.tributary.launcher.FlinkRest;
import io.tributary.launcher.SuiteJob;
import io.tributary.testkit.infra.FlinkCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo on a real standalone session cluster (a JobManager and a TaskManager JVM started from
 * Maven jars): every job is its shaded jar, uploaded and run over the REST API with its arguments,
 * exactly as {@code bin/tributary cluster submit} does it.
 */
final class StandaloneDemoCluster implements DemoFlink {
    /** Two per job, as in the embedded cluster; RocksDB gets 128 MiB of managed memory per slot. */
    private static final FlinkCluster.TaskManagerSize SIZE =
            new FlinkCluster.TaskManagerSize(14, 2048, 128 * 14, 256);

    private final FlinkCluster cluster;
    private final FlinkRest rest;
    private final Path jars;
    private final List<String> jobIds = new ArrayList<>();

    private StandaloneDemoCluster(FlinkCluster cluster, Path jars) {
        this.cluster = cluster;
        this.rest = new FlinkRest(cluster.restUrl());
        this.jars = jars;
    }

    static StandaloneDemoCluster start(int restPort, Path jars) {
        return new StandaloneDemoCluster(FlinkCluster.start(SIZE, restPort), jars);
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
            JobBuilder builder) {
        String jarId = rest.upload(job.jarIn(jars));
        try {
            jobIds.add(rest.run(jarId, new FlinkRest.Run(args, null, null, false)));
        } finally {
            rest.deleteJar(jarId);
        }
    }

    @Override
    public String stoppedJob() {
        for (FlinkRest.Job job : rest.jobs()) {
            if (jobIds.contains(job.id())
                    && List.of("FAILED", "CANCELED", "FINISHED").contains(job.state())) {
                return job.name() + " (" + job.id() + ") is " + job.state();
            }
        }
        return null;
    }

    @Override
    public void close() {
        cluster.close();
    }
}
