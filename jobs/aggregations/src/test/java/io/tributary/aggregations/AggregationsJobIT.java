package io.tributary.aggregations;

import static io.tributary.aggregations.AggregationsScenario.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jobs.RuntimeOptions;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Topics;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.iot.IotTelemetry;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.flink.JobWatermarks;
import io.tributary.testkit.hostile.HostileCanonicalRecords;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.ConsumerGroups;
import io.tributary.testkit.kafka.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

    private static final Duration FUTURE_SKEW = Duration.ofMinutes(5);

    /** The topics of one run; each test has its own. */
    private record Names(String prefix) {
        String player() {
            return prefix + Topics.EVENTS_PLAYER;
        }

        String commerce() {
            return prefix + Topics.EVENTS_COMMERCE;
        }

        String iot() {
            return prefix + Topics.EVENTS_IOT;
        }

        List<String> inputs() {
            return List.of(player(), commerce(), iot());
        }

        String group() {
            return prefix + "agg";
        }

        AggregationsJob.Topics outputs() {
            return new AggregationsJob.Topics(
                    prefix + Topics.AGG_QOE_MINUTE,
                    prefix + Topics.AGG_QOE_RENDITION_MINUTE,
                    prefix + Topics.AGG_COMMERCE_MINUTE,
                    prefix + Topics.AGG_IOT_DEVICE_5M,
                    prefix + Topics.AGG_VIEWER_SESSIONS,
                    prefix + Topics.AGG_TRENDING_TITLES,
                    prefix + Topics.AGG_LATE_EVENTS,
                    prefix + Topics.AGG_DEAD_LETTERS);
        }

        void create() {
            AggregationsJob.Topics out = outputs();
            KAFKA.broker()
                    .createTopics(
                            2,
                            player(),
                            commerce(),
                            iot(),
                            out.qoeMinute(),
                            out.qoeRenditionMinute(),
                            out.commerceMinute(),
                            out.iotDevice5m(),
                            out.viewerSessions(),
                            out.trendingTitles(),
                            out.lateEvents(),
                            out.deadLetters());
        }
    }

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
        expectedDeadLetters.putAll(
                HostileCanonicalRecords.produce(
                        KAFKA.broker(), REGISTRY.url(), names.player(), Domain.PLAYER));
        expectedDeadLetters.putAll(
                HostileCanonicalRecords.produce(
                        KAFKA.broker(), REGISTRY.url(), names.commerce(), Domain.COMMERCE));
        expectedDeadLetters.putAll(
                HostileCanonicalRecords.produce(
                        KAFKA.broker(), REGISTRY.url(), names.iot(), Domain.IOT));

        FailOnceAfterCheckpoint<Envelope> failure = new FailOnceAfterCheckpoint<>();
        StreamExecutionEnvironment env = environment(new Configuration());
        CanonicalInput canonical =
                AggregationsJob.readCanonical(
                        env,
                        AggregationsJob.kafkaSource(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                                names.inputs(),
                                names.group(),
                                RegistryConnection.of(REGISTRY.url()),
                                FUTURE_SKEW,
                                true),
                        SETTINGS);
        DataStream<Envelope> events = canonical.events();
        AggregationsJob.build(
                canonical.withEvents(
                        events.map(failure).returns(events.getType()).name("inject failure")),
                SETTINGS,
                sinks(names));
        env.execute("aggregations-it");
        assertThat(failure.hasFailed()).as("failure was injected").isTrue();

        assertAll(names, input, orders, readings);
        assertThat(
                        TopicReader.readCommitted(
                                KAFKA.bootstrapServers(),
                                List.of(names.outputs().lateEvents()),
                                Duration.ofSeconds(60)))
                .as("nothing in this input is later than the allowed lateness")
                .isEmpty();
        assertThat(
                        HostileCanonicalRecords.deadLetterReasons(
                                KAFKA.bootstrapServers(),
                                REGISTRY.url(),
                                names.outputs().deadLetters()))
                .isEqualTo(expectedDeadLetters);
    }

    /**
     * Stop-with-savepoint halfway through the input, restore into a new job, finish: the results
     * are those of one uninterrupted run. After the restore, every partition's time moves on by
     * half an hour and then a reading for the first IoT window arrives: it is too late even for the
     * allowed lateness and goes to the late-events topic, once, without touching the window's
     * result.
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
        ConsumerGroups.awaitCaughtUp(
                KAFKA.bootstrapServers(), names.group(), names.inputs(), Duration.ofSeconds(120));
        String savepoint =
                first.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(120, TimeUnit.SECONDS);

        produce(names.player(), input.subList(input.size() / 2, input.size()));
        produce(names.commerce(), orders.subList(orders.size() / 2, orders.size()));
        produce(names.iot(), readings.subList(readings.size() / 2, readings.size()));
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = startUnbounded(names, restore);
        long later = T0.toEpochMilli() + 30 * MINUTE;
        List<Envelope> laterReadings = halfAnHourLater(readings);
        List<Envelope> laterPlays =
                List.of(
                        event(
                                "sess-later-0",
                                TITLES[0],
                                CDNS[0],
                                EventType.PLAY,
                                later,
                                b -> b.setPositionMs(0)),
                        event(
                                "sess-later-1",
                                TITLES[1],
                                CDNS[1],
                                EventType.PLAY,
                                later,
                                b -> b.setPositionMs(0)));
        List<Envelope> laterOrders =
                List.of(
                        commerce(
                                "ord-later-0",
                                new String[] {"DE", "EUR"},
                                EventType.ORDER_CREATED,
                                later,
                                999),
                        commerce(
                                "ord-later-1",
                                new String[] {"GB", "GBP"},
                                EventType.ORDER_CREATED,
                                later,
                                999));
        produceToEveryPartition(names.iot(), laterReadings);
        produceToEveryPartition(names.player(), laterPlays);
        produceToEveryPartition(names.commerce(), laterOrders);
        ConsumerGroups.awaitCaughtUp(
                KAFKA.bootstrapServers(), names.group(), names.inputs(), Duration.ofSeconds(120));
        // Every partition is at `later` now: once the watermark that makes is everywhere, the
        // windows of T0 are closed and an event of T0 is too late.
        JobWatermarks.awaitPassed(
                FLINK.getClientConfiguration(),
                second.getJobID(),
                later - NEVER_IDLE.maxOutOfOrderness().toMillis() - 1,
                Duration.ofSeconds(60));
        Envelope tooLate =
                envelope(
                        EventType.TELEMETRY,
                        Domain.IOT,
                        T0.toEpochMilli() + 1_000,
                        new IotTelemetry("edge-0", "temperature", 999.0, "celsius", null));
        produce(names.iot(), List.of(tooLate));
        ConsumerGroups.awaitCaughtUp(
                KAFKA.bootstrapServers(), names.group(), names.inputs(), Duration.ofSeconds(120));
        // Draining fires every remaining window before the final, committing savepoint.
        second.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);

        assertAll(
                names,
                concat(input, laterPlays),
                concat(orders, laterOrders),
                concat(readings, laterReadings));
        RegistryAvroDeserializationSchema<Envelope> decoder =
                ConfluentAvro.deserializer(Envelope.class, REGISTRY.url());
        List<String> late = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(),
                        List.of(names.outputs().lateEvents()),
                        Duration.ofSeconds(60))) {
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
        return AggregationsJob.kafkaSinks(
                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                RegistryConnection.of(REGISTRY.url()),
                names.outputs(),
                names.prefix() + "agg-it-" + UUID.randomUUID(),
                runtime.transactionalProducer());
    }

    private static JobClient startUnbounded(Names names, Configuration config) throws Exception {
        StreamExecutionEnvironment env = environment(config);
        AggregationsJob.build(
                AggregationsJob.readCanonical(
                        env,
                        AggregationsJob.kafkaSource(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                                names.inputs(),
                                names.group(),
                                RegistryConnection.of(REGISTRY.url()),
                                FUTURE_SKEW,
                                false),
                        NEVER_IDLE),
                NEVER_IDLE,
                sinks(names));
        return env.executeAsync("aggregations-savepoint-it");
    }

    private static void assertAll(
            Names names, List<Envelope> input, List<Envelope> orders, List<Envelope> readings)
            throws Exception {
        AggregationsJob.Topics out = names.outputs();
        assertQoe(read(out.qoeMinute(), QoeMinute.class), input);
        assertRenditions(read(out.qoeRenditionMinute(), QoeRenditionMinute.class), input);
        assertCommerce(read(out.commerceMinute(), CommerceMinute.class), orders);
        assertSessions(read(out.viewerSessions(), ViewerSession.class), input);
        assertTrending(read(out.trendingTitles(), TrendingTitles.class), input);
        assertIot(read(out.iotDevice5m(), IotDevice5m.class), readings);
    }

    /** Every record of a topic as read_committed consumers see it, decoded. */
    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(
            String topic, Class<T> type) throws Exception {
        RegistryAvroDeserializationSchema<T> decoder =
                ConfluentAvro.deserializer(type, REGISTRY.url());
        List<T> rows = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(), List.of(topic), Duration.ofSeconds(60))) {
            rows.add(decoder.deserialize(record.value()));
        }
        return rows;
    }

    /** Events round-robin over the topic's two partitions, whatever their keys. */
    private static void produceToEveryPartition(String topic, List<Envelope> events)
            throws Exception {
        send(topic, events, true);
    }

    private static void produce(String topic, List<Envelope> events) throws Exception {
        send(topic, events, false);
    }

    private static void send(String topic, List<Envelope> events, boolean roundRobin)
            throws Exception {
        var serializer = ConfluentAvro.serializer(Envelope.class, topic, REGISTRY.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                Envelope event = events.get(i);
                byte[] key = new AggregationsJob.EntityKey().serialize(event);
                acks.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        roundRobin ? i % 2 : null,
                                        event.getEventTime().toEpochMilli(),
                                        key,
                                        serializer.serialize(event))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }
}
