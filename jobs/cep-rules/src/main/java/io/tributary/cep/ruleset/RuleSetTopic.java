package io.tributary.cep.ruleset;

import io.tributary.cep.rules.RuleSet;
import io.tributary.jobs.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The rule-set topic as {@code rules publish} uses it: compacted, one partition, every record a
 * complete {@link RuleSet} under one key, so the newest record is the rule set. Publishing goes
 * through a transactional producer whose id names the topic: a second publisher fences the first,
 * so of two people publishing at once one fails instead of both writing the same revision.
 */
public final class RuleSetTopic implements AutoCloseable {
    /** The key of every rule-set record; compaction keeps the newest. */
    public static final String KEY = "rule-set";

    private final KafkaConnection kafka;
    private final String topic;
    private KafkaProducer<byte[], byte[]> producer;

    public RuleSetTopic(KafkaConnection kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
    }

    /** A record of the topic that is not a rule set, and why. */
    public record Unreadable(long offset, String reason) {}

    /** The newest rule set on the topic (empty when none), and the records that were not one. */
    public record Newest(Optional<RuleSet> ruleSet, List<Unreadable> unreadable) {}

    /** Reads the topic to its end; a missing topic reads as empty. */
    public Newest newest(Duration timeout) {
        List<Unreadable> unreadable = new ArrayList<>();
        RuleSet[] newest = {null};
        readToEnd(
                topic,
                timeout,
                record -> {
                    try {
                        RuleSet set = RuleSet.fromJson(record.value());
                        if (newest[0] == null || set.revision() > newest[0].revision()) {
                            newest[0] = set;
                        }
                    } catch (IllegalArgumentException e) {
                        unreadable.add(new Unreadable(record.offset(), e.getMessage()));
                    }
                });
        return new Newest(Optional.ofNullable(newest[0]), List.copyOf(unreadable));
    }

    /**
     * Takes the topic's single writer role (creating the topic when missing): a publisher still
     * holding it is fenced and fails to commit.
     */
    public void claim() {
        createIfMissing(topic, true);
        Properties props = kafka.producerProperties(new Properties());
        props.put("transactional.id", "tributary-rules-publish-" + topic);
        props.put("enable.idempotence", "true");
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("max.request.size", String.valueOf(RuleSet.MAX_BYTES + 100_000));
        producer = new KafkaProducer<>(props);
        producer.initTransactions();
    }

    /** Writes the rule set and commits; {@link #claim()} first. */
    public void publish(RuleSet ruleSet) {
        if (producer == null) {
            throw new IllegalStateException("claim the topic before publishing");
        }
        byte[] value = ruleSet.toJson();
        if (value.length > RuleSet.MAX_BYTES) {
            throw new IllegalArgumentException(
                    "the rule set is "
                            + value.length
                            + " bytes; a record holds at most "
                            + RuleSet.MAX_BYTES);
        }
        try {
            producer.beginTransaction();
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            null,
                            ruleSet.publishedAt() == null
                                    ? null
                                    : ruleSet.publishedAt().toEpochMilli(),
                            KEY.getBytes(StandardCharsets.UTF_8),
                            value));
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new IllegalStateException(
                    "another publisher took the topic over while this one was publishing; nothing"
                            + " was published: publish again to compare with what it wrote",
                    e);
        }
    }

    /**
     * Waits for the job's report on a revision in the status topic.
     *
     * @return empty when no job reported it within the timeout
     */
    public Optional<RuleSetStatus> awaitStatus(
            String statusTopic, long revision, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Properties props = consumerProperties();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = List.of();
            while (Instant.now().isBefore(deadline)) {
                if (partitions.isEmpty()) {
                    partitions = partitions(consumer, statusTopic);
                    if (partitions.isEmpty()) {
                        sleep();
                        continue;
                    }
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    try {
                        RuleSetStatus status = RuleSetStatus.fromJson(record.value());
                        if (status.revision() == revision) {
                            return Optional.of(status);
                        }
                    } catch (IllegalArgumentException ignored) {
                        // Not ours to judge; the job writes only statuses there.
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Creates the topic when missing: one partition; compacted for the rule sets. */
    public void createIfMissing(String name, boolean compacted) {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            NewTopic newTopic = new NewTopic(name, Optional.of(1), Optional.empty());
            if (compacted) {
                newTopic.configs(Map.of("cleanup.policy", "compact"));
            }
            admin.createTopics(List.of(newTopic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create topic " + name + ": " + e.getCause().getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + name, e);
        }
    }

    private void readToEnd(
            String name, Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            List<TopicPartition> partitions = partitions(consumer, name);
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Instant deadline = Instant.now().plus(timeout);
            Predicate<TopicPartition> behind = tp -> consumer.position(tp) < end.get(tp);
            while (partitions.stream().anyMatch(behind)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            "could not read " + name + " to its end within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    private static List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> consumer, String name) {
        List<PartitionInfo> infos = consumer.partitionsFor(name, Duration.ofSeconds(10));
        List<TopicPartition> partitions = new ArrayList<>();
        if (infos != null) {
            infos.forEach(info -> partitions.add(new TopicPartition(name, info.partition())));
        }
        return partitions;
    }

    private Properties consumerProperties() {
        Properties props = kafka.clientProperties();
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("allow.auto.create.topics", "false");
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return props;
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
