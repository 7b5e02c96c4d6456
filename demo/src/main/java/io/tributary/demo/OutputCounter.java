package io.tributary.demo;

import io.tributary.ingest.kafka.CanonicalTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts what a read_committed consumer sees: canonical events, dead letters, aggregate rows and
 * alerts (by rule, from the alert's key, so nothing needs decoding).
 */
final class OutputCounter implements AutoCloseable {
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong aggregates = new AtomicLong();
    private final Map<String, AtomicLong> alertsByRule = new ConcurrentSkipListMap<>();
    private final List<String> aggregateTopics;
    private final String alertsTopic;
    private final Thread thread;
    private final String deadLetterTopic;
    private volatile boolean running = true;

    private OutputCounter(
            String bootstrapServers,
            CanonicalTopics topics,
            List<String> aggregateTopics,
            String alertsTopic) {
        deadLetterTopic = topics.deadLetters();
        this.aggregateTopics = aggregateTopics;
        this.alertsTopic = alertsTopic;
        List<String> all = new ArrayList<>(topics.eventTopics());
        all.add(topics.deadLetters());
        all.addAll(aggregateTopics);
        all.add(alertsTopic);
        thread = new Thread(() -> count(bootstrapServers, all), "output-counter");
        thread.setDaemon(true);
    }

    static OutputCounter start(
            String bootstrapServers,
            CanonicalTopics topics,
            List<String> aggregateTopics,
            String alertsTopic) {
        OutputCounter counter =
                new OutputCounter(bootstrapServers, topics, aggregateTopics, alertsTopic);
        counter.thread.start();
        return counter;
    }

    private void count(String bootstrapServers, List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                "bootstrap.servers",
                                bootstrapServers,
                                "group.id",
                                "demo-output-counter",
                                "isolation.level",
                                "read_committed",
                                "auto.offset.reset",
                                "earliest"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(500))) {
                    if (record.topic().equals(alertsTopic)) {
                        String key = new String(record.key(), StandardCharsets.UTF_8);
                        alertsByRule
                                .computeIfAbsent(
                                        key.substring(0, key.indexOf('|')), k -> new AtomicLong())
                                .incrementAndGet();
                    } else if (aggregateTopics.contains(record.topic())) {
                        aggregates.incrementAndGet();
                    } else {
                        (record.topic().equals(deadLetterTopic) ? deadLetters : events)
                                .incrementAndGet();
                    }
                }
            }
        }
    }

    long events() {
        return events.get();
    }

    long deadLetters() {
        return deadLetters.get();
    }

    long aggregates() {
        return aggregates.get();
    }

    /** Alerts so far, by rule id. */
    Map<String, Long> alerts() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        alertsByRule.forEach((rule, n) -> counts.put(rule, n.get()));
        return counts;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
