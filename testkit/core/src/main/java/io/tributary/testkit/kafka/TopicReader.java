package io.tributary.testkit.kafka;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads whole topics the way a downstream exactly-once consumer does: {@code read_committed}, from
 * the beginning up to the last stable offset, so aborted transactions never show up.
 */
public final class TopicReader {
    private TopicReader() {}

    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
            String bootstrapServers, Collection<String> topics, Duration timeout) {
        return readCommitted(bootstrapServers, Map.of(), topics, timeout);
    }

    /**
     * @param clientSettings security and other client settings of the cluster ({@link
     *     io.tributary.testkit.infra.KafkaBroker#clientSettings})
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
            String bootstrapServers,
            Map<String, String> clientSettings,
            Collection<String> topics,
            Duration timeout) {
        Properties props = new Properties();
        props.putAll(clientSettings);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(4 * 1024 * 1024));
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            long start = System.nanoTime();
            Map<TopicPartition, Long> end =
                    decidedEnd(bootstrapServers, clientSettings, partitions, timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await("reading " + topics + " to " + end)
                    .atMost(timeout.minusNanos(System.nanoTime() - start))
                    // The consumer belongs to this thread.
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .until(
                            () -> {
                                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                                return reached(consumer, end);
                            });
        }
        return records;
    }

    /**
     * Where the topics end once every transaction on them is decided. A producer's commit returns
     * before the broker has written the commit markers, so right after a job finishes the last
     * stable offset can still trail the log end; reading then would silently miss the last
     * transaction. Wait until the two agree.
     */
    private static Map<TopicPartition, Long> decidedEnd(
            String bootstrapServers,
            Map<String, String> clientSettings,
            List<TopicPartition> partitions,
            Duration timeout) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        try (Admin admin = Admin.create(withBootstrap(bootstrapServers, clientSettings))) {
            return await("every transaction on " + partitions + " decided")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> {
                                Map<TopicPartition, Long> stable =
                                        offsets(admin, latest, IsolationLevel.READ_COMMITTED);
                                return stable.equals(
                                                offsets(
                                                        admin,
                                                        latest,
                                                        IsolationLevel.READ_UNCOMMITTED))
                                        ? stable
                                        : null;
                            },
                            java.util.Objects::nonNull);
        }
    }

    private static Map<TopicPartition, Long> offsets(
            Admin admin, Map<TopicPartition, OffsetSpec> spec, IsolationLevel isolation)
            throws InterruptedException, ExecutionException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(spec, new ListOffsetsOptions(isolation))
                .all()
                .get()
                .forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> entry : end.entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> withBootstrap(
            String bootstrapServers, Map<String, String> clientSettings) {
        Map<String, Object> config = new HashMap<>(clientSettings);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }
}
