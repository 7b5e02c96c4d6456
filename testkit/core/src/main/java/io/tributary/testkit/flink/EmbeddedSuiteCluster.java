package io.tributary.testkit.flink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * An embedded Flink that several jobs of the suite are submitted to one by one, as they would be to
 * a standalone cluster: each job keeps its own checkpoints, uids, restarts and options, and the web
 * UI lists them side by side. It runs in this JVM, so jobs need no jar. The demo and the latency
 * benchmark run the suite on it.
 */
public final class EmbeddedSuiteCluster implements AutoCloseable {
    private final MiniCluster cluster;
    private final int restPort;
    private final List<JobClient> jobs = new ArrayList<>();

    /** Configures an environment (the job's runtime options) and builds the job on it. */
    @FunctionalInterface
    public interface JobBuilder {
        void build(StreamExecutionEnvironment env) throws Exception;
    }

    private EmbeddedSuiteCluster(MiniCluster cluster) throws Exception {
        this.cluster = cluster;
        this.restPort = cluster.getRestAddress().get().getPort();
    }

    /**
     * One task manager with two slots per job: every job runs at parallelism 2 and shares slots
     * between its own operators.
     *
     * @param restPort the web UI's port; 0 for any free one
     */
    public static EmbeddedSuiteCluster start(Path workDir, int jobs, int restPort)
            throws Exception {
        int slots = jobs * FlinkTestClusters.PARALLELISM;
        Configuration config = FlinkTestClusters.rocksDbWithCheckpoints(workDir);
        config.set(RestOptions.PORT, restPort);
        // Managed memory is split per slot, and a slot's RocksDB memtables live in it: at 32 MiB
        // per
        // slot the window operators stalled in RocksDB.put waiting for flushes, and event time
        // stood still.
        config.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(128L * slots));
        config.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.ofMebiBytes(256));
        config.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.ofMebiBytes(256));
        // Where jobs that turn on the changelog state backend write their state changes.
        config.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
        config.setString(
                "state.changelog.dstl.dfs.base-path",
                workDir.resolve("changelog").toUri().toString());
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        return new EmbeddedSuiteCluster(cluster);
    }

    public int restPort() {
        return restPort;
    }

    /** Builds the job on a fresh environment and submits it under {@code name}. */
    public JobClient submit(String name, JobBuilder builder) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment("localhost", restPort);
        builder.build(env);
        JobClient job = env.executeAsync(name);
        jobs.add(job);
        return job;
    }

    /** The first job that stopped on its own (failed or finished), or null while all run. */
    public String stoppedJob() throws Exception {
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
