package io.tributary.testkit.kafka;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Watches a Flink job's progress from outside: a KafkaSource commits its offsets to its group when
 * a checkpoint completes, so committed offsets at the log end mean that everything produced so far
 * has been read and is covered by a completed checkpoint.
 */
public final class ConsumerGroups {
    private ConsumerGroups() {}

    /** Returns once the group's committed offsets reach the current log end of every partition. */
    public static void awaitCaughtUp(
            String bootstrapServers, String groupId, Collection<String> topics, Duration timeout)
            throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .values()
                    .forEach(
                            topic ->
                                    topic.partitions()
                                            .forEach(
                                                    p ->
                                                            latest.put(
                                                                    new TopicPartition(
                                                                            topic.name(),
                                                                            p.partition()),
                                                                    OffsetSpec.latest())));
            Map<TopicPartition, Long> end = new HashMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
                    admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
                end.put(e.getKey(), e.getValue().offset());
            }
            await("group " + groupId + " committing the log end " + end)
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> committed(admin, groupId), committed -> caughtUp(committed, end));
        }
    }

    private static boolean caughtUp(
            Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end) {
        return end.entrySet().stream()
                .allMatch(
                        e ->
                                e.getValue() == 0
                                        || committed.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String groupId)
            throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e :
                admin.listConsumerGroupOffsets(groupId)
                        .partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS)
                        .entrySet()) {
            if (e.getValue() != null) {
                offsets.put(e.getKey(), e.getValue().offset());
            }
        }
        return offsets;
    }
}
