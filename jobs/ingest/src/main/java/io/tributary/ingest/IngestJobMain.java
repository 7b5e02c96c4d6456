package io.tributary.ingest;

import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.Preflight;
import io.tributary.jobs.TimeBudgets;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code flink run tributary-ingest-job.jar --bootstrap-servers ... --registry-url ...}
 *
 * <p>Exceptions leave {@code main} untouched and nothing calls {@code System.exit}: Flink's clients
 * (REST jar submission, application mode on Kubernetes) extract the job graph by letting {@code
 * execute()} throw out of {@code main}, and must see that throw.
 */
public final class IngestJobMain {
    private IngestJobMain() {}

    public static void main(String[] args) throws Exception {
        IngestOptions options = parse(args);
        if (options != null) {
            run(options);
        }
    }

    /** The parsed options, or null when help or the version was asked for and printed. */
    static IngestOptions parse(String[] args) {
        IngestOptions options = JobCommandLine.parse(new IngestOptions(), args);
        if (options != null) {
            TimeBudgets.requireDedupCoversAcceptedAge(
                    options.dedupTtl, options.maxEventAge, options.maxFutureSkew);
        }
        return options;
    }

    static void run(IngestOptions options) throws Exception {
        Preflight.check(options.runtime, options.kafka);
        TimeBudgets.requireFutureSkewWithinBroker(
                options.maxFutureSkew,
                TimeBudgets.brokerTimestampAfterMax(options.kafka.connection()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.runtime.configure(env);
        buildOnKafka(env, options);
        env.execute("tributary ingest");
    }

    /**
     * The ingest job between the Kafka topics the options name; shared by main, demo and
     * benchmarks.
     */
    public static void buildOnKafka(StreamExecutionEnvironment env, IngestOptions options) {
        IngestJob.build(
                IngestJob.readRaw(
                        env,
                        IngestJob.kafkaSource(
                                options.kafka.connection(),
                                options.rawTopics,
                                options.groupId,
                                options.runtime.bounded)),
                options.settings(),
                IngestJob.kafkaSinks(
                        options.kafka.connection(),
                        options.kafka.registry(),
                        options.topics(),
                        options.transactionalIdPrefix,
                        options.runtime.transactionalProducer()));
    }
}
