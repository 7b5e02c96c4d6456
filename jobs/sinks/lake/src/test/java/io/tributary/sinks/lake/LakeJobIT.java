package io.tributary.sinks.lake;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.jobs.kafka.RawInput;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.Topics;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkFileSystems;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.hostile.HostileCanonicalRecords;
import io.tributary.testkit.infra.TempDirs;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealS3;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lake job on real parts: canonical events over three hours and dead letters in the real
 * broker, the job at parallelism 2 with checkpoints and an injected failure, Parquet files on the
 * local file system and in a real S3-compatible store (s3proxy, through flink-s3-fs-hadoop as a
 * cluster uses it), read back with DuckDB exactly as an analyst would.
 */
class LakeJobIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final RealS3 S3 = new RealS3();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(2);

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void everyEventAndDeadLetterIsInTheLakeOncePartitionedByHour() throws Exception {
        Path lake = TempDirs.create("lake");
        writeLakeAndCheck("local", lake.toUri().toString(), () -> lake);
    }

    @Test
    void theLakeOnS3HoldsEveryEventOnce() throws Exception {
        S3.server().createBucket("lake");
        FlinkFileSystems.useS3(S3.server());
        String lakeUri = "s3://lake/tributary";
        writeLakeAndCheck("s3", lakeUri, () -> FlinkFileSystems.copyToLocal(lakeUri));
    }

    @FunctionalInterface
    private interface LocalView {
        Path files() throws Exception;
    }

    private void writeLakeAndCheck(String run, String lakeUri, LocalView localView)
            throws Exception {
        String player = run + ".events.player";
        String media = run + ".events.media";
        String ingestDeadLetters = run + ".ingest.dead-letters";
        String sinkDeadLetters = run + ".sinks.dead-letters";
        KAFKA.broker().createTopics(2, player, media, ingestDeadLetters, sinkDeadLetters);

        List<Envelope> playerEvents = new ArrayList<>();
        List<Envelope> mediaEvents = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Instant time = T0.plusSeconds(i * 18L); // three hours
            if (i % 3 == 0) {
                mediaEvents.add(mediaEvent(i, time));
            } else {
                playerEvents.add(playerEvent(i, time));
            }
        }
        List<DeadLetter> deadLetters = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            deadLetters.add(deadLetter(i));
        }
        produce(player, playerEvents);
        produce(media, mediaEvents);
        produce(ingestDeadLetters, deadLetters);
        // Records no canonical topic should hold: each becomes one dead letter, the lake goes on.
        Map<String, String> expectedHostile =
                HostileCanonicalRecords.produce(
                        KAFKA.broker(), REGISTRY.url(), player, Domain.PLAYER);
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        RecordMetadata garbageAt;
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            garbageAt =
                    producer.send(new ProducerRecord<>(player, null, garbage))
                            .get(60, TimeUnit.SECONDS);
        }

        LakeOptions options =
                JobCommandLine.parse(
                        new LakeOptions(),
                        new String[] {
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--registry-url",
                            REGISTRY.url(),
                            "--lake-path",
                            lakeUri,
                            "--event-topics",
                            player + "," + media,
                            "--dead-letter-topics",
                            ingestDeadLetters + "," + sinkDeadLetters,
                            "--sink-dead-letter-topic",
                            sinkDeadLetters,
                            "--group-id",
                            "lake-it-" + run,
                            "--transactional-id-prefix",
                            "lake-it-" + run,
                            "--transaction-timeout",
                            "5m"
                        });
        FailOnceAfterCheckpoint<RawRecord> failure = new FailOnceAfterCheckpoint<>();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(300);
        env.getConfig().disableGenericTypes();
        DataStream<RawRecord> raw =
                env.fromSource(
                        RawInput.source(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                                options.inputTopics(),
                                options.groupId,
                                true),
                        WatermarkStrategy.noWatermarks(),
                        "lake topics");
        LakeJob.build(
                raw.map(failure).returns(raw.getType()).name("inject failure"),
                options.eventTopics,
                options.deadLetterTopics,
                RegistryConnection.of(REGISTRY.url()),
                ParquetLake.of(options));
        env.execute("lake-it-" + run);
        assertThat(failure.hasFailed()).as("failure was injected").isTrue();

        Path lake = localView.files();
        try (Stream<Path> files = Files.walk(lake)) {
            List<Path> visible =
                    files.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .toList();
            assertThat(visible)
                    .isNotEmpty()
                    .allSatisfy(
                            file -> assertThat(file.getFileName().toString()).endsWith(".parquet"));
            assertThat(visible)
                    .allSatisfy(
                            file ->
                                    assertThat(lake.relativize(file).toString())
                                            .matches(
                                                    "(events|dead_letters)/event_date=\\d{4}-\\d{2}-\\d{2}/event_hour=\\d{2}/part-.*\\.parquet"));
        }

        List<Envelope> all = new ArrayList<>(playerEvents);
        all.addAll(mediaEvents);
        Map<String, Long> expectedPerHour = new HashMap<>();
        for (Envelope event : all) {
            expectedPerHour.merge(
                    HourPartitions.partitionOf(event.getEventTime()) + "/" + event.getDomain(),
                    1L,
                    Long::sum);
        }
        try (Connection duck = LakeQuery.open(lake);
                Statement sql = duck.createStatement()) {
            ResultSet totals =
                    sql.executeQuery("SELECT count(*), count(DISTINCT eventId) FROM events");
            totals.next();
            assertThat(totals.getLong(1)).as("events in the lake").isEqualTo(all.size());
            assertThat(totals.getLong(2)).as("distinct events in the lake").isEqualTo(all.size());

            Map<String, Long> perHour = new HashMap<>();
            ResultSet hours =
                    sql.executeQuery(
                            "SELECT 'event_date=' || CAST(event_date AS VARCHAR) || '/event_hour=' "
                                    + "|| lpad(CAST(event_hour AS VARCHAR), 2, '0') || '/' || domain, count(*) FROM events GROUP BY ALL");
            while (hours.next()) {
                perHour.put(hours.getString(1), hours.getLong(2));
            }
            assertThat(perHour).isEqualTo(expectedPerHour);

            Envelope sample = playerEvents.get(17);
            ResultSet one =
                    sql.executeQuery(
                            "SELECT player.titleId, player.deviceClass, media IS NULL, eventTime "
                                    + "FROM events WHERE eventId = '"
                                    + sample.getEventId()
                                    + "'");
            assertThat(one.next()).isTrue();
            PlayerEvent payload = (PlayerEvent) sample.getPayload();
            assertThat(one.getString(1)).isEqualTo(payload.getTitleId());
            assertThat(one.getString(2)).isEqualTo(payload.getDeviceClass().name());
            assertThat(one.getBoolean(3)).isTrue();

            ResultSet letters =
                    sql.executeQuery(
                            "SELECT count(*), count(DISTINCT sourceOffset), min(reason) FROM dead_letters");
            letters.next();
            assertThat(letters.getLong(1)).isEqualTo(deadLetters.size());
            assertThat(letters.getLong(2)).isEqualTo(deadLetters.size());
        }

        var decoder = ConfluentAvro.deserializer(DeadLetter.class, REGISTRY.url());
        List<ConsumerRecord<byte[], byte[]>> rejected =
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(), List.of(sinkDeadLetters), Duration.ofSeconds(60));
        assertThat(rejected).hasSize(1 + expectedHostile.size());
        Map<String, String> hostile = new HashMap<>();
        DeadLetter letter = null;
        for (ConsumerRecord<byte[], byte[]> record : rejected) {
            DeadLetter decoded = decoder.deserialize(record.value());
            String key =
                    decoded.getOriginalKey() == null
                            ? ""
                            : StandardCharsets.UTF_8
                                    .decode(decoded.getOriginalKey().duplicate())
                                    .toString();
            if (key.startsWith("hostile-")) {
                hostile.put(decoded.getSourceTopic() + "/" + key, decoded.getReason().name());
            } else {
                letter = decoded;
            }
        }
        assertThat(hostile).isEqualTo(expectedHostile);
        assertThat(letter).isNotNull();
        assertThat(letter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_AVRO);
        assertThat(letter.getSourceTopic()).isEqualTo(player);
        assertThat(letter.getSourceOffset()).isEqualTo(garbageAt.offset());
        assertThat(letter.getJob()).isEqualTo(LakeJob.JOB);
        assertThat(ByteBuffer.wrap(garbage)).isEqualTo(letter.getOriginalValue());
    }

    private static Envelope playerEvent(int i, Instant time) {
        return envelope(
                "p-" + i,
                EventType.values()[i % 9],
                Domain.PLAYER,
                time,
                PlayerEvent.newBuilder()
                        .setSessionId("session-" + i % 40)
                        .setViewerId("viewer-" + i % 30)
                        .setAccountId("account-" + i % 20)
                        .setDeviceId("device-" + i % 25)
                        .setTitleId("title-" + i % 7)
                        .setDeviceClass(DeviceClass.values()[i % 6])
                        .setCdn("fastly")
                        .setRegion("eu-west")
                        .setPositionMs(i * 1000L)
                        // What any of the nine types needs, as the ingest job requires it.
                        .setStartupTimeMs(800L)
                        .setBufferDurationMs(1_200L)
                        .setBitrateKbps(2000)
                        .setPreviousBitrateKbps(1000)
                        .setSeekFromMs(0L)
                        .setErrorCode("E1")
                        .build());
    }

    private static Envelope mediaEvent(int i, Instant time) {
        return envelope(
                "m-" + i,
                EventType.TRANSCODE_PROGRESS,
                Domain.MEDIA,
                time,
                MediaEvent.newBuilder()
                        .setMediaId("media-" + i % 10)
                        .setRendition("2000k")
                        .setProgressPercent(i % 100 * 1.0)
                        .build());
    }

    private static Envelope envelope(
            String id, EventType type, Domain domain, Instant time, Object payload) {
        return Envelope.newBuilder()
                .setEventId(id)
                .setEventType(type)
                .setDomain(domain)
                .setEventTime(time)
                .setIngestTime(time.plusMillis(250))
                .setProducer("lake-it")
                .setOrigin(new Origin("raw", 0, 0L))
                .setPayload(payload)
                .build();
    }

    private static DeadLetter deadLetter(int i) {
        return DeadLetter.newBuilder()
                .setReason(DeadLetterReason.MALFORMED_JSON)
                .setMessage("bad " + i)
                .setField(null)
                .setJob("ingest")
                .setSourceTopic(Topics.RAW_PLAYER)
                .setSourcePartition(0)
                .setSourceOffset((long) i)
                .setSourceTimestamp(T0.plusSeconds(i * 1000L))
                .setDeadLetteredAt(T0.plusSeconds(i * 1000L + 1))
                .setOriginalKey(null)
                .setOriginalValue(ByteBuffer.wrap(("{" + i).getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> void produce(String topic, List<T> records)
            throws Exception {
        var serializer =
                ConfluentAvro.serializer(
                        (Class<T>) records.get(0).getClass(), topic, REGISTRY.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (T record : records) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(topic, null, serializer.serialize(record))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }
}
