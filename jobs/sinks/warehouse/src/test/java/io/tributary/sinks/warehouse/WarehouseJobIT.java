package io.tributary.sinks.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.jobs.kafka.RawInput;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.aggregates.RankedTitle;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.sinks.SampleRecords;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.infra.PostgresServer;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealPostgres;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
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
 * The warehouse job on real parts: records of every stream in the real broker (several revisions of
 * each window, in shuffled order, some twice, some unstorable), the job at parallelism 2 with
 * checkpoints and an injected failure, real PostgreSQL migrated by Flyway. Every table must then
 * hold exactly the newest revision of every key, and every unstorable record must be on the
 * dead-letter topic once, with its reason and original bytes.
 */
class WarehouseJobIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final RealPostgres POSTGRES = new RealPostgres();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(2);

    /** The topics of one test run. */
    private record Topics(String prefix) {
        String alerts() {
            return prefix + io.tributary.schemas.Topics.CEP_ALERTS;
        }

        String qoe() {
            return prefix + io.tributary.schemas.Topics.AGG_QOE_MINUTE;
        }

        String trending() {
            return prefix + io.tributary.schemas.Topics.AGG_TRENDING_TITLES;
        }

        String sessions() {
            return prefix + io.tributary.schemas.Topics.AGG_VIEWER_SESSIONS;
        }

        String commerce() {
            return prefix + io.tributary.schemas.Topics.AGG_COMMERCE_MINUTE;
        }

        String iot() {
            return prefix + io.tributary.schemas.Topics.AGG_IOT_DEVICE_5M;
        }

        String media() {
            return prefix + io.tributary.schemas.Topics.EVENTS_MEDIA;
        }

        String pipeline() {
            return prefix + io.tributary.schemas.Topics.MEDIA_PIPELINE;
        }

        String renditions() {
            return prefix + io.tributary.schemas.Topics.AGG_QOE_RENDITION_MINUTE;
        }

        String ingestDeadLetters() {
            return prefix + io.tributary.schemas.Topics.INGEST_DEAD_LETTERS;
        }

        String mediaDeadLetters() {
            return prefix + io.tributary.schemas.Topics.MEDIA_DEAD_LETTERS;
        }

        String sinkDeadLetters() {
            return prefix + io.tributary.schemas.Topics.SINKS_DEAD_LETTERS;
        }

        void create() {
            KAFKA.broker()
                    .createTopics(
                            2,
                            alerts(),
                            qoe(),
                            trending(),
                            sessions(),
                            commerce(),
                            iot(),
                            media(),
                            pipeline(),
                            renditions(),
                            ingestDeadLetters(),
                            mediaDeadLetters(),
                            sinkDeadLetters());
        }

        WarehouseOptions options(String jdbcUrl, String... extra) {
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "--bootstrap-servers",
                                    KAFKA.bootstrapServers(),
                                    "--registry-url",
                                    REGISTRY.url(),
                                    "--jdbc-url",
                                    jdbcUrl,
                                    "--jdbc-user",
                                    PostgresServer.USER,
                                    "--alerts-topic",
                                    alerts(),
                                    "--qoe-topic",
                                    qoe(),
                                    "--trending-topic",
                                    trending(),
                                    "--sessions-topic",
                                    sessions(),
                                    "--commerce-topic",
                                    commerce(),
                                    "--iot-topic",
                                    iot(),
                                    "--media-topics",
                                    media() + "," + pipeline(),
                                    "--qoe-rendition-topic",
                                    renditions(),
                                    "--dead-letter-topics",
                                    ingestDeadLetters()
                                            + ","
                                            + mediaDeadLetters()
                                            + ","
                                            + sinkDeadLetters(),
                                    "--sink-dead-letter-topic",
                                    sinkDeadLetters(),
                                    "--group-id",
                                    prefix + "warehouse",
                                    "--transactional-id-prefix",
                                    prefix + "warehouse",
                                    "--transaction-timeout",
                                    "5m",
                                    "--batch-interval",
                                    "200ms"));
            args.addAll(Arrays.asList(extra));
            return JobCommandLine.parse(new WarehouseOptions(), args.toArray(String[]::new));
        }
    }

    /** Where an unstorable record was written, and what the dead letter must say about it. */
    private record Rejected(
            String topic,
            int partition,
            long offset,
            byte[] value,
            DeadLetterReason reason,
            String field) {
        String position() {
            return topic + "/" + partition + "@" + offset;
        }
    }

    @Test
    void everyTableHoldsTheNewestRevisionOfEveryKeyOnceAndUnstorableRecordsAreDeadLettered()
            throws Exception {
        Topics topics = new Topics("store-");
        topics.create();
        Random random = new Random(7);

        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            alerts.add(SampleRecords.alert(i));
            if (i % 4 == 0) {
                alerts.add(SampleRecords.alert(i)); // an upstream replay
            }
        }
        List<QoeMinute> qoe = revisions(30, 3, SampleRecords::qoe, random);
        List<QoeRenditionMinute> renditions = revisions(48, 2, SampleRecords::qoeRendition, random);
        List<TrendingTitles> trending = revisions(10, 2, SampleRecords::trending, random);
        List<ViewerSession> sessions = revisions(20, 2, SampleRecords::session, random);
        List<CommerceMinute> commerce = revisions(20, 2, SampleRecords::commerce, random);
        List<IotDevice5m> iot = revisions(20, 2, SampleRecords::iot, random);
        List<Envelope> media = new ArrayList<>();
        for (int item = 0; item < 8; item++) {
            media.addAll(SampleRecords.mediaPipeline(item));
        }
        Collections.shuffle(media, random);
        List<DeadLetter> ingestDeadLetters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ingestDeadLetters.add(SampleRecords.ingestDeadLetter(i));
        }
        List<DeadLetter> mediaDeadLetters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mediaDeadLetters.add(
                    DeadLetter.newBuilder(SampleRecords.ingestDeadLetter(i))
                            .setJob("media-pipeline")
                            .setSourceTopic(io.tributary.schemas.Topics.EVENTS_MEDIA)
                            .setReason(DeadLetterReason.INVALID_TRANSITION)
                            .build());
        }

        produce(topics.alerts(), alerts);
        produce(topics.qoe(), qoe);
        produce(topics.trending(), trending);
        produce(topics.sessions(), sessions);
        produce(topics.commerce(), commerce);
        produce(topics.iot(), iot);
        // Reports from workers and the upload service on one topic, the pipeline's decisions on
        // another.
        produce(
                topics.media(),
                media.stream().filter(e -> !e.getProducer().equals("tributary-media")).toList());
        produce(
                topics.pipeline(),
                media.stream().filter(e -> e.getProducer().equals("tributary-media")).toList());
        produce(topics.renditions(), renditions);
        produce(topics.ingestDeadLetters(), ingestDeadLetters);
        produce(topics.mediaDeadLetters(), mediaDeadLetters);

        List<Rejected> rejected = new ArrayList<>();
        QoeMinute tooLong =
                QoeMinute.newBuilder(SampleRecords.qoe(100, 0)).setTitleId("t".repeat(300)).build();
        rejected.add(produceBad(topics.qoe(), tooLong, DeadLetterReason.INVALID_VALUE, "title_id"));
        QoeMinute notANumber =
                QoeMinute.newBuilder(SampleRecords.qoe(101, 0))
                        .setRebufferRatio(Double.NaN)
                        .build();
        rejected.add(
                produceBad(
                        topics.qoe(),
                        notANumber,
                        DeadLetterReason.INVALID_VALUE,
                        "rebuffer_ratio"));
        IotDevice5m outOfRange =
                IotDevice5m.newBuilder(SampleRecords.iot(100, 0))
                        .setWindowStart(java.time.Instant.parse("+12026-01-01T00:00:00Z"))
                        .build();
        rejected.add(
                produceBad(
                        topics.iot(), outOfRange, DeadLetterReason.INVALID_VALUE, "window_start"));
        Alert notAUuid = Alert.newBuilder(SampleRecords.alert(100)).setAlertId("alert-100").build();
        rejected.add(
                produceBad(topics.alerts(), notAUuid, DeadLetterReason.INVALID_VALUE, "alert_id"));
        rejected.add(
                produceBad(
                        topics.media(),
                        SampleRecords.playerEvent(),
                        DeadLetterReason.INVALID_VALUE,
                        null));
        rejected.add(
                produceRaw(
                        topics.commerce(),
                        "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8),
                        DeadLetterReason.MALFORMED_AVRO,
                        null));

        String jdbcUrl = POSTGRES.server().createDatabase("store");
        WarehouseOptions options = topics.options(jdbcUrl, "--bounded");
        WarehouseMigrations.migrate(options.jdbcUrl, options.jdbcUser, options.jdbcPassword);

        FailOnceAfterCheckpoint<RawRecord> failure = new FailOnceAfterCheckpoint<>();
        StreamExecutionEnvironment env = environment(new Configuration());
        DataStream<RawRecord> raw =
                env.fromSource(
                        RawInput.source(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                                options.inputTopics(),
                                options.groupId,
                                true),
                        WatermarkStrategy.noWatermarks(),
                        "warehouse topics");
        WarehouseJob.build(
                raw.map(failure).returns(raw.getType()).name("inject failure"),
                options.routes(),
                RegistryConnection.of(REGISTRY.url()),
                PostgresSinks.of(options));
        env.execute("warehouse-it");
        assertThat(failure.hasFailed()).as("failure was injected").isTrue();

        try (Connection db = DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null)) {
            assertThat(
                            rows(
                                    db,
                                    "SELECT alert_id::text, rule_id, severity, alert_key, details->>'note', "
                                            + "array_to_string(matched_event_ids, ','), (extract(epoch FROM first_event_time) * 1000)::bigint FROM alerts"))
                    .isEqualTo(
                            expected(
                                    alerts,
                                    a -> a.getAlertId(),
                                    a ->
                                            List.of(
                                                    a.getRuleId(),
                                                    a.getSeverity().name(),
                                                    a.getKey(),
                                                    a.getDetails().get("note"),
                                                    String.join(",", a.getMatchedEventIds()),
                                                    a.getFirstEventTime().toEpochMilli())));
            assertThat(
                            rows(
                                    db,
                                    "SELECT "
                                            + epoch("window_start")
                                            + " || '|' || title_id || '|' || cdn || '|' || region || '|' || device_class, "
                                            + "revision, plays, rebuffer_ratio, startup_time_p95_ms FROM qoe_minute"))
                    .isEqualTo(
                            newest(
                                    qoe,
                                    q ->
                                            q.getWindowStart().toEpochMilli()
                                                    + "|"
                                                    + q.getTitleId()
                                                    + "|"
                                                    + q.getCdn()
                                                    + "|"
                                                    + q.getRegion()
                                                    + "|"
                                                    + q.getDeviceClass(),
                                    QoeMinute::getRevision,
                                    q ->
                                            Arrays.asList(
                                                    q.getRevision(),
                                                    q.getPlays(),
                                                    q.getRebufferRatio(),
                                                    q.getStartupTimeP95Ms())));
            assertThat(
                            rows(
                                    db,
                                    "SELECT region || '|' || "
                                            + epoch("window_start")
                                            + " || '|' || rank, revision, title_id, plays FROM trending_ranked"))
                    .isEqualTo(
                            rankedRows(
                                    newestRecords(
                                            trending,
                                            t ->
                                                    t.getRegion()
                                                            + "|"
                                                            + t.getWindowStart().toEpochMilli(),
                                            TrendingTitles::getRevision)));
            assertThat(
                            rows(
                                    db,
                                    "SELECT viewer_id || '|' || "
                                            + epoch("session_start")
                                            + ", revision, "
                                            + "array_to_string(titles_watched, ','), buffering_share FROM viewer_sessions"))
                    .isEqualTo(
                            newest(
                                    sessions,
                                    s -> s.getViewerId() + "|" + s.getSessionStart().toEpochMilli(),
                                    ViewerSession::getRevision,
                                    s ->
                                            List.of(
                                                    s.getRevision(),
                                                    String.join(",", s.getTitlesWatched()),
                                                    s.getBufferingShare())));
            assertThat(
                            rows(
                                    db,
                                    "SELECT "
                                            + epoch("window_start")
                                            + " || '|' || country || '|' || currency, revision, orders_created, "
                                            + "revenue_minor, payment_failure_rate FROM commerce_minute"))
                    .isEqualTo(
                            newest(
                                    commerce,
                                    c ->
                                            c.getWindowStart().toEpochMilli()
                                                    + "|"
                                                    + c.getCountry()
                                                    + "|"
                                                    + c.getCurrency(),
                                    CommerceMinute::getRevision,
                                    c ->
                                            List.of(
                                                    c.getRevision(),
                                                    c.getOrdersCreated(),
                                                    c.getRevenueMinor(),
                                                    c.getPaymentFailureRate())));
            assertThat(
                            rows(
                                    db,
                                    "SELECT "
                                            + epoch("window_start")
                                            + " || '|' || device_id || '|' || metric, revision, readings, max, anomaly "
                                            + "FROM iot_device_5m"))
                    .isEqualTo(
                            newest(
                                    iot,
                                    r ->
                                            r.getWindowStart().toEpochMilli()
                                                    + "|"
                                                    + r.getDeviceId()
                                                    + "|"
                                                    + r.getMetric(),
                                    IotDevice5m::getRevision,
                                    r ->
                                            List.of(
                                                    r.getRevision(),
                                                    r.getReadings(),
                                                    r.getMax(),
                                                    r.getAnomaly())));
            assertThat(
                            rows(
                                    db,
                                    "SELECT "
                                            + epoch("window_start")
                                            + " || '|' || title_id || '|' || rendition_id, revision, "
                                            + "watch_time_ms, buffering_ms, rebuffer_ratio, downshifts FROM qoe_rendition_minute"))
                    .isEqualTo(
                            newest(
                                    renditions,
                                    r ->
                                            r.getWindowStart().toEpochMilli()
                                                    + "|"
                                                    + r.getTitleId()
                                                    + "|"
                                                    + r.getRenditionId(),
                                    QoeRenditionMinute::getRevision,
                                    r ->
                                            List.of(
                                                    r.getRevision(),
                                                    r.getWatchTimeMs(),
                                                    r.getBufferingMs(),
                                                    r.getRebufferRatio(),
                                                    r.getDownshifts())));
            assertThat(
                            rows(
                                    db,
                                    "SELECT media_id || '|' || stage || '|' || part, state, event_id FROM media_jobs"))
                    .isEqualTo(newestMediaParts(media));
            assertThat(
                            rows(
                                            db,
                                            "SELECT media_id, state FROM media_jobs WHERE stage = 'upload'")
                                    .values())
                    .as("a decision outranks the report it shares its time with")
                    .allMatch(state -> state.equals(List.of("UPLOADED")));
            assertThat(
                            rows(
                                    db,
                                    "SELECT title_id || '|' || rendition_id, in_published_ladder FROM rendition_qoe_by_published_title"))
                    .as(
                            "every played rendition of the published titles, flagged when the pipeline never produced it")
                    .hasSize(24)
                    .allSatisfy(
                            (key, values) ->
                                    assertThat(values).containsExactly(!key.endsWith("|4000k")));
            assertThat(
                            rows(
                                    db,
                                    "SELECT job || '|' || source_topic || '|' || source_partition || '|' || source_offset, "
                                            + "reason, field, message, convert_from(original_value, 'UTF8') FROM dead_letters"))
                    .isEqualTo(
                            expected(
                                    concat(ingestDeadLetters, mediaDeadLetters),
                                    d ->
                                            d.getJob()
                                                    + "|"
                                                    + d.getSourceTopic()
                                                    + "|"
                                                    + d.getSourcePartition()
                                                    + "|"
                                                    + d.getSourceOffset(),
                                    d ->
                                            Arrays.asList(
                                                    d.getReason().name(),
                                                    d.getField(),
                                                    d.getMessage(),
                                                    StandardCharsets.UTF_8
                                                            .decode(
                                                                    d.getOriginalValue()
                                                                            .duplicate())
                                                            .toString())));
        }

        var deserializer = ConfluentAvro.deserializer(DeadLetter.class, REGISTRY.url());
        Map<String, DeadLetter> deadLetters = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(),
                        List.of(topics.sinkDeadLetters()),
                        Duration.ofSeconds(60))) {
            DeadLetter letter = deserializer.deserialize(record.value());
            String position =
                    letter.getSourceTopic()
                            + "/"
                            + letter.getSourcePartition()
                            + "@"
                            + letter.getSourceOffset();
            assertThat(deadLetters.put(position, letter))
                    .as("one dead letter for " + position)
                    .isNull();
        }
        assertThat(deadLetters).hasSize(rejected.size());
        for (Rejected bad : rejected) {
            DeadLetter letter = deadLetters.get(bad.position());
            assertThat(letter).as("dead letter for " + bad.position()).isNotNull();
            assertThat(letter.getReason()).isEqualTo(bad.reason());
            assertThat(letter.getField()).isEqualTo(bad.field());
            assertThat(letter.getJob()).isEqualTo(WarehouseJob.JOB);
            assertThat(bytes(letter.getOriginalValue())).isEqualTo(bad.value());
            assertThat(letter.getMessage()).isNotBlank();
        }
    }

    @Test
    void aDatabaseOutageMidStreamIsRiddenOutWithNothingLost() throws Exception {
        Topics topics = new Topics("outage-");
        topics.create();
        String jdbcUrl = POSTGRES.server().createDatabase("outage");
        WarehouseOptions options = topics.options(jdbcUrl, "--max-retries", "1");
        WarehouseMigrations.migrate(options.jdbcUrl, options.jdbcUser, options.jdbcPassword);

        Configuration patient = new Configuration();
        patient.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        patient.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofMillis(500));
        patient.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofSeconds(4));
        patient.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, 1000);
        StreamExecutionEnvironment env = environment(patient);
        WarehouseJobMain.buildOnKafka(env, options);
        JobClient job = env.executeAsync("warehouse-outage-it");
        try {
            List<QoeMinute> before = new ArrayList<>();
            for (int key = 0; key < 100; key++) {
                before.add(SampleRecords.qoe(key, 0));
            }
            produce(topics.qoe(), before);
            awaitRowCount(jdbcUrl, "qoe_minute", 100, Duration.ofSeconds(90));

            POSTGRES.server().stop();
            List<QoeMinute> during = new ArrayList<>();
            for (int key = 0; key < 200; key++) {
                during.add(SampleRecords.qoe(key, 1));
            }
            produce(topics.qoe(), during);
            // Failed batches against the missing database restart the job from its last checkpoint.
            await("restarts while the database is down")
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> restarts(job) >= 2);
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState())
                    .as("the job backs off and waits; it does not give up")
                    .isFalse();
            POSTGRES.server().start();

            List<QoeMinute> all = new ArrayList<>(before);
            all.addAll(during);
            Map<String, List<Object>> expected =
                    newest(
                            all,
                            q ->
                                    q.getWindowStart().toEpochMilli()
                                            + "|"
                                            + q.getTitleId()
                                            + "|"
                                            + q.getCdn()
                                            + "|"
                                            + q.getRegion()
                                            + "|"
                                            + q.getDeviceClass(),
                            QoeMinute::getRevision,
                            q -> List.of(q.getRevision(), q.getPlays()));
            String query =
                    "SELECT "
                            + epoch("window_start")
                            + " || '|' || title_id || '|' || cdn || '|' || region || '|' || device_class, "
                            + "revision, plays FROM qoe_minute";
            await("the newest revision of every row stored")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(
                            () -> {
                                try (Connection db =
                                        DriverManager.getConnection(
                                                jdbcUrl, PostgresServer.USER, null)) {
                                    assertThat(rows(db, query)).isEqualTo(expected);
                                }
                            });
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /** The job's numRestarts metric, through the cluster's REST API. */
    private static long restarts(JobClient job) throws Exception {
        Configuration client = FLINK.getClientConfiguration();
        URI uri =
                URI.create(
                        "http://"
                                + client.get(RestOptions.ADDRESS)
                                + ":"
                                + client.get(RestOptions.PORT)
                                + "/jobs/"
                                + job.getJobID()
                                + "/metrics?get=numRestarts");
        HttpClient http = HttpClient.newHttpClient();
        JsonNode metrics =
                await("the numRestarts metric of " + job.getJobID())
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(500))
                        .until(
                                () ->
                                        new ObjectMapper()
                                                .readTree(
                                                        http.send(
                                                                        HttpRequest.newBuilder(uri)
                                                                                .GET()
                                                                                .build(),
                                                                        HttpResponse.BodyHandlers
                                                                                .ofString())
                                                                .body()),
                                body -> body.isArray() && body.size() > 0);
        return metrics.get(0).path("value").asLong();
    }

    private static StreamExecutionEnvironment environment(Configuration config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(300);
        env.getConfig().disableGenericTypes();
        return env;
    }

    /**
     * {@code keys} keys with {@code revisions} revisions each, shuffled, so older ones often arrive
     * last.
     */
    private static <T> List<T> revisions(
            int keys,
            int revisions,
            java.util.function.BiFunction<Integer, Integer, T> make,
            Random random) {
        List<T> all = new ArrayList<>();
        for (int key = 0; key < keys; key++) {
            for (int revision = 0; revision < revisions; revision++) {
                all.add(make.apply(key, revision));
            }
        }
        Collections.shuffle(all, random);
        return all;
    }

    private static <T> Map<String, T> newestRecords(
            List<T> records, Function<T, String> key, Function<T, Integer> revision) {
        Map<String, T> newest = new HashMap<>();
        for (T record : records) {
            newest.merge(
                    key.apply(record),
                    record,
                    (a, b) -> revision.apply(a) >= revision.apply(b) ? a : b);
        }
        return newest;
    }

    private static <T> Map<String, List<Object>> newest(
            List<T> records,
            Function<T, String> key,
            Function<T, Integer> revision,
            Function<T, List<Object>> values) {
        Map<String, List<Object>> rows = new HashMap<>();
        newestRecords(records, key, revision)
                .forEach((k, record) -> rows.put(k, values.apply(record)));
        return rows;
    }

    private static <T> Map<String, List<Object>> expected(
            List<T> records, Function<T, String> key, Function<T, List<Object>> values) {
        Map<String, List<Object>> rows = new HashMap<>();
        records.forEach(record -> rows.put(key.apply(record), values.apply(record)));
        return rows;
    }

    private static Map<String, List<Object>> rankedRows(Map<String, TrendingTitles> newest) {
        Map<String, List<Object>> rows = new HashMap<>();
        newest.forEach(
                (key, ranking) -> {
                    for (RankedTitle title : ranking.getTitles()) {
                        rows.put(
                                key + "|" + title.getRank(),
                                List.of(
                                        ranking.getRevision(),
                                        title.getTitleId(),
                                        title.getPlays()));
                    }
                });
        return rows;
    }

    /**
     * The newest event of each part by time, then by the pipeline's step (checked on its own
     * above), then by id.
     */
    private static Map<String, List<Object>> newestMediaParts(List<Envelope> events) {
        Comparator<Envelope> order =
                Comparator.comparing((Envelope e) -> e.getEventTime())
                        .thenComparingInt(e -> MediaJobRow.of(e).step)
                        .thenComparing(Envelope::getEventId);
        Map<String, Envelope> newest = new HashMap<>();
        for (Envelope event : events) {
            MediaJobRow row = MediaJobRow.of(event);
            newest.merge(
                    row.mediaId + "|" + row.stage + "|" + row.part,
                    event,
                    (a, b) -> order.compare(a, b) >= 0 ? a : b);
        }
        Map<String, List<Object>> rows = new HashMap<>();
        newest.forEach(
                (key, event) ->
                        rows.put(key, List.of(event.getEventType().name(), event.getEventId())));
        return rows;
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static String epoch(String column) {
        return "(extract(epoch FROM " + column + ") * 1000)::bigint";
    }

    /** The first column as key, the others as values; fails on a duplicate key. */
    private static Map<String, List<Object>> rows(Connection db, String sql) throws SQLException {
        Map<String, List<Object>> rows = new HashMap<>();
        try (Statement statement = db.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<Object> values = new ArrayList<>();
                for (int i = 2; i <= columns; i++) {
                    values.add(result.getObject(i));
                }
                assertThat(rows.put(result.getString(1), values))
                        .as("duplicate row " + result.getString(1))
                        .isNull();
            }
        }
        return rows;
    }

    private static void awaitRowCount(String jdbcUrl, String table, int count, Duration timeout)
            throws Exception {
        await(table + " holding " + count + " rows")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(300))
                .until(
                        () -> {
                            try (Connection db =
                                            DriverManager.getConnection(
                                                    jdbcUrl, PostgresServer.USER, null);
                                    Statement statement = db.createStatement();
                                    ResultSet result =
                                            statement.executeQuery(
                                                    "SELECT count(*) FROM " + table)) {
                                result.next();
                                return result.getInt(1);
                            }
                        },
                        seen -> seen >= count);
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> void produce(String topic, List<T> records)
            throws Exception {
        if (records.isEmpty()) {
            return;
        }
        var serializer =
                ConfluentAvro.serializer(
                        (Class<T>) records.get(0).getClass(), topic, REGISTRY.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>();
            for (T record : records) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(topic, null, serializer.serialize(record))));
            }
            for (var ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> Rejected produceBad(
            String topic, T record, DeadLetterReason reason, String field) throws Exception {
        var serializer =
                ConfluentAvro.serializer((Class<T>) record.getClass(), topic, REGISTRY.url());
        serializer.open(null);
        return produceRaw(topic, serializer.serialize(record), reason, field);
    }

    private static Rejected produceRaw(
            String topic, byte[] value, DeadLetterReason reason, String field) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            RecordMetadata written =
                    producer.send(new ProducerRecord<>(topic, null, value))
                            .get(60, TimeUnit.SECONDS);
            return new Rejected(topic, written.partition(), written.offset(), value, reason, field);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
