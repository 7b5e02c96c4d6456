package io.tributary.demo;

import io.tributary.media.upload.UploadAssembly;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Plays the upload service for the media pipeline: every few seconds a new title arrives in four
 * chunks (one chunk resent, as resumable clients do) and a completion declaration, as canonical
 * events on the media topic. One upload in eight loses a chunk, to show an upload timing out.
 */
final class UploadPump implements AutoCloseable {
    private static final int CATALOGUE = TrafficGenerator.TITLES;

    private final Thread thread;
    private final KafkaProducer<byte[], byte[]> producer;
    private final RegistryAvroSerializationSchema<Envelope> encoder;
    private final String topic;
    private final long intervalMs;
    private final AtomicLong uploads = new AtomicLong();
    private final Random random = new Random();
    private volatile boolean running = true;

    private UploadPump(
            KafkaBroker kafka, RegistryConnection registry, String topic, long intervalMs)
            throws Exception {
        this.producer = kafka.producer();
        this.encoder = ConfluentAvro.serializer(Envelope.class, topic, registry);
        this.encoder.open(null);
        this.topic = topic;
        this.intervalMs = intervalMs;
        this.thread = new Thread(this::pump, "upload-pump");
        this.thread.setDaemon(true);
    }

    static UploadPump start(
            KafkaBroker kafka, RegistryConnection registry, String topic, long intervalMs)
            throws Exception {
        UploadPump pump = new UploadPump(kafka, registry, topic, intervalMs);
        pump.thread.start();
        return pump;
    }

    long uploads() {
        return uploads.get();
    }

    private void pump() {
        while (running) {
            long n = uploads.incrementAndGet();
            // The catalogue viewers play (TrafficGenerator's title-0..399, most popular first) is
            // published first, so rendition QoE joins to published titles within minutes.
            String title = n <= CATALOGUE ? "title-" + (n - 1) : "demo-title-" + n;
            upload(title, "upload-" + UUID.randomUUID(), n % 8 == 0);
            try {
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void upload(String media, String upload, boolean loseAChunk) {
        Map<Integer, UploadAssembly.Chunk> chunks = new TreeMap<>();
        for (int c = 0; c < 4; c++) {
            byte[] digest = new byte[32];
            random.nextBytes(digest);
            chunks.put(
                    c,
                    new UploadAssembly.Chunk(
                            c,
                            8_000_000 + random.nextInt(1_000_000),
                            HexFormat.of().formatHex(digest)));
        }
        for (UploadAssembly.Chunk chunk : chunks.values()) {
            if (loseAChunk && chunk.index() == 2) {
                continue;
            }
            int repeats = chunk.index() == 1 ? 2 : 1;
            for (int r = 0; r < repeats; r++) {
                send(
                        media,
                        EventType.UPLOAD_CHUNK,
                        m ->
                                m.setUploadId(upload)
                                        .setChunkIndex(chunk.index())
                                        .setChunkCount(4)
                                        .setChunkBytes(chunk.bytes())
                                        .setChecksum(chunk.checksum()));
            }
        }
        send(
                media,
                EventType.UPLOAD_COMPLETED,
                m ->
                        m.setUploadId(upload)
                                .setTotalBytes(UploadAssembly.totalBytes(chunks))
                                .setChecksum(UploadAssembly.checksum(4, chunks)));
    }

    private void send(String media, EventType type, Consumer<MediaEvent.Builder> fill) {
        MediaEvent.Builder payload = MediaEvent.newBuilder().setMediaId(media);
        fill.accept(payload);
        Instant now = Instant.now();
        Envelope event =
                Envelope.newBuilder()
                        .setEventId(UUID.randomUUID().toString())
                        .setEventType(type)
                        .setDomain(Domain.MEDIA)
                        .setEventTime(now)
                        .setIngestTime(now)
                        .setProducer("demo-upload-service")
                        .setOrigin(new Origin("demo", 0, 0L))
                        .setPayload(payload.build())
                        .build();
        producer.send(
                new ProducerRecord<>(
                        topic,
                        null,
                        now.toEpochMilli(),
                        media.getBytes(StandardCharsets.UTF_8),
                        encoder.serialize(event)));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
        producer.close();
    }
}
