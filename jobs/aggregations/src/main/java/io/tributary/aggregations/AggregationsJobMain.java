package io.tributary.aggregations;

import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.Preflight;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code flink run tributary-aggregations-job.jar --bootstrap-servers ... --registry-url ...}
 *
 * <p>Exceptions leave {@code main} untouched and nothing calls {@code System.exit}: Flink's clients
 * extract the job graph by letting {@code execute()} throw out of {@code main}.
 */
public final class AggregationsJobMain {
    private AggregationsJobMain() {}

    public static void main(String[] args) throws Exception {
        AggregationsOptions options = parse(args);
        if (options != null) {
            Preflight.check(options.runtime, options.kafka);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            options.runtime.configure(env);
            buildOnKafka(env, options);
            env.execute("tributary aggregations");
        }
    }

    /** The parsed options, or null when help or the version was asked for and printed. */
    static AggregationsOptions parse(String[] args) {
        return JobCommandLine.parse(new AggregationsOptions(), args);
    }

    /** The aggregations job between the Kafka topics the options name. */
    public static void buildOnKafka(StreamExecutionEnvironment env, AggregationsOptions options) {
        AggregationsJob.build(
                AggregationsJob.readCanonical(
                        env,
                        AggregationsJob.kafkaSource(
                                options.kafka.connection(),
                                options.inputTopics,
                                options.groupId,
                                options.kafka.registry(),
                                options.canonical.maxFutureSkew,
                                options.runtime.bounded),
                        options.settings()),
                options.settings(),
                AggregationsJob.kafkaSinks(
                        options.kafka.connection(),
                        options.kafka.registry(),
                        options.topics(),
                        options.transactionalIdPrefix,
                        options.runtime.transactionalProducer()));
    }
}
