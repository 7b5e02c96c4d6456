package io.tributary.demo;

import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends generated traffic to the raw topics at a steady rate, as gateways would. */
final class TrafficPump implements AutoCloseable {
    private final Thread thread;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong good = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile boolean running = true;

    private TrafficPump(KafkaBroker kafka, int rate, double duplicateShare, double malformedShare) {
        producer = kafka.producer(Map.of("linger.ms", 20, "max.request.size", 1_048_576));
        TrafficGenerator generator =
                new TrafficGenerator(
                        System.nanoTime(),
                        System::currentTimeMillis,
                        duplicateShare,
                        malformedShare,
                        false); // the upload pump and simulated workers play the media side against
        // the real media job
        thread = new Thread(() -> pump(generator, rate), "traffic-pump");
        thread.setDaemon(true);
    }

    static TrafficPump start(
            KafkaBroker kafka, int rate, double duplicateShare, double malformedShare) {
        TrafficPump pump = new TrafficPump(kafka, rate, duplicateShare, malformedShare);
        pump.thread.start();
        return pump;
    }

    private void pump(TrafficGenerator generator, int rate) {
        long intervalNanos = 1_000_000_000L / Math.max(1, rate);
        long next = System.nanoTime();
        while (running) {
            GeneratedRecord record = generator.next();
            producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()));
            switch (record.kind()) {
                case GOOD -> good.incrementAndGet();
                case DUPLICATE -> duplicates.incrementAndGet();
                case MALFORMED -> malformed.incrementAndGet();
            }
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 1_000_000) {
                try {
                    Thread.sleep(wait / 1_000_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    long good() {
        return good.get();
    }

    long duplicates() {
        return duplicates.get();
    }

    long malformed() {
        return malformed.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
        producer.close();
    }
}
