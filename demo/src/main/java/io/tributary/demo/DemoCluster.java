package io.tributary.demo;

import io.tributary.jobs.RuntimeOptions;
import io.tributary.launcher.SuiteJob;
import io.tributary.testkit.flink.FlinkTestClusters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * An embedded Flink that the demo's jobs are submitted to one by one, as they would be to a
 * standalone cluster: each job keeps its own checkpoints, uids and restarts, and the web UI lists
 * them side by side. The cluster runs in this JVM, so jobs need no jar.
 */
final class DemoCluster implements DemoFlink {
    /** Two per job: every job runs at parallelism 2 and shares slots between its own operators. */
    private static final int SLOTS = 14;

    private final MiniCluster cluster;
    private final int restPort;
    private final List<JobClient> jobs = new ArrayList<>();

    private DemoCluster(MiniCluster cluster, int restPort) {
        this.cluster = cluster;
        this.restPort = restPort;
    }

    static DemoCluster start(Path workDir, int restPort) throws Exception {
        Configuration config = FlinkTestClusters.rocksDbWithCheckpoints(workDir);
        config.set(RestOptions.PORT, restPort);
        // Seven jobs at parallelism 2 share one task manager. Managed memory is split per slot, and
        // a
        // slot's RocksDB memtables live in it: at 32 MiB per slot the window operators stalled in
        // RocksDB.put waiting for flushes, and event time stood still.
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(128L * SLOTS));
        config.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(256));
        config.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(256));
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(SLOTS)
                                .build());
        cluster.start();
        return new DemoCluster(cluster, cluster.getRestAddress().get().getPort());
    }

    @Override
    public int restPort() {
        return restPort;
    }

    /** Builds the job on a fresh environment with the job's own runtime options, and submits it. */
    @Override
    public void submit(
            SuiteJob job,
            String name,
            List<String> args,
            RuntimeOptions runtime,
            JobBuilder builder)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment("localhost", restPort);
        runtime.configure(env);
        builder.build(env);
        jobs.add(env.executeAsync(name));
    }

    @Override
    public String stoppedJob() throws ExecutionException, InterruptedException {
        for (JobClient job : jobs) {
            if (job.getJobStatus().get().isTerminalState()) {
                return job.getJobID() + " is " + job.getJobStatus().get();
            }
        }
        return null;
    }

    @Override
    public void close() throws Exception {
        for (JobClient job : jobs) {
            if (!job.getJobStatus().get().isTerminalState()) {
                job.cancel().get();
            }
        }
        cluster.close();
    }
}
