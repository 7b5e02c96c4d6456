package io.tributary.aggregations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tributary.jobs.RuntimeOptions;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.player.DeviceClass;
import io.tributary.schemas.player.PlayerEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.hostile.HostileCanonicalRecords;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import io.tributary.testkit.kafka.ConsumerGroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
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
 * The aggregations end to end on real parts: canonical player, commerce and IoT events, out of
 * order (and some late) in the real broker; the job at parallelism 2 with RocksDB, checkpoints and
 * an injected failure; the final revision of every QoE, commerce and IoT window compared with the
 * same metrics computed here by plain code over the whole input.
 */
class AggregationsJobIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4);

    // Kafka refuses record timestamps far from now, so the input is placed in the last hour.
    private static final Instant T0 = Instant.ofEpochMilli((System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000);
    private static final long MINUTE = 60_000;
    private static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
    private static final long HEARTBEAT_MS = 10_000;
    private static final int TOP_N = 1;
    private static final String[] TITLES = {"title-1", "title-2"};
    private static final String[] CDNS = {"fastly", "akamai"};

    /** The topics of one run; each test has its own. */
    private record Names(String prefix) {
        String player() { return prefix + "events.player"; }
        String commerce() { return prefix + "events.commerce"; }
        String iot() { return prefix + "events.iot"; }
        List<String> inputs() { return List.of(player(), commerce(), iot()); }
        String group() { return prefix + "agg"; }
        AggregationsJob.Topics outputs() {
            return new AggregationsJob.Topics(prefix + "agg.qoe-minute", prefix + "agg.qoe-rendition-minute",
                    prefix + "agg.commerce-minute",
                    prefix + "agg.iot-device-5m", prefix + "agg.viewer-sessions", prefix + "agg.trending-titles",
                    prefix + "agg.late-events", prefix + "agg.dead-letters");
        }
        void create() {
            AggregationsJob.Topics out = outputs();
            KAFKA.broker().createTopics(2, player(), commerce(), iot(), out.qoeMinute(), out.qoeRenditionMinute(), out.commerceMinute(),
                    out.iotDevice5m(), out.viewerSessions(), out.trendingTitles(), out.lateEvents(), out.deadLetters());
        }
    }

    private static final AggregationsJob.Settings SETTINGS = new AggregationsJob.Settings(
            Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofMillis(HEARTBEAT_MS),
            Duration.ofMinutes(30), TOP_N);
    /**
     * No split goes idle during the savepoint test: a source that is idle when stop-with-savepoint
     * drains never delivers its final MAX watermark (FLINK-40499), and no window would fire.
     */
    private static final AggregationsJob.Settings NEVER_IDLE = new AggregationsJob.Settings(
            Duration.ofSeconds(5), Duration.ofMinutes(30), Duration.ofMinutes(5), Duration.ofMillis(HEARTBEAT_MS),
            Duration.ofMinutes(30), TOP_N);

    @Test
    void finalRevisionsEqualAStraightforwardComputationExactlyOnce() throws Exception {
        Names names = new Names("");
        names.create();
        Random random = new Random(11);
        List<Envelope> input = sessions(120, random);
        List<Envelope> orders = orders(80, random);
        List<Envelope> readings = readings(random);
        produce(names.player(), input);
        produce(names.commerce(), orders);
        produce(names.iot(), readings);
        // Records no canonical topic should hold: each becomes one dead letter and changes no
        // result; the one stamped 2100 would otherwise drag the watermark along.
        Map<String, String> expectedDeadLetters = new HashMap<>();
        expectedDeadLetters.putAll(HostileCanonicalRecords.produce(KAFKA.broker(), REGISTRY.url(), names.player(), Domain.PLAYER));
        expectedDeadLetters.putAll(HostileCanonicalRecords.produce(KAFKA.broker(), REGISTRY.url(), names.commerce(), Domain.COMMERCE));
        expectedDeadLetters.putAll(HostileCanonicalRecords.produce(KAFKA.broker(), REGISTRY.url(), names.iot(), Domain.IOT));

        FailOnceAfterCheckpoint<Envelope> failure = new FailOnceAfterCheckpoint<>();
        StreamExecutionEnvironment env = environment(new Configuration());
        CanonicalInput canonical = AggregationsJob.readCanonical(env,
                AggregationsJob.kafkaSource(KAFKA.bootstrapServers(), names.inputs(), names.group(), REGISTRY.url(), FUTURE_SKEW, true),
                SETTINGS);
        DataStream<Envelope> events = canonical.events();
        AggregationsJob.build(canonical.withEvents(events.map(failure).returns(events.getType()).name("inject failure")),
                SETTINGS, sinks(names));
        env.execute("aggregations-it");
        assertThat(failure.hasFailed()).as("failure was injected").isTrue();

        assertAll(names, input, orders, readings);
        assertThat(TopicReader.readCommitted(KAFKA.bootstrapServers(), List.of(names.outputs().lateEvents()), Duration.ofSeconds(60)))
                .as("nothing in this input is later than the allowed lateness").isEmpty();
        assertThat(HostileCanonicalRecords.deadLetterReasons(KAFKA.bootstrapServers(), REGISTRY.url(), names.outputs().deadLetters()))
                .isEqualTo(expectedDeadLetters);
    }

    /**
     * Stop-with-savepoint halfway through the input, restore into a new job, finish: the results
     * are those of one uninterrupted run. After the restore, every partition's time moves on by half
     * an hour and then a reading for the first IoT window arrives: it is too late even for the
     * allowed lateness and goes to the late-events topic, once, without touching the window's result.
     */
    @Test
    void stopWithSavepointMidStreamAndRestoreLeavesTheResultsUnchanged() throws Exception {
        Names names = new Names("sp.");
        names.create();
        Random random = new Random(23);
        List<Envelope> input = sessions(80, random);
        List<Envelope> orders = orders(50, random);
        List<Envelope> readings = readings(random);
        Path savepoints = Files.createTempDirectory("agg-savepoints");

        produce(names.player(), input.subList(0, input.size() / 2));
        produce(names.commerce(), orders.subList(0, orders.size() / 2));
        produce(names.iot(), readings.subList(0, readings.size() / 2));
        JobClient first = startUnbounded(names, new Configuration());
        ConsumerGroups.awaitCaughtUp(KAFKA.bootstrapServers(), names.group(), names.inputs(), Duration.ofSeconds(120));
        String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);

        produce(names.player(), input.subList(input.size() / 2, input.size()));
        produce(names.commerce(), orders.subList(orders.size() / 2, orders.size()));
        produce(names.iot(), readings.subList(readings.size() / 2, readings.size()));
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = startUnbounded(names, restore);
        long later = T0.toEpochMilli() + 30 * MINUTE;
        List<Envelope> laterReadings = halfAnHourLater(readings);
        List<Envelope> laterPlays = List.of(
                event("sess-later-0", TITLES[0], CDNS[0], EventType.PLAY, later, b -> b.setPositionMs(0)),
                event("sess-later-1", TITLES[1], CDNS[1], EventType.PLAY, later, b -> b.setPositionMs(0)));
        List<Envelope> laterOrders = List.of(
                commerce("ord-later-0", new String[] {"DE", "EUR"}, EventType.ORDER_CREATED, later, 999),
                commerce("ord-later-1", new String[] {"GB", "GBP"}, EventType.ORDER_CREATED, later, 999));
        produceToEveryPartition(names.iot(), laterReadings);
        produceToEveryPartition(names.player(), laterPlays);
        produceToEveryPartition(names.commerce(), laterOrders);
        ConsumerGroups.awaitCaughtUp(KAFKA.bootstrapServers(), names.group(), names.inputs(), Duration.ofSeconds(120));
        // Let the sources' periodic watermarks (every 200 ms) carry the new time downstream.
        Thread.sleep(2_000);
        Envelope tooLate = envelope(EventType.TELEMETRY, Domain.IOT, T0.toEpochMilli() + 1_000,
                new IotTelemetry("edge-0", "temperature", 999.0, "celsius", null));
        produce(names.iot(), List.of(tooLate));
        ConsumerGroups.awaitCaughtUp(KAFKA.bootstrapServers(), names.group(), names.inputs(), Duration.ofSeconds(120));
        // Draining fires every remaining window before the final, committing savepoint.
        second.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);

        assertAll(names, concat(input, laterPlays), concat(orders, laterOrders), concat(readings, laterReadings));
        RegistryAvroDeserializationSchema<Envelope> decoder = ConfluentAvro.deserializer(Envelope.class, REGISTRY.url());
        List<String> late = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(KAFKA.bootstrapServers(), List.of(names.outputs().lateEvents()), Duration.ofSeconds(60))) {
            late.add(decoder.deserialize(record.value()).getEventId());
        }
        assertThat(late).containsExactly(tooLate.getEventId());
    }

    private static List<Envelope> concat(List<Envelope> first, List<Envelope> second) {
        List<Envelope> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static StreamExecutionEnvironment environment(Configuration config) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(300);
        env.getConfig().disableGenericTypes();
        return env;
    }

    private static AggregationsJob.Sinks sinks(Names names) {
        RuntimeOptions runtime = new RuntimeOptions();
        runtime.transactionTimeout = Duration.ofMinutes(5);
        return AggregationsJob.kafkaSinks(KAFKA.bootstrapServers(), REGISTRY.url(), names.outputs(),
                names.prefix() + "agg-it-" + UUID.randomUUID(), runtime.transactionalProducer());
    }

    private static JobClient startUnbounded(Names names, Configuration config) throws Exception {
        StreamExecutionEnvironment env = environment(config);
        AggregationsJob.build(AggregationsJob.readCanonical(env,
                        AggregationsJob.kafkaSource(KAFKA.bootstrapServers(), names.inputs(), names.group(), REGISTRY.url(),
                                FUTURE_SKEW, false),
                        NEVER_IDLE),
                NEVER_IDLE, sinks(names));
        return env.executeAsync("aggregations-savepoint-it");
    }

    private static void assertAll(Names names, List<Envelope> input, List<Envelope> orders, List<Envelope> readings) throws Exception {
        AggregationsJob.Topics out = names.outputs();
        assertQoe(out.qoeMinute(), input);
        assertRenditions(out.qoeRenditionMinute(), input);
        assertCommerce(out.commerceMinute(), orders);
        assertSessions(out.viewerSessions(), input);
        assertTrending(out.trendingTitles(), input);
        assertIot(out.iotDevice5m(), readings);
    }

    private static void assertQoe(String topic, List<Envelope> input) throws Exception {
        RegistryAvroDeserializationSchema<QoeMinute> decoder = ConfluentAvro.deserializer(QoeMinute.class, REGISTRY.url());
        Map<String, QoeMinute> latest = new HashMap<>();
        Set<String> revisionsSeen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readCommitted(KAFKA.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            QoeMinute row = decoder.deserialize(record.value());
            String window = windowKey(row.getWindowStart().toEpochMilli(), row.getTitleId(), row.getCdn());
            assertThat(revisionsSeen.add(window + "#" + row.getRevision())).as("each revision exactly once").isTrue();
            latest.merge(window, row, (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, Expected> expected = straightforward(input);
        assertThat(latest.keySet()).isEqualTo(expected.keySet());
        expected.forEach((window, want) -> {
            QoeMinute got = latest.get(window);
            assertThat(got.getPlays()).as(window).isEqualTo(want.plays);
            assertThat(got.getPlayFailures()).as(window).isEqualTo(want.playFailures);
            assertThat(got.getRebufferCount()).as(window).isEqualTo(want.rebuffers);
            assertThat(got.getBufferingMs()).as(window).isEqualTo(want.bufferingMs);
            assertThat(got.getWatchTimeMs()).as(window).isEqualTo(want.heartbeats * HEARTBEAT_MS);
            assertThat(got.getErrors()).as(window).isEqualTo(want.errors);
            assertThat(got.getActiveSessions()).as(window).isEqualTo(want.sessions.size());
            if (want.startupTimes.isEmpty()) {
                assertThat(got.getStartupTimeAvgMs()).isNull();
            } else {
                assertThat(got.getStartupTimeAvgMs()).as(window)
                        .isCloseTo(want.startupTimes.stream().mapToLong(Long::longValue).average().orElseThrow(), within(1e-6));
                List<Long> sorted = new ArrayList<>(want.startupTimes);
                Collections.sort(sorted);
                long p95 = sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1);
                assertThat(got.getStartupTimeP95Ms()).as(window).isEqualTo((double) p95);
            }
            if (want.heartbeats > 0) {
                assertThat(got.getAvgBitrateKbps()).as(window).isCloseTo((double) want.bitrateSum / want.heartbeats, within(1e-6));
                assertThat(got.getRebufferRatio()).as(window)
                        .isCloseTo((double) want.bufferingMs / (want.heartbeats * HEARTBEAT_MS), within(1e-9));
            }
        });
    }

    /**
     * Every title × rendition window, each revision once, against tallies by plain code: events
     * count for the rendition they name, a downward switch for the rendition the player left.
     */
    private static void assertRenditions(String topic, List<Envelope> input) throws Exception {
        RegistryAvroDeserializationSchema<QoeRenditionMinute> decoder = ConfluentAvro.deserializer(QoeRenditionMinute.class, REGISTRY.url());
        Map<String, QoeRenditionMinute> latest = new HashMap<>();
        Set<String> revisionsSeen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readCommitted(KAFKA.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            QoeRenditionMinute row = decoder.deserialize(record.value());
            String window = row.getWindowStart().toEpochMilli() + "|" + row.getTitleId() + "|" + row.getRenditionId();
            assertThat(revisionsSeen.add(window + "#" + row.getRevision())).as("each revision exactly once").isTrue();
            latest.merge(window, row, (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, long[]> expected = new HashMap<>();
        for (Envelope event : input) {
            PlayerEvent p = (PlayerEvent) event.getPayload();
            String rendition = event.getEventType() == EventType.BITRATE_SWITCH ? p.getPreviousBitrateKbps() + "k" : p.getRenditionId();
            if (rendition == null || event.getEventType() == EventType.PLAY || event.getEventType() == EventType.FIRST_FRAME) {
                continue;
            }
            long[] t = expected.computeIfAbsent(event.getEventTime().toEpochMilli() / MINUTE * MINUTE + "|" + p.getTitleId()
                    + "|" + rendition, k -> new long[5]);
            switch (event.getEventType()) {
                case HEARTBEAT -> t[0] += HEARTBEAT_MS;
                case BUFFER_START -> t[1]++;
                case BUFFER_END -> t[2] += p.getBufferDurationMs();
                case BITRATE_SWITCH -> t[3]++;
                case ERROR -> t[4]++;
                default -> {}
            }
        }
        assertThat(expected.values().stream().mapToLong(t -> t[3]).sum()).as("the input has downshifts").isPositive();
        assertThat(latest.keySet()).isEqualTo(expected.keySet());
        expected.forEach((window, t) -> {
            QoeRenditionMinute row = latest.get(window);
            assertThat(new long[] {row.getWatchTimeMs(), row.getRebufferCount(), row.getBufferingMs(), row.getDownshifts(),
                    row.getErrors()}).as(window).containsExactly(t);
        });
    }

    private static void assertCommerce(String topic, List<Envelope> orders) throws Exception {
        RegistryAvroDeserializationSchema<CommerceMinute> decoder = ConfluentAvro.deserializer(CommerceMinute.class, REGISTRY.url());
        Map<String, CommerceMinute> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readCommitted(KAFKA.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            CommerceMinute row = decoder.deserialize(record.value());
            latest.merge(row.getWindowStart().toEpochMilli() + "|" + row.getCountry() + "|" + row.getCurrency(), row,
                    (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, long[]> expected = new HashMap<>();
        for (Envelope event : orders) {
            CommerceEvent order = (CommerceEvent) event.getPayload();
            long[] t = expected.computeIfAbsent(event.getEventTime().toEpochMilli() / MINUTE * MINUTE + "|"
                    + order.getCountry() + "|" + order.getCurrency(), k -> new long[5]);
            switch (event.getEventType()) {
                case ORDER_CREATED -> t[0]++;
                case ORDER_PAID -> {
                    t[1]++;
                    t[2] += order.getAmountMinor();
                }
                case PAYMENT_ATTEMPTED -> t[3]++;
                case PAYMENT_FAILED -> t[4]++;
                default -> {}
            }
        }
        assertThat(latest.keySet()).isEqualTo(expected.keySet());
        expected.forEach((window, t) -> {
            CommerceMinute row = latest.get(window);
            assertThat(new long[] {row.getOrdersCreated(), row.getOrdersPaid(), row.getRevenueMinor(),
                    row.getPaymentAttempts(), row.getPaymentFailures()}).as(window).containsExactly(t);
        });
    }

    /** Plays per title over every sliding window a play falls in; the top one per window. */
    private static void assertTrending(String topic, List<Envelope> input) throws Exception {
        RegistryAvroDeserializationSchema<TrendingTitles> decoder = ConfluentAvro.deserializer(TrendingTitles.class, REGISTRY.url());
        Map<Long, TrendingTitles> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readCommitted(KAFKA.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            TrendingTitles row = decoder.deserialize(record.value());
            latest.merge(row.getWindowEnd().toEpochMilli(), row, (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<Long, Map<String, Long>> plays = new HashMap<>();
        for (Envelope event : input) {
            if (event.getEventType() != EventType.PLAY) {
                continue;
            }
            long t = event.getEventTime().toEpochMilli();
            for (long end = t / MINUTE * MINUTE + MINUTE; end <= t + 10 * MINUTE; end += MINUTE) {
                plays.computeIfAbsent(end, k -> new HashMap<>())
                        .merge(((PlayerEvent) event.getPayload()).getTitleId(), 1L, Long::sum);
            }
        }
        assertThat(latest.keySet()).isEqualTo(plays.keySet());
        plays.forEach((end, counts) -> {
            long most = Collections.max(counts.values());
            String leader = counts.entrySet().stream().filter(e -> e.getValue() == most)
                    .map(Map.Entry::getKey).sorted().findFirst().orElseThrow();
            TrendingTitles row = latest.get(end);
            assertThat(row.getTitles()).as("window ending " + end).hasSize(TOP_N);
            assertThat(row.getTitles().get(0).getTitleId()).as("window ending " + end).isEqualTo(leader);
            assertThat(row.getTitles().get(0).getPlays()).as("window ending " + end).isEqualTo(most);
            assertThat(row.getRegion()).isEqualTo("eu-west");
        });
    }

    /** Every viewer of the input has one session, all its events within a few minutes. */
    private static void assertSessions(String topic, List<Envelope> input) throws Exception {
        RegistryAvroDeserializationSchema<ViewerSession> decoder = ConfluentAvro.deserializer(ViewerSession.class, REGISTRY.url());
        Map<String, ViewerSession> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readCommitted(KAFKA.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            ViewerSession row = decoder.deserialize(record.value());
            latest.merge(row.getViewerId(), row, (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, List<Envelope>> byViewer = new HashMap<>();
        for (Envelope event : input) {
            byViewer.computeIfAbsent(((PlayerEvent) event.getPayload()).getViewerId(), k -> new ArrayList<>()).add(event);
        }
        assertThat(latest.keySet()).isEqualTo(byViewer.keySet());
        byViewer.forEach((viewer, events) -> {
            ViewerSession row = latest.get(viewer);
            long first = events.stream().mapToLong(e -> e.getEventTime().toEpochMilli()).min().orElseThrow();
            long last = events.stream().mapToLong(e -> e.getEventTime().toEpochMilli()).max().orElseThrow();
            long heartbeats = events.stream().filter(e -> e.getEventType() == EventType.HEARTBEAT).count();
            assertThat(row.getEvents()).as(viewer).isEqualTo(events.size());
            assertThat(row.getSessionStart().toEpochMilli()).as(viewer).isEqualTo(first);
            assertThat(row.getLengthMs()).as(viewer).isEqualTo(last - first);
            assertThat(row.getWatchTimeMs()).as(viewer).isEqualTo(heartbeats * HEARTBEAT_MS);
        });
    }

    private static void assertIot(String topic, List<Envelope> readings) throws Exception {
        RegistryAvroDeserializationSchema<IotDevice5m> decoder = ConfluentAvro.deserializer(IotDevice5m.class, REGISTRY.url());
        Map<String, IotDevice5m> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readCommitted(KAFKA.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            IotDevice5m row = decoder.deserialize(record.value());
            latest.merge(row.getWindowStart().toEpochMilli() + "|" + row.getDeviceId() + "|" + row.getMetric(), row,
                    (a, b) -> a.getRevision() >= b.getRevision() ? a : b);
        }
        Map<String, List<Double>> expected = new HashMap<>();
        for (Envelope event : readings) {
            IotTelemetry reading = (IotTelemetry) event.getPayload();
            expected.computeIfAbsent(event.getEventTime().toEpochMilli() / (5 * MINUTE) * (5 * MINUTE) + "|"
                    + reading.getDeviceId() + "|" + reading.getMetric(), k -> new ArrayList<>()).add(reading.getValue());
        }
        assertThat(latest.keySet()).isEqualTo(expected.keySet());
        expected.forEach((window, values) -> {
            IotDevice5m row = latest.get(window);
            double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double variance = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / values.size();
            assertThat(row.getReadings()).as(window).isEqualTo(values.size());
            assertThat(row.getMean()).as(window).isCloseTo(mean, within(1e-9));
            assertThat(row.getStddev()).as(window).isCloseTo(Math.sqrt(variance), within(1e-9));
            assertThat(row.getMin()).as(window).isEqualTo(Collections.min(values));
            assertThat(row.getMax()).as(window).isEqualTo(Collections.max(values));
        });
    }

    /** Orders in two markets; a tenth of payment attempts fail once before succeeding. */
    private static List<Envelope> orders(int count, Random random) {
        String[][] markets = {{"DE", "EUR"}, {"FR", "EUR"}, {"GB", "GBP"}};
        List<Envelope> events = new ArrayList<>();
        for (int o = 0; o < count; o++) {
            String[] market = markets[random.nextInt(markets.length)];
            long amount = 499 + random.nextInt(5_000);
            long t = T0.toEpochMilli() + random.nextInt(5 * 60_000);
            String order = "ord-" + o;
            events.add(commerce(order, market, EventType.ORDER_CREATED, t, amount));
            events.add(commerce(order, market, EventType.PAYMENT_ATTEMPTED, t + 2_000, amount));
            if (random.nextInt(10) == 0) {
                events.add(commerce(order, market, EventType.PAYMENT_FAILED, t + 3_000, amount));
                events.add(commerce(order, market, EventType.PAYMENT_ATTEMPTED, t + 20_000, amount));
            }
            events.add(commerce(order, market, EventType.ORDER_PAID, t + 25_000, amount));
        }
        events.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
        return events;
    }

    /** Six devices reporting temperature every 15 s for ten minutes. */
    private static List<Envelope> readings(Random random) {
        List<Envelope> events = new ArrayList<>();
        for (long at = T0.toEpochMilli(); at < T0.toEpochMilli() + 10 * MINUTE; at += 15_000) {
            for (int d = 0; d < 6; d++) {
                double value = Math.round((45 + 3 * random.nextGaussian()) * 100) / 100.0;
                events.add(envelope(EventType.TELEMETRY, Domain.IOT, at,
                        new IotTelemetry("edge-" + d, "temperature", value, "celsius", null)));
            }
        }
        return events;
    }

    /** One reading per device half an hour after the input. */
    private static List<Envelope> halfAnHourLater(List<Envelope> readings) {
        long at = T0.toEpochMilli() + 30 * MINUTE;
        List<Envelope> later = new ArrayList<>();
        for (int d = 0; d < 6; d++) {
            later.add(envelope(EventType.TELEMETRY, Domain.IOT, at, new IotTelemetry("edge-" + d, "temperature", 40.0, "celsius", null)));
        }
        return later;
    }

    /** As the ingest job writes them: payment events name their payment, method and failure. */
    private static Envelope commerce(String order, String[] market, EventType type, long at, long amount) {
        CommerceEvent.Builder payload = CommerceEvent.newBuilder()
                .setOrderId(order).setAccountId("acct-" + order).setAmountMinor(amount)
                .setCurrency(market[1]).setCountry(market[0]);
        if (type == EventType.PAYMENT_ATTEMPTED || type == EventType.PAYMENT_SUCCEEDED || type == EventType.PAYMENT_FAILED) {
            payload.setPaymentId("pay-" + order).setPaymentMethod("card");
        }
        if (type == EventType.PAYMENT_FAILED) {
            payload.setFailureReason("declined");
        }
        return envelope(type, Domain.COMMERCE, at, payload.build());
    }

    private static Envelope envelope(EventType type, Domain domain, long at, Object payload) {
        return Envelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setEventType(type)
                .setDomain(domain)
                .setEventTime(Instant.ofEpochMilli(at))
                .setIngestTime(Instant.ofEpochMilli(at))
                .setProducer("it")
                .setOrigin(new Origin("raw", 0, 0L))
                .setPayload(payload)
                .build();
    }

    /** Plain per-window tallies, computed without any of the job's classes. */
    private static final class Expected {
        long plays;
        long playFailures;
        long rebuffers;
        long bufferingMs;
        long heartbeats;
        long bitrateSum;
        long errors;
        final Set<String> sessions = new HashSet<>();
        final List<Long> startupTimes = new ArrayList<>();
    }

    private static Map<String, Expected> straightforward(List<Envelope> input) {
        Map<String, Expected> windows = new HashMap<>();
        for (Envelope event : input) {
            PlayerEvent p = (PlayerEvent) event.getPayload();
            long start = event.getEventTime().toEpochMilli() / MINUTE * MINUTE;
            Expected w = windows.computeIfAbsent(windowKey(start, p.getTitleId(), p.getCdn()), k -> new Expected());
            w.sessions.add(p.getSessionId());
            switch (event.getEventType()) {
                case PLAY -> w.plays++;
                case FIRST_FRAME -> w.startupTimes.add(p.getStartupTimeMs());
                case BUFFER_START -> w.rebuffers++;
                case BUFFER_END -> w.bufferingMs += p.getBufferDurationMs();
                case HEARTBEAT -> {
                    w.heartbeats++;
                    w.bitrateSum += p.getBitrateKbps();
                }
                case ERROR -> {
                    w.errors++;
                    if (p.getPositionMs() == 0) {
                        w.playFailures++;
                    }
                }
                default -> {}
            }
        }
        return windows;
    }

    private static String windowKey(long windowStart, String title, String cdn) {
        return windowStart + "|" + title + "|" + cdn;
    }

    /**
     * Sessions over six minutes; within a session events are a few seconds out of order, and one
     * event in ten is held back 40 s, late for its window but within the allowed lateness.
     */
    private static List<Envelope> sessions(int count, Random random) {
        List<Envelope> events = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            String session = "sess-" + s;
            String title = TITLES[random.nextInt(TITLES.length)];
            String cdn = CDNS[random.nextInt(CDNS.length)];
            long t = T0.toEpochMilli() + random.nextInt(5 * 60_000);
            List<Envelope> script = new ArrayList<>();
            script.add(event(session, title, cdn, EventType.PLAY, t, b -> b.setPositionMs(0)));
            if (random.nextInt(10) == 0) {
                script.add(event(session, title, cdn, EventType.ERROR, t + 1_000,
                        b -> b.setPositionMs(0).setErrorCode("MANIFEST_LOAD_FAILED").setErrorFatal(true).setRenditionId("1000k")));
            } else {
                long startup = 300 + random.nextInt(3_000);
                script.add(event(session, title, cdn, EventType.FIRST_FRAME, t + startup, b -> b.setPositionMs(0).setStartupTimeMs(startup)));
                for (int beat = 1; beat <= 6; beat++) {
                    long at = t + beat * HEARTBEAT_MS;
                    int bitrate = 1000 * (1 + random.nextInt(4));
                    String rendition = bitrate + "k";
                    script.add(event(session, title, cdn, EventType.HEARTBEAT, at,
                            b -> b.setPositionMs(at - t).setBitrateKbps(bitrate).setRenditionId(rendition)));
                    if (random.nextInt(5) == 0) {
                        long stall = 200 + random.nextInt(2_000);
                        script.add(event(session, title, cdn, EventType.BUFFER_START, at + 1_000,
                                b -> b.setPositionMs(at - t).setRenditionId(rendition)));
                        script.add(event(session, title, cdn, EventType.BUFFER_END, at + 1_000 + stall,
                                b -> b.setPositionMs(at - t).setBufferDurationMs(stall).setRenditionId(rendition)));
                        if (bitrate > 1000) {
                            int lower = bitrate - 1000;
                            script.add(event(session, title, cdn, EventType.BITRATE_SWITCH, at + 1_001 + stall,
                                    b -> b.setPositionMs(at - t).setBitrateKbps(lower).setPreviousBitrateKbps(bitrate)
                                            .setRenditionId(lower + "k")));
                        }
                    }
                }
            }
            for (int i = 0; i < script.size(); i++) {
                int swap = Math.min(script.size() - 1, i + random.nextInt(2));
                Collections.swap(script, i, swap);
            }
            events.addAll(script);
        }
        List<Envelope> heldBack = new ArrayList<>();
        List<Envelope> onTime = new ArrayList<>();
        for (Envelope e : events) {
            (random.nextInt(10) == 0 ? heldBack : onTime).add(e);
        }
        onTime.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
        List<Envelope> ordered = new ArrayList<>(onTime);
        for (Envelope late : heldBack) {
            int position = insertionPointAfter(ordered, late.getEventTime().toEpochMilli() + 40_000);
            ordered.add(position, late);
        }
        return ordered;
    }

    private static int insertionPointAfter(List<Envelope> ordered, long time) {
        for (int i = 0; i < ordered.size(); i++) {
            if (ordered.get(i).getEventTime().toEpochMilli() > time) {
                return i;
            }
        }
        return ordered.size();
    }

    private interface Details {
        PlayerEvent.Builder apply(PlayerEvent.Builder builder);
    }

    private static Envelope event(String session, String title, String cdn, EventType type, long at, Details details) {
        PlayerEvent payload = details.apply(PlayerEvent.newBuilder()
                        .setSessionId(session).setViewerId("v-" + session).setAccountId("a-" + session)
                        .setDeviceId("d-" + session).setTitleId(title).setDeviceClass(DeviceClass.TV)
                        .setCdn(cdn).setRegion("eu-west"))
                .build();
        return Envelope.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setEventType(type)
                .setDomain(Domain.PLAYER)
                .setEventTime(Instant.ofEpochMilli(at))
                .setIngestTime(Instant.ofEpochMilli(at))
                .setProducer("it")
                .setOrigin(new Origin("raw.player", 0, 0L))
                .setPayload(payload)
                .build();
    }

    /** Events round-robin over the topic's two partitions, whatever their keys. */
    private static void produceToEveryPartition(String topic, List<Envelope> events) throws Exception {
        send(topic, events, true);
    }

    private static void produce(String topic, List<Envelope> events) throws Exception {
        send(topic, events, false);
    }

    private static void send(String topic, List<Envelope> events, boolean roundRobin) throws Exception {
        var serializer = ConfluentAvro.serializer(Envelope.class, topic, REGISTRY.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                Envelope event = events.get(i);
                byte[] key = new AggregationsJob.EntityKey().serialize(event);
                acks.add(producer.send(new ProducerRecord<>(topic, roundRobin ? i % 2 : null, event.getEventTime().toEpochMilli(), key,
                        serializer.serialize(event))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }
}
