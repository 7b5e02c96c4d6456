package io.tributary.ingest;

import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.validate.IngestLimits;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.Topics;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.flink.FlinkTestClusters;
import java.time.Duration;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ingest job as the ITs run it: bounded over every raw topic, p=2, checkpoints every 300 ms.
 */
final class IngestOnKafka {
    private IngestOnKafka() {}

    /**
     * @param between what the raw records pass through before the job (an injected failure), or
     *     identity
     * @param dedupTtl long enough for every copy in the test's input
     */
    static StreamExecutionEnvironment build(
            String bootstrapServers,
            String registryUrl,
            CanonicalTopics topics,
            String name,
            Duration dedupTtl,
            UnaryOperator<DataStream<RawRecord>> between) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(300);
        env.getConfig().disableGenericTypes();
        IngestJob.Settings settings =
                new IngestJob.Settings(
                        IngestLimits.DEFAULTS,
                        dedupTtl,
                        true,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30),
                        RegistryConnection.of(registryUrl),
                        topics);
        DataStream<RawRecord> raw =
                IngestJob.readRaw(
                        env,
                        IngestJob.kafkaSource(
                                KafkaConnection.plaintext(bootstrapServers),
                                Topics.list(Topics.RAW_ALL),
                                name,
                                true));
        RuntimeOptions runtime = new RuntimeOptions();
        runtime.transactionTimeout = Duration.ofMinutes(5);
        IngestJob.build(
                between.apply(raw),
                settings,
                IngestJob.kafkaSinks(
                        KafkaConnection.plaintext(bootstrapServers),
                        RegistryConnection.of(registryUrl),
                        topics,
                        name + "-" + UUID.randomUUID(),
                        runtime.transactionalProducer()));
        return env;
    }
}
