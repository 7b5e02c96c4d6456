package io.tributary.testkit.media;

import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plays the FFmpeg worker pool for demos and tests: takes TRANSCODE_REQUESTED from the pipeline
 * topic (committed data only, as a real worker would), and after a pickup delay reports
 * TRANSCODE_STARTED, a progress report, then TRANSCODE_COMPLETED or TRANSCODE_FAILED, stamped with
 * the wall clock, to the canonical media topic. Which attempts fail is a {@link FailurePlan}.
 */
public final class WorkerSimulator implements AutoCloseable {

    /** Decides an attempt's fate: the failure reason, or null for success. */
    @FunctionalInterface
    public interface FailurePlan {
        String failure(String mediaId, String rendition, int attempt);

        /**
         * Fails each attempt independently with probability {@code rate}, the same way for the same
         * attempt.
         */
        static FailurePlan random(double rate) {
            return (media, rendition, attempt) -> {
                long hash = (media + "|" + rendition + "|" + attempt).hashCode() & 0xffffffffL;
                return hash % 10_000 < rate * 10_000 ? "ffmpeg exited 137 (out of memory)" : null;
            };
        }
    }

    /** Simulated timings of one attempt. */
    public record Timing(Duration pickup, Duration running) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final RegistryAvroDeserializationSchema<Envelope> decoder;
    private final RegistryAvroSerializationSchema<Envelope> encoder;
    private final String reportTopic;
    private final FailurePlan plan;
    private final Timing timing;
    private final ScheduledExecutorService clock =
            Executors.newSingleThreadScheduledExecutor(
                    r -> new Thread(r, "worker-simulator-clock"));
    private final Thread poller;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong requestsTaken = new AtomicLong();
    private final AtomicLong failuresReported = new AtomicLong();

    private WorkerSimulator(
            String bootstrapServers,
            String registryUrl,
            String requestTopic,
            String reportTopic,
            FailurePlan plan,
            Timing timing)
            throws Exception {
        this.consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                                ConsumerConfig.GROUP_ID_CONFIG, "worker-simulator",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        this.producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                false,
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
        this.decoder = ConfluentAvro.deserializer(Envelope.class, registryUrl);
        this.decoder.open(null);
        this.encoder = ConfluentAvro.serializer(Envelope.class, reportTopic, registryUrl);
        this.encoder.open(null);
        this.reportTopic = reportTopic;
        this.plan = plan;
        this.timing = timing;
        consumer.subscribe(List.of(requestTopic));
        this.poller = new Thread(this::poll, "worker-simulator");
    }

    public static WorkerSimulator start(
            String bootstrapServers,
            String registryUrl,
            String requestTopic,
            String reportTopic,
            FailurePlan plan,
            Timing timing)
            throws Exception {
        WorkerSimulator workers =
                new WorkerSimulator(
                        bootstrapServers, registryUrl, requestTopic, reportTopic, plan, timing);
        workers.poller.start();
        return workers;
    }

    public long requestsTaken() {
        return requestsTaken.get();
    }

    public long failuresReported() {
        return failuresReported.get();
    }

    private void poll() {
        try {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    Envelope event = decoder.deserialize(record.value());
                    if (event.getEventType() == EventType.TRANSCODE_REQUESTED) {
                        take((MediaEvent) event.getPayload());
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException stopping) {
            // close() woke the consumer
        } catch (Exception e) {
            throw new IllegalStateException("worker simulator stopped", e);
        } finally {
            consumer.close();
        }
    }

    private void take(MediaEvent request) {
        requestsTaken.incrementAndGet();
        String worker =
                "sim-worker-"
                        + Math.floorMod(
                                (request.getMediaId() + request.getRendition()).hashCode(), 8);
        String failure =
                plan.failure(request.getMediaId(), request.getRendition(), request.getAttempt());
        long pickup = timing.pickup().toMillis();
        long run = timing.running().toMillis();
        clock.schedule(
                () -> report(EventType.TRANSCODE_STARTED, request, worker, null, null),
                pickup,
                TimeUnit.MILLISECONDS);
        clock.schedule(
                () -> report(EventType.TRANSCODE_PROGRESS, request, worker, 50.0, null),
                pickup + run / 2,
                TimeUnit.MILLISECONDS);
        if (failure == null) {
            clock.schedule(
                    () -> report(EventType.TRANSCODE_COMPLETED, request, worker, 100.0, null),
                    pickup + run,
                    TimeUnit.MILLISECONDS);
        } else {
            clock.schedule(
                    () -> {
                        failuresReported.incrementAndGet();
                        report(EventType.TRANSCODE_FAILED, request, worker, null, failure);
                    },
                    pickup + run,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void report(
            EventType type, MediaEvent request, String worker, Double progress, String failure) {
        Instant now = Instant.now();
        MediaEvent media =
                MediaEvent.newBuilder()
                        .setMediaId(request.getMediaId())
                        .setUploadId(request.getUploadId())
                        .setRendition(request.getRendition())
                        .setBitrateKbps(request.getBitrateKbps())
                        .setAttempt(request.getAttempt())
                        .setWorkerId(worker)
                        .setProgressPercent(progress)
                        .setFailureReason(failure)
                        .setDurationMs(
                                type == EventType.TRANSCODE_COMPLETED
                                        ? durationOf(request.getMediaId())
                                        : null)
                        .build();
        String id =
                request.getMediaId()
                        + "|"
                        + request.getRendition()
                        + "|"
                        + request.getAttempt()
                        + "|"
                        + type;
        Envelope event =
                Envelope.newBuilder()
                        .setEventId(
                                UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8))
                                        .toString())
                        .setEventType(type)
                        .setDomain(Domain.MEDIA)
                        .setEventTime(now)
                        .setIngestTime(now)
                        .setProducer(worker)
                        .setOrigin(new Origin("worker-simulator", 0, 0L))
                        .setPayload(media)
                        .build();
        producer.send(
                new ProducerRecord<>(
                        reportTopic,
                        null,
                        now.toEpochMilli(),
                        request.getMediaId().getBytes(StandardCharsets.UTF_8),
                        encoder.serialize(event)));
    }

    /**
     * Every item has a duration of its own, between one and ten minutes, the same for all
     * renditions.
     */
    public static long durationOf(String mediaId) {
        return 60_000 + Math.floorMod(mediaId.hashCode(), 540_000);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        poller.join(10_000);
        clock.shutdown();
        clock.awaitTermination(10, TimeUnit.SECONDS);
        producer.close(Duration.ofSeconds(10));
    }
}
