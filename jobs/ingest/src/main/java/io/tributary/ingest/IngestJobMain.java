package io.tributary.ingest;

import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** {@code flink run tributary-ingest-job.jar --bootstrap-servers ... --registry-url ...} */
public final class IngestJobMain implements Callable<Integer> {
    @Mixin IngestOptions options;

    public static void main(String[] args) {
        int exit = new CommandLine(new IngestJobMain()).execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public Integer call() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.configure(env);
        IngestJob.build(
                IngestJob.readRaw(
                        env,
                        IngestJob.kafkaSource(
                                options.bootstrapServers, options.rawTopics, options.groupId, options.bounded)),
                options.settings(),
                IngestJob.kafkaSinks(
                        options.bootstrapServers,
                        options.registryUrl,
                        options.topics(),
                        options.transactionalIdPrefix,
                        options.transactionTimeout));
        env.execute("tributary ingest");
        return 0;
    }
}
