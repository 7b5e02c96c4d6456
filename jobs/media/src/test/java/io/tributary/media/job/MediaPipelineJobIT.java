package io.tributary.media.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.jobs.kafka.RawInput;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.media.packaging.ParsedManifests;
import io.tributary.media.upload.UploadAssembly;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Topics;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkFileSystems;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.hostile.HostileCanonicalRecords;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealS3;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import io.tributary.testkit.media.WorkerSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Uploads to transcoded media on real parts: chunk events (resent, reordered, some missing) in the
 * real broker, the media job at parallelism 2 with checkpoints and an injected failure, and the
 * simulated worker pool answering its requests with failures on a plan. Every item ends exactly
 * once, read with read_committed: packaged and published (HLS and DASH manifests that standard
 * parsers read, naming exactly the ladder's renditions), failed with the rendition that gave up, or
 * an upload failure naming the missing chunk.
 */
class MediaPipelineJobIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(2);
    @RegisterExtension static final RealS3 S3 = new RealS3();

    private static final int ITEMS = 30;
    private static final String MEDIA = Topics.EVENTS_MEDIA;
    private static final String PIPELINE = Topics.MEDIA_PIPELINE;
    private static final String DEAD = Topics.MEDIA_DEAD_LETTERS;

    @Test
    void everyUploadEndsExactlyOnceTranscodedOrFailedWithItsReason() throws Exception {
        KAFKA.broker().createTopics(2, MEDIA, PIPELINE, DEAD);
        // The CDN origin is object storage: a real S3 API (s3proxy) through Flink's s3:// file
        // system.
        S3.server().createBucket("origin");
        FlinkFileSystems.useS3(S3.server());
        String origin = "s3://origin/packages";
        MediaPipelineOptions options =
                JobCommandLine.parse(
                        new MediaPipelineOptions(),
                        new String[] {
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--registry-url",
                            REGISTRY.url(),
                            "--max-out-of-orderness",
                            "1s",
                            "--quiet-after",
                            "2s",
                            "--max-attempts",
                            "3",
                            "--first-backoff",
                            "1s",
                            "--max-backoff",
                            "4s",
                            "--sla-queued",
                            "5m",
                            "--sla-running",
                            "5m",
                            "--upload-timeout",
                            "15s",
                            "--retention",
                            "1m",
                            "--transaction-timeout",
                            "5m",
                            "--package-path",
                            origin,
                            "--segment-duration",
                            "4s",
                            "--cdn-base-url",
                            "https://cdn.test/media/"
                        });

        FailOnceAfterCheckpoint<RawRecord> failure = new FailOnceAfterCheckpoint<>();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(500);
        env.getConfig().disableGenericTypes();
        DataStream<RawRecord> raw =
                env.fromSource(
                        RawInput.source(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                                List.of(MEDIA),
                                options.groupId,
                                false),
                        LiveEventTime.watermarks(
                                options.kafka.maxOutOfOrderness, options.quietAfter),
                        MEDIA);
        MediaPipelineJob.build(
                raw.map(failure).returns(raw.getType()).name("inject failure"),
                RegistryConnection.of(REGISTRY.url()),
                options.settings(),
                MediaPipelineJobMain.sinks(options));
        JobClient job = env.executeAsync("media-it");

        // 2000k fails once for even items (and is retried); 4000k fails every attempt for items 5,
        // 15, 25.
        WorkerSimulator.FailurePlan plan =
                (media, rendition, attempt) -> {
                    int i = Integer.parseInt(media.substring(2));
                    if (rendition.equals("4000k") && i % 10 == 5) {
                        return "unsupported codec profile";
                    }
                    return rendition.equals("2000k") && i % 2 == 0 && attempt == 1
                            ? "worker lost"
                            : null;
                };
        Map<String, String> expected = new TreeMap<>();
        Map<String, String> expectedHostile = new TreeMap<>();
        try (WorkerSimulator workers =
                WorkerSimulator.start(
                        KAFKA.bootstrapServers(),
                        REGISTRY.url(),
                        PIPELINE,
                        MEDIA,
                        plan,
                        new WorkerSimulator.Timing(
                                Duration.ofMillis(200), Duration.ofMillis(600)))) {
            produceUploads(expected);
            // Records no canonical topic should hold: each becomes one dead letter, the job goes
            // on.
            expectedHostile.putAll(
                    HostileCanonicalRecords.produce(
                            KAFKA.broker(), REGISTRY.url(), MEDIA, Domain.MEDIA));

            await("every item decided")
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(
                            () ->
                                    terminalTypes(pipelineEventsByMedia())
                                            .keySet()
                                            .containsAll(expected.keySet()));
            assertThat(failure.hasFailed()).as("failure was injected").isTrue();
            // Stopped with a final savepoint, the job has committed everything it will ever write:
            // a duplicate decision, if there were one, is in what is read below.
            job.stopWithSavepoint(
                            false,
                            Files.createTempDirectory("media-savepoint").toUri().toString(),
                            SavepointFormatType.CANONICAL)
                    .get(120, TimeUnit.SECONDS);
            Map<String, List<Envelope>> byMedia = pipelineEventsByMedia();

            Path packages = FlinkFileSystems.copyToLocal(origin);
            try (var files = java.nio.file.Files.walk(packages)) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .as("no temporary file left behind")
                        .noneMatch(name -> name.endsWith(".tmp"));
            }
            Map<String, String> terminal = terminalTypes(byMedia);
            assertThat(terminal).isEqualTo(expected);
            for (Map.Entry<String, List<Envelope>> item : byMedia.entrySet()) {
                List<String> decisions =
                        item.getValue().stream()
                                .filter(
                                        e ->
                                                e.getEventType() != EventType.TRANSCODE_REQUESTED
                                                        && e.getEventType()
                                                                != EventType.TRANSCODE_SLA_BREACHED)
                                .map(e -> e.getEventType().name())
                                .toList();
                assertThat(decisions.stream().filter(d -> !d.equals("PACKAGED")).toList())
                        .as("decisions of " + item.getKey() + ", each once")
                        .doesNotHaveDuplicates();
                if (expected.get(item.getKey()).startsWith("PACKAGED")) {
                    assertThat(decisions).containsOnlyOnce("UPLOADED");
                    assertThat(decisions.stream().filter(d -> !d.equals("UPLOADED")).toList())
                            .as("the transcode and packaging stages' order")
                            .containsExactly("TRANSCODED", "PACKAGED", "PACKAGED", "PUBLISHED");
                    assertThat(
                                    item.getValue().stream()
                                            .filter(e -> e.getEventType() == EventType.PUBLISHED)
                                            .map(e -> ((MediaEvent) e.getPayload()).getCdnUrl()))
                            .containsExactly(
                                    "https://cdn.test/media/" + item.getKey() + "/master.m3u8");
                    ParsedManifests manifests =
                            ParsedManifests.read(packages.resolve(item.getKey()));
                    assertThat(manifests.hlsRenditions())
                            .containsExactly("500k", "1000k", "2000k", "4000k");
                    assertThat(manifests.dashRenditions())
                            .containsExactly("500k", "1000k", "2000k", "4000k");
                    long duration = WorkerSimulator.durationOf(item.getKey());
                    assertThat(manifests.dashDuration()).isEqualTo(Duration.ofMillis(duration));
                    assertThat(manifests.hlsSecondsPerRendition().values())
                            .allSatisfy(
                                    s -> assertThat(s).isCloseTo(duration / 1000.0, within(0.001)));
                    assertThat(manifestUris(item.getValue()))
                            .containsExactlyInAnyOrder(
                                    origin + "/" + item.getKey() + "/master.m3u8",
                                    origin + "/" + item.getKey() + "/manifest.mpd");
                } else {
                    assertThat(packages.resolve(item.getKey()))
                            .as("nothing packaged for " + item.getKey())
                            .doesNotExist();
                }
            }
            List<String> ids =
                    byMedia.values().stream()
                            .flatMap(List::stream)
                            .map(Envelope::getEventId)
                            .toList();
            assertThat(ids).as("no event twice after the failure").doesNotHaveDuplicates();

            assertThat(requests(byMedia.get("m-2")))
                    .containsExactly("500k/1", "1000k/1", "2000k/1", "4000k/1", "2000k/2");
            assertThat(requests(byMedia.get("m-3")))
                    .containsExactly("500k/1", "1000k/1", "2000k/1", "4000k/1");
            assertThat(requests(byMedia.get("m-5")))
                    .contains("4000k/1", "4000k/2", "4000k/3")
                    .doesNotContain("4000k/4");
            assertThat(reason(byMedia.get("m-5"), EventType.MEDIA_FAILED))
                    .isEqualTo("rendition 4000k failed 3 time(s), last: unsupported codec profile");
            assertThat(reason(byMedia.get("m-7"), EventType.UPLOAD_FAILED))
                    .isEqualTo("timed out after PT15S: missing chunks 3 of 4");
            assertThat(requests(byMedia.get("m-7"))).isEmpty();
        }

        var deadDecoder = ConfluentAvro.deserializer(DeadLetter.class, REGISTRY.url());
        deadDecoder.open(null);
        List<DeadLetter> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(), List.of(DEAD), Duration.ofSeconds(60))) {
            dead.add(deadDecoder.deserialize(record.value()));
        }
        Map<String, String> hostile = new TreeMap<>();
        dead.stream()
                .filter(d -> originalKey(d).startsWith("hostile-"))
                .forEach(
                        d ->
                                hostile.put(
                                        d.getSourceTopic() + "/" + originalKey(d),
                                        d.getReason().name()));
        assertThat(hostile).isEqualTo(expectedHostile);
        assertThat(dead)
                .filteredOn(d -> !originalKey(d).startsWith("hostile-"))
                .extracting(DeadLetter::getReason)
                .containsExactlyInAnyOrder(
                        DeadLetterReason.MALFORMED_AVRO, DeadLetterReason.INVALID_TRANSITION);
        assertThat(dead)
                .filteredOn(d -> d.getReason() == DeadLetterReason.INVALID_TRANSITION)
                .extracting(DeadLetter::getMessage)
                .containsExactly("no transcode of media ghost is in progress");
    }

    private static String sha256Hex(String text) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of()
                .formatHex(
                        java.security.MessageDigest.getInstance("SHA-256")
                                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String originalKey(DeadLetter letter) {
        return letter.getOriginalKey() == null
                ? ""
                : java.nio.charset.StandardCharsets.UTF_8
                        .decode(letter.getOriginalKey().duplicate())
                        .toString();
    }

    /**
     * Items m-0..m-29, four chunks each: resent for every third, chunk 3 never sent for every
     * seventh.
     */
    private static void produceUploads(Map<String, String> expected) throws Exception {
        var encoder = ConfluentAvro.serializer(Envelope.class, MEDIA, REGISTRY.url());
        encoder.open(null);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            for (int i = 0; i < ITEMS; i++) {
                String media = "m-" + i;
                String upload = "u-" + i;
                Map<Integer, UploadAssembly.Chunk> chunks = new HashMap<>();
                for (int c = 3; c >= 0; c--) {
                    // As a gateway's chunk checksum: hex, which the canonical checks require.
                    chunks.put(
                            c,
                            new UploadAssembly.Chunk(
                                    c, 1_000_000L + c, sha256Hex("chunk " + i + "-" + c)));
                }
                for (int c : List.of(1, 0, 3, 2)) {
                    if (i % 7 == 0 && c == 3) {
                        continue;
                    }
                    int chunk = c;
                    send(
                            producer,
                            encoder,
                            media,
                            EventType.UPLOAD_CHUNK,
                            m ->
                                    m.setMediaId(media)
                                            .setUploadId(upload)
                                            .setChunkIndex(chunk)
                                            .setChunkCount(4)
                                            .setChunkBytes(chunks.get(chunk).bytes())
                                            .setChecksum(chunks.get(chunk).checksum()));
                    if (i % 3 == 0) {
                        send(
                                producer,
                                encoder,
                                media,
                                EventType.UPLOAD_CHUNK,
                                m ->
                                        m.setMediaId(media)
                                                .setUploadId(upload)
                                                .setChunkIndex(chunk)
                                                .setChunkCount(4)
                                                .setChunkBytes(chunks.get(chunk).bytes())
                                                .setChecksum(chunks.get(chunk).checksum()));
                    }
                }
                send(
                        producer,
                        encoder,
                        media,
                        EventType.UPLOAD_COMPLETED,
                        m ->
                                m.setMediaId(media)
                                        .setUploadId(upload)
                                        .setTotalBytes(UploadAssembly.totalBytes(chunks))
                                        .setChecksum(UploadAssembly.checksum(4, chunks)));
                expected.put(
                        media,
                        i % 7 == 0
                                ? "UPLOAD_FAILED"
                                : i % 10 == 5
                                        ? "MEDIA_FAILED"
                                        : "PACKAGED HLS,PACKAGED DASH,PUBLISHED");
            }
            send(
                    producer,
                    encoder,
                    "ghost",
                    EventType.TRANSCODE_COMPLETED,
                    m -> m.setMediaId("ghost").setRendition("500k").setAttempt(1));
            producer.send(
                    new ProducerRecord<>(
                            MEDIA,
                            "junk".getBytes(StandardCharsets.UTF_8),
                            "not avro".getBytes(StandardCharsets.UTF_8)));
            producer.flush();
        }
    }

    private static int sequence;

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            org.apache.flink.api.common.serialization.SerializationSchema<Envelope> encoder,
            String media,
            EventType type,
            Consumer<MediaEvent.Builder> fill) {
        MediaEvent.Builder payload = MediaEvent.newBuilder().setMediaId(media);
        fill.accept(payload);
        long now = System.currentTimeMillis();
        Envelope event = MediaRecords.record("e-" + sequence++, type, now, fill).event;
        producer.send(
                new ProducerRecord<>(
                        MEDIA,
                        null,
                        now,
                        media.getBytes(StandardCharsets.UTF_8),
                        encoder.serialize(event)));
    }

    private static Map<String, List<Envelope>> pipelineEventsByMedia() throws Exception {
        var decoder = ConfluentAvro.deserializer(Envelope.class, REGISTRY.url());
        decoder.open(null);
        Map<String, List<Envelope>> byMedia = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(), List.of(PIPELINE), Duration.ofSeconds(30))) {
            Envelope event = decoder.deserialize(record.value());
            byMedia.computeIfAbsent(
                            ((MediaEvent) event.getPayload()).getMediaId(), k -> new ArrayList<>())
                    .add(event);
        }
        return byMedia;
    }

    private static Map<String, String> terminalTypes(Map<String, List<Envelope>> byMedia) {
        Set<EventType> terminal =
                Set.of(
                        EventType.PACKAGED,
                        EventType.PUBLISHED,
                        EventType.MEDIA_FAILED,
                        EventType.UPLOAD_FAILED);
        Map<String, String> types = new TreeMap<>();
        byMedia.forEach(
                (media, events) ->
                        events.stream()
                                .filter(e -> terminal.contains(e.getEventType()))
                                .forEach(
                                        e ->
                                                types.merge(
                                                        media,
                                                        e.getEventType() == EventType.PACKAGED
                                                                ? "PACKAGED "
                                                                        + ((MediaEvent)
                                                                                        e
                                                                                                .getPayload())
                                                                                .getPackagingFormat()
                                                                : e.getEventType().name(),
                                                        (a, b) -> a + "," + b)));
        return types;
    }

    private static List<String> requests(List<Envelope> events) {
        return events.stream()
                .filter(e -> e.getEventType() == EventType.TRANSCODE_REQUESTED)
                .map(
                        e ->
                                ((MediaEvent) e.getPayload()).getRendition()
                                        + "/"
                                        + ((MediaEvent) e.getPayload()).getAttempt())
                .toList();
    }

    private static List<String> manifestUris(List<Envelope> events) {
        return events.stream()
                .filter(e -> e.getEventType() == EventType.PACKAGED)
                .map(
                        e ->
                                ((MediaEvent) e.getPayload())
                                        .getManifestUri()
                                        .replace("file:///", "file:/"))
                .toList();
    }

    private static String reason(List<Envelope> events, EventType type) {
        return events.stream()
                .filter(e -> e.getEventType() == type)
                .map(e -> ((MediaEvent) e.getPayload()).getFailureReason())
                .findFirst()
                .orElseThrow();
    }
}
