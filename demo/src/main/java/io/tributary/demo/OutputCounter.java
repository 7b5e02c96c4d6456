package io.tributary.demo;

import io.tributary.ingest.kafka.CanonicalTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Counts what a read_committed consumer sees on the canonical and dead-letter topics. */
final class OutputCounter implements AutoCloseable {
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final Thread thread;
    private final String deadLetterTopic;
    private volatile boolean running = true;

    private OutputCounter(String bootstrapServers, CanonicalTopics topics) {
        deadLetterTopic = topics.deadLetters();
        List<String> all = new ArrayList<>(topics.eventTopics());
        all.add(topics.deadLetters());
        thread = new Thread(() -> count(bootstrapServers, all), "output-counter");
        thread.setDaemon(true);
    }

    static OutputCounter start(String bootstrapServers, CanonicalTopics topics) {
        OutputCounter counter = new OutputCounter(bootstrapServers, topics);
        counter.thread.start();
        return counter;
    }

    private void count(String bootstrapServers, List<String> topics) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", bootstrapServers, "group.id", "demo-output-counter",
                        "isolation.level", "read_committed", "auto.offset.reset", "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    (record.topic().equals(deadLetterTopic) ? deadLetters : events).incrementAndGet();
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

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
