package io.tributary.demo;

import io.tributary.jobs.RuntimeOptions;
import io.tributary.launcher.SuiteJob;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Where the demo runs the suite: an embedded Flink, or a standalone cluster of separate JVMs. */
interface DemoFlink extends AutoCloseable {
    int restPort();

    /**
     * Submits one job of the suite with its command-line arguments. An embedded Flink builds the
     * job in this JVM with {@code builder}; a standalone cluster runs the job's jar with {@code
     * args}, as an operator would.
     */
    void submit(
            SuiteJob job,
            String name,
            List<String> args,
            RuntimeOptions runtime,
            JobBuilder builder)
            throws Exception;

    /** The first job that stopped on its own (failed or finished), if any. */
    String stoppedJob() throws Exception;

    @FunctionalInterface
    interface JobBuilder {
        void build(StreamExecutionEnvironment env) throws Exception;
    }
}
