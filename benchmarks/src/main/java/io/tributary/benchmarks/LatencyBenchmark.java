package io.tributary.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.aggregations.AggregationsJobMain;
import io.tributary.aggregations.AggregationsOptions;
import io.tributary.cep.job.CepRulesJobMain;
import io.tributary.cep.job.CepRulesOptions;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.ingest.IngestJobMain;
import io.tributary.ingest.IngestOptions;
import io.tributary.jobs.RuntimeOptions;
import io.tributary.schemas.Topics;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.sinks.warehouse.WarehouseJobMain;
import io.tributary.sinks.warehouse.WarehouseMigrations;
import io.tributary.sinks.warehouse.WarehouseOptions;
import io.tributary.testkit.Repository;
import io.tributary.testkit.infra.KafkaBroker;
import io.tributary.testkit.infra.PostgresServer;
import io.tributary.testkit.infra.SchemaRegistry;
import io.tributary.testkit.infra.TempDirs;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Freshness as users see it: ingest, CEP rules, aggregations and the warehouse sink running as
 * deployed (separate jobs on one embedded Flink) against the real broker, registry and PostgreSQL,
 * fed raw records at a steady rate. Every path is timed from the moment the broker acknowledges a
 * raw record to the moment a reader users use can see what it became:
 *
 * <ul>
 *   <li>raw → canonical topic, read_committed (what every job after ingest reads by default) and
 *       read_uncommitted (what the low-latency CEP job reads);
 *   <li>raw → alert on {@code cep.alerts}, read_committed, for card-testing sequences sent among
 *       the traffic (timed from the payment that completes the pattern);
 *   <li>raw → that alert's row in PostgreSQL;
 *   <li>window → aggregate row in PostgreSQL: from the moment input that moves the aggregations'
 *       watermark past the window's end can first exist (window end + the job's out-of-orderness)
 *       to the row's first appearance.
 * </ul>
 *
 * Each setup (profile × checkpoint interval) runs on a fresh broker and database. After the
 * measured period a burst of raw records measures how fast ingest drains it with that setup, so
 * each setup's cost in throughput is in the same run.
 */
@Command(
        name = "bench latency",
        mixinStandardHelpOptions = true,
        description =
                "End-to-end latency of the suite per checkpoint interval and profile; writes results/latency.md and SVG histograms.")
