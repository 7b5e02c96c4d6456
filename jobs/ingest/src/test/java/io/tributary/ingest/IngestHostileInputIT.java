package io.tributary.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.ingest.HostileCorpus.Case;
import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.jobs.TimeBudgets;
import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.registry.ConfluentSchemaCoder;
import io.tributary.schemas.registry.SchemaRegistryClient;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hostile corpus ({@link HostileCorpus}) mixed into a few thousand good events and gateway
 * retries, through the real ingest job on a real broker and registry at parallelism 2 with
 * checkpoints. The job must never fail or restart (Flink's exception history stays empty), every
 * good event must come out exactly once, and every bad record must leave exactly one dead letter
 * with its reason and its original bytes, or, above the cut, their length, SHA-256 and first bytes.
 */
class IngestHostileInputIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GOOD_EVENTS = 2_000;
    private static final int DUPLICATES = 200;

    private record Sent(
            String topic,
            byte[] key,
            byte[] value,
            Long timestamp,
            String expectedReason,
            String eventId,
            boolean duplicate) {}

    @Test
    void noRecordFailsOrRestartsTheJobAndNothingIsLost(
            @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        CanonicalTopics topics = CanonicalTopics.DEFAULTS;
        KAFKA.broker().createTopics(2, Topics.list(Topics.RAW_ALL).toArray(String[]::new));
        KAFKA.broker()
                .createTopics(
                        2,
                        topics.player(),
                        topics.media(),
                        topics.commerce(),
                        topics.iot(),
                        topics.deadLetters());

        List<Sent> input = input();
        Map<String, Sent> sentByPosition = produce(input);

        JobID job = runIngestJob(topics);
        assertThat(exceptionHistory(cluster, job)).as("failures and restarts of the job").isEmpty();

        Set<String> expectedIds = new HashSet<>();
        Map<String, Sent> badByPosition = new HashMap<>();
        int duplicates = 0;
        for (Map.Entry<String, Sent> entry : sentByPosition.entrySet()) {
            Sent sent = entry.getValue();
            if (sent.duplicate()) {
                duplicates++;
            } else if (sent.expectedReason() == null) {
                assertThat(expectedIds.add(sent.eventId() + "@" + sent.topic())).isTrue();
            } else {
                badByPosition.put(entry.getKey(), sent);
            }
        }

        PlainConfluentDecoder decoder = new PlainConfluentDecoder(REGISTRY.url());
        List<String> outputIds = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(), topics.eventTopics(), Duration.ofSeconds(60))) {
            GenericRecord envelope = decoder.decode(record.value());
            String rawTopic =
                    "raw." + envelope.get("domain").toString().toLowerCase(java.util.Locale.ROOT);
            outputIds.add(envelope.get("eventId") + "@" + rawTopic);
        }
        assertThat(outputIds).doesNotHaveDuplicates();
        assertThat(new HashSet<>(outputIds)).isEqualTo(expectedIds);

        Map<String, GenericRecord> lettersByPosition =
                decoder.deadLettersByPosition(KAFKA.bootstrapServers(), topics.deadLetters());
        assertThat(lettersByPosition.keySet()).isEqualTo(badByPosition.keySet());
        int cut = 0;
        for (Map.Entry<String, Sent> entry : badByPosition.entrySet()) {
            Sent sent = entry.getValue();
            GenericRecord letter = lettersByPosition.get(entry.getKey());
            String what =
                    sent.expectedReason() + " at " + entry.getKey() + ": " + letter.get("message");
            assertThat(letter.get("reason").toString()).as(what).isEqualTo(sent.expectedReason());
            assertThat(letter.get("message").toString())
                    .isNotBlank()
                    .hasSizeLessThanOrEqualTo(DeadLetters.MAX_MESSAGE_CHARS);
            assertKept(letter, "Key", sent.key());
            cut += assertKept(letter, "Value", sent.value()) ? 1 : 0;
        }
        assertThat(cut).as("dead letters whose original was cut").isEqualTo(1);
        assertThat(outputIds.size() + lettersByPosition.size() + duplicates)
                .isEqualTo(sentByPosition.size());
    }

    @Test
    void aTransactionTimeoutLongerThanTheBrokerAllowsIsRefusedAtStart() throws Exception {
        Duration brokerMax =
                TimeBudgets.brokerTransactionMaxTimeout(
                        KafkaConnection.plaintext(KAFKA.bootstrapServers()));
        assertThat(brokerMax).isEqualTo(Duration.ofMinutes(15));
        IngestOptions options =
                IngestJobMain.parse(
                        new String[] {
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--registry-url",
                            REGISTRY.url(),
                            "--transaction-timeout",
                            "20m"
                        });
        assertThatThrownBy(() -> IngestJobMain.run(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "--transaction-timeout 20m is longer than the broker's transaction.max.timeout.ms (15m)");
    }

    @Test
    void aFutureSkewTheBrokerWouldRefuseIsRefusedAtStart() throws Exception {
        assertThat(
                        TimeBudgets.brokerTimestampAfterMax(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers())))
                .isEqualTo(Duration.ofHours(1));
        IngestOptions options =
                IngestJobMain.parse(
                        new String[] {
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--registry-url",
                            REGISTRY.url(),
                            "--max-future-skew",
                            "2h",
                            "--dedup-ttl",
                            "27h"
                        });
        assertThatThrownBy(() -> IngestJobMain.run(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "--max-future-skew 2h is not shorter than the broker's log.message.timestamp.after.max.ms (1h)");
    }

    /**
     * @return whether the original was cut
     */
    private static boolean assertKept(GenericRecord letter, String part, byte[] original) {
        byte[] kept = PlainConfluentDecoder.bytes(letter.get("original" + part));
        Object size = letter.get("original" + part + "Size");
        if (size == null) {
            assertThat(kept).as("original " + part).isEqualTo(original);
            return false;
        }
        assertThat((Integer) size).isEqualTo(original.length);
        assertThat(letter.get("original" + part + "Sha256").toString())
                .isEqualTo(DeadLetters.sha256(original));
        assertThat(kept).hasSizeLessThan(original.length);
        assertThat(java.util.Arrays.copyOf(original, kept.length)).isEqualTo(kept);
        return true;
    }

    private List<Sent> input() throws Exception {
        SchemaRegistryClient registry = new SchemaRegistryClient(REGISTRY.url());
        int envelopeId =
                registry.register(
                        ConfluentSchemaCoder.valueSubject(Topics.RAW_IOT),
                        Envelope.getClassSchema());
        int jsonSchemaId = registerJsonSchema("hostile-json-value");
        long now = System.currentTimeMillis();
        List<Case> corpus =
                HostileCorpus.build(
                        now, new HostileCorpus.SchemaIds(envelopeId, jsonSchemaId, 987_654));

        TrafficGenerator generator = new TrafficGenerator(42, System::currentTimeMillis, 0, 0);
        List<Sent> traffic = new ArrayList<>();
        List<GeneratedRecord> good = new ArrayList<>();
        for (int i = 0; i < GOOD_EVENTS; i++) {
            GeneratedRecord record = generator.nextGood();
            good.add(record);
            traffic.add(
                    new Sent(
                            record.topic(),
                            record.key(),
                            record.value(),
                            null,
                            null,
                            record.eventId(),
                            false));
        }
        Random random = new Random(7);
        for (int i = 0; i < DUPLICATES; i++) {
            GeneratedRecord original = good.get(random.nextInt(good.size()));
            traffic.add(
                    random.nextInt(traffic.size() + 1),
                    new Sent(
                            original.topic(),
                            original.key(),
                            original.value(),
                            null,
                            null,
                            original.eventId(),
                            true));
        }
        // Corpus cases keep their order among themselves (the first use of an id before its reuse),
        // each at a random place in the traffic.
        List<Sent> input = new ArrayList<>(traffic);
        int at = 0;
        for (Case c : corpus) {
            at = Math.min(input.size(), at + random.nextInt(2 * input.size() / corpus.size() + 1));
            String reason = c.expectedReason();
            input.add(
                    at++,
                    new Sent(
                            c.topic(),
                            c.key(),
                            c.value(),
                            c.timestamp(),
                            reason,
                            c.eventId(),
                            false));
        }
        return input;
    }

    private Map<String, Sent> produce(List<Sent> input) throws Exception {
        Map<String, Sent> byPosition = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer =
                KAFKA.broker().producer(Map.of("max.request.size", 1_048_576))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Sent sent : input) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(
                                        sent.topic(),
                                        null,
                                        sent.timestamp(),
                                        sent.key(),
                                        sent.value())));
            }
            for (int i = 0; i < acks.size(); i++) {
                RecordMetadata metadata = acks.get(i).get();
                byPosition.put(
                        metadata.topic() + "/" + metadata.partition() + "/" + metadata.offset(),
                        input.get(i));
            }
        }
        return byPosition;
    }

    private JobID runIngestJob(CanonicalTopics topics) throws Exception {
        StreamExecutionEnvironment env =
                IngestOnKafka.build(
                        KAFKA.bootstrapServers(),
                        REGISTRY.url(),
                        topics,
                        "ingest-hostile-it",
                        Duration.ofDays(8),
                        raw -> raw);
        JobClient job = env.executeAsync("ingest-hostile-it");
        job.getJobExecutionResult().get();
        return job.getJobID();
    }

    /** Flink's record of every failure of the job, restarts included, as its REST API serves it. */
    private static List<JsonNode> exceptionHistory(ClusterClient<?> cluster, JobID job)
            throws Exception {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        cluster.getWebInterfaceURL()
                                                                + "/jobs/"
                                                                + job
                                                                + "/exceptions"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        JSON.readTree(response.body())
                .path("exceptionHistory")
                .path("entries")
                .forEach(entries::add);
        return entries;
    }

    private static int registerJsonSchema(String subject) throws Exception {
        String body =
                JSON.createObjectNode()
                        .put("schemaType", "JSON")
                        .put(
                                "schema",
                                "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"title\":\"Reading\",\"type\":\"object\",\"properties\":{\"value\":{\"type\":\"number\"}}}")
                        .toString();
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        REGISTRY.url()
                                                                + "/subjects/"
                                                                + subject
                                                                + "/versions"))
                                        .header(
                                                "Content-Type",
                                                "application/vnd.schemaregistry.v1+json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).path("id").asInt();
    }
}
