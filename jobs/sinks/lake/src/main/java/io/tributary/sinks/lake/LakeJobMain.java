package io.tributary.sinks.lake;

import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.Preflight;
import io.tributary.jobs.kafka.RawInput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code flink run tributary-sinks-lake-job.jar --bootstrap-servers ... --registry-url ...
 * --lake-path s3://lake/tributary}
 */
public final class LakeJobMain {
    private LakeJobMain() {}

    public static void main(String[] args) throws Exception {
        LakeOptions options = JobCommandLine.parse(new LakeOptions(), args);
        if (options == null) {
            return;
        }
        Preflight.check(options.runtime, options.kafka);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.runtime.configure(env);
        buildOnKafka(env, options);
        env.execute("tributary sinks: lake");
    }

    public static void buildOnKafka(StreamExecutionEnvironment env, LakeOptions options) {
        LakeJob.build(
                env.fromSource(
                                RawInput.source(
                                        options.kafka.connection(),
                                        options.inputTopics(),
                                        options.groupId,
                                        options.runtime.bounded),
                                WatermarkStrategy.noWatermarks(),
                                "lake topics")
                        .uid("lake-source"),
                options.eventTopics,
                options.deadLetterTopics,
                options.kafka.registry(),
                ParquetLake.of(options));
    }
}