public final class LatencyBenchmark implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--rate",
            defaultValue = "2000",
            description =
                    "Raw records per second; the default is what one 2-core machine sustains with all four jobs, the broker,"
                            + " registry, PostgreSQL and this generator on it (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(
            names = "--warm-up",
            defaultValue = "60s",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Traffic before measuring: longer than the jobs' 30 s idleness, so that topics without traffic stop holding watermarks (default: ${DEFAULT-VALUE}).")
    Duration warmUp;

    @Option(
            names = "--duration",
            defaultValue = "90s",
            converter = RuntimeOptions.DurationConverter.class,
            description = "Measured period per setup (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--checkpoint-intervals",
            split = ",",
            defaultValue = "10s,1s,200ms",
            converter = DurationOrNone.class,
            description =
                    "Exactly-once setups, one per interval; 'none' for none (default: ${DEFAULT-VALUE}).")
    List<Duration> checkpointIntervals;

    @Option(
            names = "--changelog-intervals",
            split = ",",
            defaultValue = "none",
            converter = DurationOrNone.class,
            description =
                    "Exactly-once setups with Flink's changelog state backend (--changelog), one per interval (default: ${DEFAULT-VALUE}).")
    List<Duration> changelogIntervals;

    @Option(
            names = "--low-latency-changelog",
            description = "Low-latency setups also with --changelog.")
    boolean lowLatencyChangelog;

    @Option(
            names = "--low-latency-intervals",
            split = ",",
            defaultValue = "1s,200ms",
            converter = DurationOrNone.class,
            description =
                    "Low-latency profile setups, one per checkpoint interval; 'none' for none (default: ${DEFAULT-VALUE}).")
    List<Duration> lowLatencyIntervals;

    @Option(
            names = "--low-latency-buffer-timeouts",
            split = ",",
            defaultValue = "none",
            converter = DurationOrNone.class,
            description =
                    "Low-latency setups are repeated with each of these --buffer-timeout values; 'none' keeps the profile's"
                            + " (default: ${DEFAULT-VALUE}).")
    List<Duration> lowLatencyBufferTimeouts;

    @Option(
            names = "--cep-out-of-orderness",
            defaultValue = "200ms",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "The CEP job's --max-out-of-orderness; a match is only judged once the watermark passes its last event (default: ${DEFAULT-VALUE}).")
    Duration cepOutOfOrderness;

    @Option(
            names = "--event-delay",
            defaultValue = "100ms",
            converter = RuntimeOptions.DurationConverter.class,
            description =
                    "Longest time an event's timestamp lies before its sending, within the CEP bound (default: ${DEFAULT-VALUE}).")
    Duration eventDelay;

    @Option(
            names = "--card-testing-per-second",
            defaultValue = "5",
            description =
                    "Card-testing sequences (three failed payments, then a success) per second among the traffic (default: ${DEFAULT-VALUE}).")
    int cardTestingPerSecond;

    @Option(
            names = "--sample-every",
            defaultValue = "10",
            description =
                    "Time one raw record in this many (every card-testing sequence is timed) (default: ${DEFAULT-VALUE}).")
    int sampleEvery;

    @Option(
            names = "--burst",
            defaultValue = "60000",
            description =
                    "Raw records sent as fast as possible after the measured period, to measure ingest's throughput per setup (default: ${DEFAULT-VALUE}).")
    int burst;

    @Option(
            names = "--results",
            defaultValue = "results/latency.md",
            description = "Results file; SVG charts go beside it (default: ${DEFAULT-VALUE}).")
    Path results;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LatencyBenchmark()).execute(args));
    }

    /** A duration, or null for {@code none}. */
    static final class DurationOrNone implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return value.isBlank() || value.equals("none")
                    ? null
                    : new RuntimeOptions.DurationConverter().convert(value);
        }
    }

    /** What is timed. */
    enum Route {
        CANONICAL_COMMITTED("raw → canonical (read_committed)"),
        CANONICAL_UNCOMMITTED("raw → canonical (read_uncommitted)"),
        ALERT_KAFKA("raw → alert on cep.alerts (read_committed)"),
        ALERT_POSTGRES("raw → alert row in PostgreSQL"),
        AGGREGATE_POSTGRES("window closable → aggregate row in PostgreSQL");

        final String title;

        Route(String title) {
            this.title = title;
        }

        String file() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One deployment of the suite: a profile, a checkpoint interval and, where set, a buffer
     * timeout other than the profile's.
     */
    record Setup(
            RuntimeOptions.Profile profile,
            Duration checkpointInterval,
            Duration bufferTimeout,
            boolean changelog) {
        String name() {
            return (profile == RuntimeOptions.Profile.LOW_LATENCY ? "low-latency" : "exactly-once")
                    + ", checkpoints "
                    + human(checkpointInterval)
                    + (bufferTimeout == null ? "" : ", buffer timeout " + human(bufferTimeout))
                    + (changelog ? ", changelog" : "");
        }
    }

    /** A setup's figures. */
    record Outcome(
            Setup setup,
            Map<Route, long[]> samples,
            Map<Route, Integer> expected,
            double offeredRate,
            double burstRate,
            Map<String, String> checkpoints) {}

    @Override
    public Integer call() throws Exception {
        List<Setup> setups = new ArrayList<>();
        checkpointIntervals.stream()
                .filter(java.util.Objects::nonNull)
                .forEach(
                        i ->
                                setups.add(
                                        new Setup(
                                                RuntimeOptions.Profile.EXACTLY_ONCE,
                                                i,
                                                null,
                                                false)));
        changelogIntervals.stream()
                .filter(java.util.Objects::nonNull)
                .forEach(
                        i ->
                                setups.add(
                                        new Setup(
                                                RuntimeOptions.Profile.EXACTLY_ONCE,
                                                i,
                                                null,
                                                true)));
        for (Duration interval : lowLatencyIntervals) {
            if (interval != null) {
                for (Duration timeout : lowLatencyBufferTimeouts) {
                    setups.add(
                            new Setup(
                                    RuntimeOptions.Profile.LOW_LATENCY,
                                    interval,
                                    timeout,
                                    lowLatencyChangelog));
                }
            }
        }
        Path work = TempDirs.create("bench-latency");
        List<Outcome> outcomes = new ArrayList<>();
        say(
                "Starting a schema registry and PostgreSQL; each setup gets a fresh broker and database.");
        try (SchemaRegistry registry = SchemaRegistry.start();
                PostgresServer postgres = PostgresServer.start("bench-latency")) {
            int index = 0;
            for (Setup setup : setups) {
                say("== " + setup.name());
                Outcome outcome =
                        measure(setup, registry, postgres, work.resolve("setup-" + index), index);
                outcomes.add(outcome);
                index++;
                say(summary(outcome));
            }
        } finally {
            TempDirs.delete(work);
        }
        write(outcomes);
        return 0;
    }

    private Outcome measure(
            Setup setup, SchemaRegistry registry, PostgresServer postgres, Path work, int index)
            throws Exception {
        String jdbcUrl = postgres.createDatabase("latency_" + index);
        try (KafkaBroker kafka = KafkaBroker.start();
                SuiteCluster flink = SuiteCluster.start(work, 4)) {
            List<String> common =
                    new ArrayList<>(
                            List.of(
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--registry-url",
                                    registry.url(),
                                    "--checkpoint-interval",
                                    setup.checkpointInterval().toMillis() + "ms",
                                    "--profile",
                                    setup.profile() == RuntimeOptions.Profile.LOW_LATENCY
                                            ? "low-latency"
                                            : "exactly-once",
                                    "--transaction-timeout",
                                    "5m"));
            if (setup.changelog()) {
                common.add("--changelog");
            }
            if (setup.bufferTimeout() != null) {
                common.addAll(List.of("--buffer-timeout", setup.bufferTimeout().toMillis() + "ms"));
            }

            IngestOptions ingest = parse(new IngestOptions(), common);
            AggregationsOptions aggregations = parse(new AggregationsOptions(), common);
            CepRulesOptions cep =
                    parse(
                            new CepRulesOptions(),
                            common,
                            "--rules",
                            Repository.rules().toString(),
                            "--max-out-of-orderness",
                            cepOutOfOrderness.toMillis() + "ms");
            // The warehouse's own batching adds up to its interval to every row; the low-latency
            // deployment shortens it.
            WarehouseOptions warehouse =
                    parse(
                            new WarehouseOptions(),
                            common,
                            "--jdbc-url",
                            jdbcUrl,
                            "--jdbc-user",
                            PostgresServer.USER,
                            "--batch-interval",
                            setup.profile() == RuntimeOptions.Profile.LOW_LATENCY ? "100ms" : "1s");
            createTopics(kafka, ingest, aggregations, cep, warehouse);
            CepRulesJobMain.prepareRuleTopics(cep);
            WarehouseMigrations.migrate(warehouse.jdbcUrl, warehouse.jdbcUser, null);

            flink.submit("ingest", ingest.runtime, env -> IngestJobMain.buildOnKafka(env, ingest));
            flink.submit(
                    "aggregations",
                    aggregations.runtime,
                    env -> AggregationsJobMain.buildOnKafka(env, aggregations));
            flink.submit(
                    "cep-rules",
                    cep.runtime,
                    env ->
                            CepRulesJobMain.buildOnKafka(
                                    env, cep, RuleLoader.load(cep.rules).rulesOrThrow()));
            flink.submit(
                    "warehouse",
                    warehouse.runtime,
                    env -> WarehouseJobMain.buildOnKafka(env, warehouse));

            Observations seen = new Observations();
            Feed feed = new Feed(kafka, index);
            long aggregationBound = aggregations.kafka.maxOutOfOrderness.toMillis();
            List<Thread> observers =
                    List.of(
                            daemon(
                                    "canonical-committed",
                                    () ->
                                            observeCanonical(
                                                    kafka,
                                                    ingest,
                                                    feed.timed,
                                                    "read_committed",
                                                    seen.of(Route.CANONICAL_COMMITTED),
                                                    seen.committedCanonical,
                                                    seen)),
                            daemon(
                                    "canonical-uncommitted",
                                    () ->
                                            observeCanonical(
                                                    kafka,
                                                    ingest,
                                                    feed.timed,
                                                    "read_uncommitted",
                                                    seen.of(Route.CANONICAL_UNCOMMITTED),
                                                    seen.writtenCanonical,
                                                    seen)),
                            daemon(
                                    "alerts",
                                    () ->
                                            observeAlerts(
                                                    kafka,
                                                    registry,
                                                    cep.alertsTopic,
                                                    seen.of(Route.ALERT_KAFKA),
                                                    seen)),
                            daemon(
                                    "postgres",
                                    () -> observePostgres(jdbcUrl, aggregationBound, seen)));
            observers.forEach(Thread::start);

            say("  warming up for " + human(warmUp) + " at " + rate + " records/s");
            feed.run(warmUp, false);
            String stopped = flink.stoppedJob();
            if (stopped != null) {
                throw new IllegalStateException("A job stopped during the warm-up: " + stopped);
            }
            say("  measuring for " + human(duration));
            long measureFrom = System.currentTimeMillis();
            seen.windowsFrom = measureFrom;
            feed.run(duration, true);
            long measureTo = System.currentTimeMillis();
            seen.windowsTo = measureTo;
            // Traffic goes on unmeasured, so that watermarks pass the last measured windows and
            // every measured output has time to commit.
            Duration tail =
                    Duration.ofMillis(
                            Math.max(
                                    20_000,
                                    3 * setup.checkpointInterval().toMillis()
                                            + aggregationBound
                                            + 5_000));
            say("  letting the last measured output through for " + human(tail));
            feed.run(tail, false);
            double offered = feed.measuredSent.get() * 1000.0 / (measureTo - measureFrom);

            say("  burst of " + burst + " raw records");
            Map<String, String> checkpoints = flink.checkpoints();
            double burstRate = feed.burst(burst, seen.writtenCanonical);
            stopped = flink.stoppedJob();
            if (stopped != null) {
                throw new IllegalStateException("A job stopped: " + stopped);
            }
            seen.running = false;
            for (Thread observer : observers) {
                observer.join(10_000);
            }

            Map<Route, long[]> samples = new EnumMap<>(Route.class);
            Map<Route, Integer> expected = new EnumMap<>(Route.class);
            for (Route route :
                    List.of(
                            Route.CANONICAL_COMMITTED,
                            Route.CANONICAL_UNCOMMITTED,
                            Route.ALERT_KAFKA,
                            Route.ALERT_POSTGRES)) {
                Map<String, Long> acked =
                        route == Route.ALERT_KAFKA || route == Route.ALERT_POSTGRES
                                ? feed.completingPayments
                                : feed.measuredAcks;
                samples.put(route, latencies(acked, seen.of(route)));
                expected.put(route, acked.size());
            }
            long[] windows =
                    seen.windowLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
            samples.put(Route.AGGREGATE_POSTGRES, windows);
            expected.put(Route.AGGREGATE_POSTGRES, windows.length);
            return new Outcome(setup, samples, expected, offered, burstRate, checkpoints);
        }
    }

    /** First sight of each event id (or alert's completing event id) per route. */
    static final class Observations {
        private final Map<Route, Map<String, Long>> seen = new EnumMap<>(Route.class);
        final AtomicLong committedCanonical = new AtomicLong();

        /** Canonical records as ingest writes them, before its transactions commit. */
        final AtomicLong writtenCanonical = new AtomicLong();

        volatile boolean running = true;
        final List<Long> windowLatencies =
                java.util.Collections.synchronizedList(new ArrayList<>());
        volatile long windowsFrom = Long.MAX_VALUE;
        volatile long windowsTo = Long.MAX_VALUE;

        Observations() {
            for (Route route : Route.values()) {
                seen.put(route, new ConcurrentHashMap<>());
            }
        }

        Map<String, Long> of(Route route) {
            return seen.get(route);
        }
    }

    /**
     * Seen minus acknowledged, per measured id seen; a reader can see a record a moment before its
     * producer's callback runs, so such a sample counts as 0.
     */
    static long[] latencies(Map<String, Long> acked, Map<String, Long> seen) {
        List<Long> values = new ArrayList<>();
        acked.forEach(
                (id, ack) -> {
                    Long at = seen.get(id);
                    if (at != null) {
                        values.add(Math.max(0, at - ack));
                    }
                });
        return values.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** The raw traffic: generated platform events, with card-testing sequences among them. */
    final class Feed {
        private final KafkaProducer<byte[], byte[]> producer;
        private final TrafficGenerator generator;
        private final Deque<GeneratedRecord> cardTesting = new ArrayDeque<>();
        private final Set<String> completing = ConcurrentHashMap.newKeySet();

        /** Ids of the records being timed, known before they are sent. */
        final Set<String> timed = ConcurrentHashMap.newKeySet();

        final Map<String, Long> measuredAcks = new ConcurrentHashMap<>();
        final Map<String, Long> completingPayments = new ConcurrentHashMap<>();
        final AtomicLong measuredSent = new AtomicLong();
        private long account;

        Feed(KafkaBroker kafka, int seed) {
            producer = kafka.producer(Map.of("linger.ms", 1));
            generator =
                    new TrafficGenerator(
                            seed,
                            System::currentTimeMillis,
                            0,
                            0,
                            false,
                            (int) eventDelay.toMillis());
        }

        /** Sends at the steady rate for {@code length}; measured records are timed. */
        void run(Duration length, boolean measured) throws InterruptedException {
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long every = Math.max(1, rate / Math.max(1, cardTestingPerSecond) / 4);
            long sent = 0;
            while (System.nanoTime() < end) {
                long due = start + sent * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                GeneratedRecord record =
                        cardTestingPerSecond > 0 && sent % every == 0
                                ? nextCardTestingEvent()
                                : generator.next();
                send(record, measured, sent);
                sent++;
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            producer.flush();
        }

        private void send(GeneratedRecord record, boolean measured, long sequence) {
            String id = record.eventId();
            boolean completes = completing.contains(id);
            boolean timing = measured && (completes || sequence % sampleEvery == 0);
            if (measured) {
                measuredSent.incrementAndGet();
            }
            if (timing) {
                timed.add(id);
            }
            producer.send(
                    new ProducerRecord<>(record.topic(), record.key(), record.value()),
                    (metadata, error) -> {
                        if (error == null && timing) {
                            long now = System.currentTimeMillis();
                            measuredAcks.put(id, now);
                            if (completes) {
                                completingPayments.put(id, now);
                            }
                        }
                    });
        }

        /** Three failed payments and then a success for a new account, one event per call. */
        private GeneratedRecord nextCardTestingEvent() {
            if (cardTesting.isEmpty()) {
                String acct = "bench-acct-" + account++;
                for (String type :
                        List.of(
                                "payment_failed",
                                "payment_failed",
                                "payment_failed",
                                "payment_succeeded")) {
                    String eventId = UUID.randomUUID().toString();
                    ObjectNode event = JSON.createObjectNode();
                    event.put("eventId", eventId);
                    event.put("type", type);
                    event.put("eventTime", Instant.now().toString());
                    event.put("orderId", "ord-" + acct);
                    event.put("accountId", acct);
                    event.put("country", "DE");
                    event.put("currency", "EUR");
                    event.put("amount", "19.99");
                    event.put("producer", "checkout-svc");
                    event.put("paymentId", "pay-" + eventId);
                    event.put("paymentMethod", "card");
                    if (type.equals("payment_failed")) {
                        event.put("failureReason", "card_declined");
                    } else {
                        completing.add(eventId);
                    }
                    cardTesting.add(
                            new GeneratedRecord(
                                    Topics.RAW_COMMERCE,
                                    acct.getBytes(StandardCharsets.UTF_8),
                                    bytes(event),
                                    GeneratedRecord.Kind.GOOD,
                                    eventId));
                }
            }
            GeneratedRecord next = cardTesting.poll();
            // Event time is the moment of sending, like the generated traffic's.
            return restamp(next);
        }

        /**
         * Sends {@code count} records as fast as the producer takes them and returns the rate at
         * which ingest wrote them (read uncommitted: the wait for its next checkpoint would
         * otherwise count as slowness).
         */
        double burst(int count, AtomicLong written) throws InterruptedException {
            long before = written.get();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                GeneratedRecord record = generator.nextGood();
                producer.send(new ProducerRecord<>(record.topic(), record.key(), record.value()));
            }
            producer.flush();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (written.get() - before < count && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long done = written.get() - before;
            return done * 1e9 / (System.nanoTime() - start);
        }
    }

    private static GeneratedRecord restamp(GeneratedRecord record) {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(record.value());
            event.put("eventTime", Instant.now().toString());
            return new GeneratedRecord(
                    record.topic(), record.key(), bytes(event), record.kind(), record.eventId());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(ObjectNode event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void observeCanonical(
            KafkaBroker kafka,
            IngestOptions ingest,
            Set<String> timed,
            String isolation,
            Map<String, Long> seen,
            AtomicLong count,
            Observations observations) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, isolation)) {
            consumer.subscribe(
                    List.of(
                            ingest.playerTopic,
                            ingest.mediaTopic,
                            ingest.commerceTopic,
                            ingest.iotTopic));
            while (observations.running) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    String id = eventId(record.value());
                    if (timed.contains(id)) {
                        seen.putIfAbsent(id, now);
                    }
                }
                count.addAndGet(records.count());
            }
        }
    }

    /**
     * The event id of a canonical record without decoding the rest: after the Confluent header
     * (magic byte, schema id), an Envelope starts with its eventId, an Avro string (zig-zag varint
     * length, UTF-8).
     */
    static String eventId(byte[] value) {
        int position = 5;
        long raw = 0;
        int shift = 0;
        byte b;
        do {
            b = value[position++];
            raw |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        int length = (int) ((raw >>> 1) ^ -(raw & 1));
        return new String(value, position, length, StandardCharsets.UTF_8);
    }

    private static void observeAlerts(
            KafkaBroker kafka,
            SchemaRegistry registry,
            String topic,
            Map<String, Long> seen,
            Observations observations) {
        RegistryAvroDeserializationSchema<Alert> decoder =
                ConfluentAvro.deserializer(Alert.class, RegistryConnection.of(registry.url()));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka, "read_committed")) {
            consumer.subscribe(List.of(topic));
            while (observations.running) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    Alert alert = decoder.deserialize(record.value());
                    if (alert.getRuleId().equals("card-testing")) {
                        List<String> ids = alert.getMatchedEventIds();
                        seen.putIfAbsent(ids.get(ids.size() - 1), now);
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void observePostgres(String jdbcUrl, long aggregationBound, Observations seen) {
        Map<String, Integer> rowsPerWindow = new HashMap<>();
        try (Connection connection =
                        DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null);
                Statement statement = connection.createStatement()) {
            while (seen.running) {
                long now = System.currentTimeMillis();
                try (ResultSet alerts =
                        statement.executeQuery(
                                "SELECT matched_event_ids[array_length(matched_event_ids, 1)] FROM alerts"
                                        + " WHERE rule_id = 'card-testing'")) {
                    while (alerts.next()) {
                        seen.of(Route.ALERT_POSTGRES).putIfAbsent(alerts.getString(1), now);
                    }
                }
                try (ResultSet windows =
                        statement.executeQuery(
                                "SELECT 'qoe', (extract(epoch FROM window_end) * 1000)::bigint, count(*) FROM qoe_minute GROUP BY 2"
                                        + " UNION ALL SELECT 'commerce', (extract(epoch FROM window_end) * 1000)::bigint, count(*)"
                                        + " FROM commerce_minute GROUP BY 2")) {
                    while (windows.next()) {
                        long end = windows.getLong(2);
                        int rows = windows.getInt(3);
                        String key = windows.getString(1) + "@" + end;
                        int before = rowsPerWindow.getOrDefault(key, 0);
                        rowsPerWindow.put(key, rows);
                        if (rows > before && end >= seen.windowsFrom && end <= seen.windowsTo) {
                            long latency = Math.max(0, now - (end + aggregationBound));
                            for (int i = before; i < rows; i++) {
                                seen.windowLatencies.add(latency);
                            }
                        }
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } catch (java.sql.SQLException e) {
            System.err.println("PostgreSQL observer stopped: " + e);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(KafkaBroker kafka, String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, "latency-" + name);
        thread.setDaemon(true);
        return thread;
    }

    private static void createTopics(
            KafkaBroker kafka,
            IngestOptions ingest,
            AggregationsOptions aggregations,
            CepRulesOptions cep,
            WarehouseOptions warehouse) {
        Set<String> topics = new LinkedHashSet<>(ingest.rawTopics);
        topics.addAll(
                List.of(
                        ingest.playerTopic,
                        ingest.mediaTopic,
                        ingest.commerceTopic,
                        ingest.iotTopic,
                        ingest.deadLetterTopic));
        var aggregates = aggregations.topics();
        topics.addAll(
                List.of(
                        aggregates.qoeMinute(),
                        aggregates.qoeRenditionMinute(),
                        aggregates.commerceMinute(),
                        aggregates.iotDevice5m(),
                        aggregates.viewerSessions(),
                        aggregates.trendingTitles(),
                        aggregates.lateEvents(),
                        aggregations.deadLetterTopic));
        topics.addAll(List.of(cep.alertsTopic, cep.lateTopic, cep.deadLetterTopic));
        topics.addAll(warehouse.inputTopics());
        topics.add(warehouse.sinkDeadLetterTopic);
        kafka.createTopics(2, topics.toArray(String[]::new));
    }

    private static <T> T parse(T options, List<String> common, String... more) {
        List<String> args = new ArrayList<>(common);
        args.addAll(Arrays.asList(more));
        new CommandLine(options).parseArgs(args.toArray(String[]::new));
        return options;
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private String summary(Outcome outcome) {
        StringBuilder text = new StringBuilder();
        outcome.samples()
                .forEach(
                        (route, values) ->
                                text.append(
                                        String.format(
                                                Locale.ROOT,
                                                "  %-48s p50 %6d  p95 %6d  p99 %6d  max %6d ms  (%d of %d)%n",
                                                route.title,
                                                percentile(values, 50),
                                                percentile(values, 95),
                                                percentile(values, 99),
                                                values.length == 0 ? -1 : values[values.length - 1],
                                                values.length,
                                                outcome.expected().get(route))));
        text.append(
                String.format(
                        Locale.ROOT,
                        "  offered %,.0f records/s; under a burst, ingest wrote %,.0f records/s",
                        outcome.offeredRate(),
                        outcome.burstRate()));
        outcome.checkpoints()
                .forEach(
                        (job, figures) ->
                                text.append("\n  checkpoints of ")
                                        .append(job)
                                        .append(": ")
                                        .append(figures));
        return text.toString();
    }

    private void write(List<Outcome> outcomes) throws Exception {
        StringBuilder text = new StringBuilder();
        text.append("# End-to-end latency\n\n")
                .append("`bin/tributary bench latency` on ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ")
                .append(Instant.now().toString(), 0, 10)
                .append(
                        ". Ingest, CEP rules (every shipped rule), aggregations and the warehouse sink as separate jobs on one embedded Flink"
                                + " at parallelism 2 with RocksDB; the real broker, registry and PostgreSQL on the same machine. ")
                .append(String.format(Locale.ROOT, "%,d raw records/s", rate))
                .append(" of generated platform traffic, events up to ")
                .append(human(eventDelay))
                .append(" behind their sending, with ")
                .append(cardTestingPerSecond)
                .append(" card-testing sequences/s among them; ")
                .append(human(warmUp))
                .append(" of warm-up, then ")
                .append(human(duration))
                .append(" measured per setup. The CEP job runs with --max-out-of-orderness ")
                .append(human(cepOutOfOrderness))
                .append(
                        "; the aggregations job with its default (5 s). Latency is from the broker's acknowledgement of the raw record"
                                + " to the first sight of its result by the reader named; for windows, from window end + 5 s (when input"
                                + " that closes the window can first exist) to the row's first appearance. The warehouse batches rows for 1 s"
                                + " in the exactly-once setups and 100 ms in the low-latency one.\n\n");
        for (Route route : Route.values()) {
            text.append("## ").append(route.title).append("\n\n");
            text.append("| setup | p50 ms | p95 ms | p99 ms | max ms | samples |\n");
            text.append("|---|---|---|---|---|---|\n");
            LineChart chart =
                    new LineChart(
                            route.title + ": share of samples per latency bucket",
                            LineChart.XAxis.LOG_MILLIS,
                            "% of samples");
            for (Outcome outcome : outcomes) {
                long[] values = outcome.samples().get(route);
                text.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %d | %d | %d | %d | %d of %d |%n",
                                outcome.setup().name(),
                                percentile(values, 50),
                                percentile(values, 95),
                                percentile(values, 99),
                                values.length == 0 ? -1 : values[values.length - 1],
                                values.length,
                                outcome.expected().get(route)));
                chart.line(outcome.setup().name(), histogram(values));
            }
            // Named after the results file, so another results file keeps its own charts.
            String stem = results.getFileName().toString().replaceFirst("\\.md$", "");
            Path svg = results.resolveSibling(stem + "-" + route.file() + ".svg");
            text.append("\n![")
                    .append(route.title)
                    .append("](")
                    .append(svg.getFileName())
                    .append(")\n\n");
            LocalRuns.writeResults(svg, chart.svg());
        }
        text.append("## Throughput of the same runs\n\n");
        text.append(
                "| setup | offered during measurement, records/s | under a burst, ingest wrote records/s | of the first setup |\n");
        text.append("|---|---|---|---|\n");
        double first = outcomes.isEmpty() ? 1 : outcomes.get(0).burstRate();
        for (Outcome outcome : outcomes) {
            text.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,.0f | %,.0f | %.2f |%n",
                            outcome.setup().name(),
                            outcome.offeredRate(),
                            outcome.burstRate(),
                            outcome.burstRate() / first));
        }
        text.append(
                "\n## Checkpoints of each job over the setup, before the burst (trigger to the last acknowledgement)\n\n");
        text.append("| setup | job | checkpoints |\n|---|---|---|\n");
        for (Outcome outcome : outcomes) {
            outcome.checkpoints()
                    .forEach(
                            (job, figures) ->
                                    text.append("| ")
                                            .append(outcome.setup().name())
                                            .append(" | ")
                                            .append(job)
                                            .append(" | ")
                                            .append(figures)
                                            .append(" |\n"));
        }
        LocalRuns.writeResults(results, text.toString());
    }

    /**
     * Share of samples (%) per bucket of a 1-2-5 series, as (bucket's upper edge, share) points.
     */
    static List<double[]> histogram(long[] values) {
        List<double[]> points = new ArrayList<>();
        if (values.length == 0) {
            return points;
        }
        Map<Long, Integer> counts = new LinkedHashMap<>();
        List<Long> edges = new ArrayList<>();
        for (long decade = 1; decade <= 1_000_000; decade *= 10) {
            edges.addAll(List.of(decade, 2 * decade, 5 * decade));
        }
        edges.forEach(edge -> counts.put(edge, 0));
        for (long value : values) {
            for (long edge : edges) {
                if (value <= edge) {
                    counts.merge(edge, 1, Integer::sum);
                    break;
                }
            }
        }
        long max = values[values.length - 1];
        for (long edge : edges) {
            points.add(new double[] {edge, 100.0 * counts.get(edge) / values.length});
            if (edge >= max) {
                break;
            }
        }
        return points;
    }

    static String human(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 60_000 == 0 && ms >= 60_000) {
            return ms / 60_000 + " min";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return ms + " ms";
    }

    private static void say(String line) {
        System.out.println(line);
    }
}
