package io.tributary.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend.PriorityQueueStateType;
import org.apache.flink.contrib.streaming.state.RocksDBConfigurableOptions;
import org.apache.flink.contrib.streaming.state.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class RuntimeOptionsTest {

    @Command(name = "job")
    static final class Job {
        @Mixin RuntimeOptions runtime;
    }

    private static Configuration configured(String... args) {
        Job job = new Job();
        new CommandLine(job).parseArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.runtime.configure(env);
        return (Configuration) env.getConfiguration();
    }

    @Test
    void rocksDbWithIncrementalCheckpointsAndTimersOnTheHeapByDefault() {
        Configuration config = configured();

        assertThat(config.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(config.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(config.get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(PriorityQueueStateType.HEAP);
        assertThat(config.get(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE))
                .isEqualTo(MemorySize.ofMebiBytes(8));
    }

    @Test
    void rocksDbWriteBufferFromTheCommandLine() {
        assertThat(
                        configured("--rocksdb-write-buffer", "32mb")
                                .get(RocksDBConfigurableOptions.WRITE_BUFFER_SIZE))
                .isEqualTo(MemorySize.ofMebiBytes(32));
    }

    @Test
    void timersCanStayInRocksDb() {
        Configuration config = configured("--timer-state", "ROCKSDB");

        assertThat(config.get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(PriorityQueueStateType.ROCKSDB);
    }

    @Test
    void heapStateOnRequest() {
        Configuration config = configured("--state-backend", "HASHMAP");

        assertThat(config.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
    }

    @Test
    void exactlyOnceProfileKeepsFlinksBufferTimeoutAndWatermarkInterval() {
        Job job = parsed();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.runtime.configure(env);

        assertThat(job.runtime.lowLatency()).isFalse();
        assertThat(env.getBufferTimeout()).isEqualTo(100);
        assertThat(env.getConfig().getAutoWatermarkInterval()).isEqualTo(200);
        assertThat(job.runtime.transactionalProducer().getProperty("linger.ms")).isEqualTo("20");
    }

    @Test
    void lowLatencyProfileSendsRecordsAndWatermarksSooner() {
        Job job = parsed("--profile", "low-latency");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job.runtime.configure(env);

        assertThat(job.runtime.lowLatency()).isTrue();
        assertThat(env.getBufferTimeout()).isEqualTo(RuntimeOptions.LOW_LATENCY_BUFFER_TIMEOUT_MS);
        assertThat(env.getConfig().getAutoWatermarkInterval())
                .isEqualTo(RuntimeOptions.LOW_LATENCY_WATERMARK_INTERVAL_MS);
        assertThat(job.runtime.transactionalProducer().getProperty("linger.ms")).isEqualTo("2");
    }

    @Test
    void anUnknownProfileIsRefusedWithTheChoices() {
        Job job = new Job();
        CommandLine line = new CommandLine(job);
        java.io.StringWriter err = new java.io.StringWriter();
        line.setErr(new java.io.PrintWriter(err));

        int exit = line.execute("--profile", "fastest");

        assertThat(exit).isNotZero();
        assertThat(err.toString())
                .contains("'fastest' is not a profile: expected exactly-once or low-latency");
    }

    @Test
    void changelogStateBackendWithItsStorage() {
        Configuration config = configured("--changelog", "--changelog-dir", "file:///tmp/changes");

        assertThat(config.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)).isTrue();
        assertThat(config.get(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE))
                .isEqualTo("filesystem");
        assertThat(config.getString(RuntimeOptions.CHANGELOG_BASE_PATH, null))
                .isEqualTo("file:///tmp/changes");
        assertThat(configured().get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG)).isFalse();
    }

    private static Job parsed(String... args) {
        Job job = new Job();
        new CommandLine(job).parseArgs(args);
        return job;
    }
}
