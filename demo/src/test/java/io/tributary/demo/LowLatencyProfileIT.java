package io.tributary.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.job.CepRulesJob;
import io.tributary.cep.job.CepRulesJobMain;
import io.tributary.cep.job.CepRulesOptions;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.Origin;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.commerce.CommerceEvent;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.sinks.warehouse.WarehouseJobMain;
import io.tributary.sinks.warehouse.WarehouseMigrations;
import io.tributary.sinks.warehouse.WarehouseOptions;
import io.tributary.testkit.Repository;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.infra.PostgresServer;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealPostgres;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.formats.avro.RegistryAvroDeserializationSchema;
import org.apache.flink.formats.avro.RegistryAvroSerializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The low-latency profile against the exactly-once one, on the real broker at parallelism 2 with
 * RocksDB. The canonical topic holds what ingest leaves behind when it fails mid-transaction: a
 * committed part, an aborted transaction, and the same events written again by the replay, under
 * the same ids. The low-latency CEP job reads all of it uncommitted and fails once itself after a
 * checkpoint, so its alerts topic may repeat alerts; the warehouse stores what it wrote. The stored
 * alerts must equal the exactly-once job's alerts, and card testing, a rule that counts failed
 * payments, must count each payment once.
 */
class LowLatencyProfileIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final RealPostgres POSTGRES = new RealPostgres();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4);

    private static final String INPUT = "events.commerce.low-latency-it";
    // Kafka refuses record timestamps far from now, so the input lies in the last hour.
    private static final long T0 = (System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000;

    @Test
    void storedAlertsEqualTheExactlyOnceProfileAndNoEventCountsTwice() throws Exception {
        KAFKA.broker().createTopics(2, INPUT);
        List<Envelope> events = cardTestingTraffic(new Random(42), 1200);
        int abortedFrom = events.size() / 3;
        int abortedTo = events.size() / 2;
        writeAsIngestDoesWhenItFails(events, abortedFrom, abortedTo);
        assertThat(countRecords(INPUT, "read_uncommitted"))
                .as("the aborted transaction's records are in the log")
                .isEqualTo(events.size() + (abortedTo - abortedFrom));
        List<Rule> rules = RuleLoader.load(Repository.rules()).rulesOrThrow();

        CepRulesOptions exactlyOnce = cepOptions("exactly-once", "eo");
        run(exactlyOnce, rules, null);
        Map<String, Alert> expected = byAlertId(readAlerts(exactlyOnce.alertsTopic));
        assertThat(expected).as("the input calls for alerts").hasSizeGreaterThan(750);

        CepRulesOptions lowLatency = cepOptions("low-latency", "ll");
        FailOnceAfterCheckpoint<Envelope> failure = new FailOnceAfterCheckpoint<>();
        run(lowLatency, rules, failure);
        assertThat(failure.hasFailed()).as("failure was injected").isTrue();
        List<Alert> written = readAlerts(lowLatency.alertsTopic);
        assertThat(byAlertId(written).keySet())
                .as("distinct alerts on the low-latency topic (repeats allowed)")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());

        storeInWarehouse(lowLatency.alertsTopic);
        Map<String, StoredAlert> stored = storedAlerts();
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Alert alert : expected.values()) {
            StoredAlert row = stored.get(alert.getAlertId());
            assertThat(row.matchedEventIds())
                    .as("alert %s matched the same events", alert.getAlertId())
                    .isEqualTo(alert.getMatchedEventIds());
            assertThat(row.failures())
                    .as("failed payments counted once each in %s", alert.getAlertId())
                    .isEqualTo(alert.getDetails().get("failures"))
                    .isEqualTo(
                            Long.toString(
                                    alert.getMatchedEventIds().stream()
                                            .filter(id -> id.startsWith("failed-"))
                                            .count()));
        }
    }

    /**
     * Accounts with three to five failed payments and then a success (alerts), and accounts with
     * two (near misses), interleaved in event time. Enough of them that the low-latency run, slowed
     * by the failure injection until its first checkpoint, is still reading when that completes.
     */
    private static List<Envelope> cardTestingTraffic(Random random, int accounts) {
        List<Envelope> events = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            String account = "acct-" + a;
            int failures = a % 4 == 3 ? 2 : 3 + random.nextInt(3);
            long time = T0 + a * 2_000L;
            for (int f = 0; f < failures; f++) {
                events.add(
                        payment("failed-" + a + "-" + f, account, EventType.PAYMENT_FAILED, time));
                time += 100 + random.nextInt(200);
            }
            events.add(payment("succeeded-" + a, account, EventType.PAYMENT_SUCCEEDED, time));
        }
        events.sort((x, y) -> x.getEventTime().compareTo(y.getEventTime()));
        return events;
    }

    private static Envelope payment(String id, String account, EventType type, long time) {
        CommerceEvent.Builder payment =
                CommerceEvent.newBuilder()
                        .setOrderId("ord-" + account)
                        .setAccountId(account)
                        .setPaymentId("pay-" + id)
                        .setPaymentMethod("card")
                        .setAmountMinor(1999)
                        .setCurrency("EUR")
                        .setCountry("DE");
        if (type == EventType.PAYMENT_FAILED) {
            payment.setFailureReason("card_declined");
        }
        return Envelope.newBuilder()
                .setEventId(id)
                .setEventType(type)
                .setDomain(Domain.COMMERCE)
                .setEventTime(Instant.ofEpochMilli(time))
                .setIngestTime(Instant.ofEpochMilli(time))
                .setProducer("checkout-svc")
                .setOrigin(new Origin("raw.commerce", 0, 0L))
                .setPayload(payment.build())
                .build();
    }

    /**
     * As ingest's transactional sink leaves the topic when ingest fails: the events before {@code
     * from} committed, those from {@code from} to {@code to} in a transaction that is aborted, then
     * the replay writes them again, and the rest, committed.
     */
    private static void writeAsIngestDoesWhenItFails(List<Envelope> events, int from, int to)
            throws Exception {
        RegistryAvroSerializationSchema<Envelope> serializer =
                ConfluentAvro.serializer(Envelope.class, INPUT, REGISTRY.url());
        serializer.open(null);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ingest-like-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, serializer, events.subList(0, from));
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, serializer, events.subList(from, to));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            send(producer, serializer, events.subList(from, events.size()));
            producer.commitTransaction();
        }
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            RegistryAvroSerializationSchema<Envelope> serializer,
            List<Envelope> events) {
        for (Envelope event : events) {
            String account = ((CommerceEvent) event.getPayload()).getAccountId();
            producer.send(
                    new ProducerRecord<>(
                            INPUT,
                            null,
                            event.getEventTime().toEpochMilli(),
                            account.getBytes(StandardCharsets.UTF_8),
                            serializer.serialize(event)));
        }
    }

    private static CepRulesOptions cepOptions(String profile, String suffix) {
        String alerts = "cep.alerts." + suffix;
        KAFKA.broker()
                .createTopics(2, alerts, "cep.late-events." + suffix, "cep.dead-letters." + suffix);
        CepRulesOptions options = new CepRulesOptions();
        new CommandLine(options)
                .parseArgs(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--registry-url",
                        REGISTRY.url(),
                        "--rules",
                        Repository.rules().toString(),
                        "--input-topics",
                        INPUT,
                        "--alerts-topic",
                        alerts,
                        "--late-topic",
                        "cep.late-events." + suffix,
                        "--dead-letter-topic",
                        "cep.dead-letters." + suffix,
                        "--group-id",
                        "cep-" + suffix,
                        "--transactional-id-prefix",
                        "cep-" + suffix,
                        "--profile",
                        profile,
                        "--checkpoint-interval",
                        "300ms",
                        "--bounded");
        return options;
    }

    /** The CEP job as its main builds it, with a failure injected right after its input. */
    private static void run(
            CepRulesOptions options, List<Rule> rules, FailOnceAfterCheckpoint<Envelope> failure)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.runtime.configure(env);
        CanonicalInput input = CepRulesJobMain.kafkaInput(env, options);
        if (failure != null) {
            DataStream<Envelope> events = input.events();
            input =
                    input.withEvents(
                            events.map(failure).returns(events.getType()).name("inject failure"));
        }
        CepRulesJob.build(
                input,
                rules,
                CepRulesJobMain.kafkaSinks(options),
                options.stateCacheKeys,
                options.maxPartialMatches);
        env.execute("cep " + options.runtime.profile);
    }

    private static void storeInWarehouse(String alertsTopic) throws Exception {
        PostgresServer postgres = POSTGRES.server();
        KAFKA.broker().createTopics(2, "sinks.dead-letters.low-latency-it");
        WarehouseOptions options = new WarehouseOptions();
        new CommandLine(options)
                .parseArgs(
                        "--bootstrap-servers",
                        KAFKA.bootstrapServers(),
                        "--registry-url",
                        REGISTRY.url(),
                        "--jdbc-url",
                        postgres.jdbcUrl(),
                        "--jdbc-user",
                        postgres.user(),
                        "--alerts-topic",
                        alertsTopic,
                        "--sink-dead-letter-topic",
                        "sinks.dead-letters.low-latency-it",
                        "--profile",
                        "low-latency",
                        "--checkpoint-interval",
                        "300ms",
                        "--bounded");
        KAFKA.broker()
                .createTopics(
                        1,
                        options.inputTopics().stream()
                                .filter(topic -> !topic.equals(alertsTopic))
                                .distinct()
                                .toArray(String[]::new));
        WarehouseMigrations.migrate(options.jdbcUrl, options.jdbcUser, null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        options.runtime.configure(env);
        WarehouseJobMain.buildOnKafka(env, options);
        env.execute("warehouse, low-latency alerts");
    }

    private record StoredAlert(List<String> matchedEventIds, String failures) {}

    private static Map<String, StoredAlert> storedAlerts() throws Exception {
        Map<String, StoredAlert> rows = new TreeMap<>();
        try (Connection connection =
                        DriverManager.getConnection(
                                POSTGRES.server().jdbcUrl(), POSTGRES.server().user(), null);
                Statement statement = connection.createStatement();
                ResultSet result =
                        statement.executeQuery(
                                "SELECT alert_id, matched_event_ids, details->>'failures' FROM alerts")) {
            while (result.next()) {
                rows.put(
                        result.getString(1),
                        new StoredAlert(
                                Arrays.asList((String[]) result.getArray(2).getArray()),
                                result.getString(3)));
            }
        }
        return rows;
    }

    private static List<Alert> readAlerts(String topic) throws Exception {
        RegistryAvroDeserializationSchema<Alert> decoder =
                ConfluentAvro.deserializer(Alert.class, RegistryConnection.of(REGISTRY.url()));
        List<Alert> alerts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(),
                        Map.of(),
                        List.of(topic),
                        Duration.ofSeconds(5))) {
            alerts.add(decoder.deserialize(record.value()));
        }
        return alerts;
    }

    private static Map<String, Alert> byAlertId(List<Alert> alerts) {
        Map<String, Alert> byId = new HashMap<>();
        alerts.forEach(alert -> byId.put(alert.getAlertId(), alert));
        return byId;
    }

    private static long countRecords(String topic, String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long count = 0;
            long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < quiet) {
                int n = consumer.poll(Duration.ofMillis(200)).count();
                count += n;
                if (n > 0) {
                    quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
            return count;
        }
    }
}
