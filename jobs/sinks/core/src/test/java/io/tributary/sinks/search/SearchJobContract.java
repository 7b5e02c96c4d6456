package io.tributary.sinks.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tributary.jobs.JobCommandLine;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.jobs.kafka.RawInput;
import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Topics;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.ConfluentAvro;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.sinks.SampleRecords;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.infra.AuthenticatingProxy;
import io.tributary.testkit.infra.TestCertificates;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * What the search job must do on either engine, run by each engine's module against its real
 * server: alerts once each, the newest revision of every aggregate (revisions arrive shuffled and
 * the job fails once and replays; the engine keeps the newest by external versioning), the
 * template's mappings in place, and whatever an index cannot take, the engine's own refusals
 * included, on the dead-letter topic with its reason.
 */
public abstract class SearchJobContract {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    protected abstract String searchUrl();

    protected abstract SearchEngine engine();

    @Test
    void
            alertsAndTheNewestRevisionOfEveryAggregateAreIndexedOnceAndUnindexableRecordsAreDeadLettered()
                    throws Exception {
        String prefix = "it-" + engine().name().toLowerCase().replaceAll("[^a-z0-9]", "") + "-";
        String alerts = prefix + Topics.CEP_ALERTS;
        String qoe = prefix + Topics.AGG_QOE_MINUTE;
        String iot = prefix + Topics.AGG_IOT_DEVICE_5M;
        String deadLetters = prefix + Topics.SINKS_DEAD_LETTERS;
        KAFKA.broker().createTopics(2, alerts, qoe, iot, prefix + "unused", deadLetters);

        Random random = new Random(3);
        List<Alert> alertRecords = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            alertRecords.add(SampleRecords.alert(i));
            if (i % 6 == 0) {
                alertRecords.add(SampleRecords.alert(i));
            }
        }
        List<QoeMinute> qoeRecords = new ArrayList<>();
        for (int key = 0; key < 1000; key++) {
            for (int revision = 0; revision < 3; revision++) {
                qoeRecords.add(SampleRecords.qoe(key, revision));
            }
        }
        Collections.shuffle(qoeRecords, random);
        List<IotDevice5m> iotRecords = new ArrayList<>();
        for (int key = 0; key < 10; key++) {
            iotRecords.add(SampleRecords.iot(key, 1));
            iotRecords.add(SampleRecords.iot(key, 0));
        }
        produce(alerts, alertRecords);
        produce(qoe, qoeRecords);
        produce(iot, iotRecords);
        Map<String, String> expectedDeadLetters = new HashMap<>();
        expectedDeadLetters.put(
                produceBad(
                        qoe,
                        QoeMinute.newBuilder(SampleRecords.qoe(90, 0))
                                .setRebufferRatio(Double.NaN)
                                .build()),
                "INVALID_VALUE:rebufferRatio");
        expectedDeadLetters.put(
                produceBad(
                        qoe,
                        QoeMinute.newBuilder(SampleRecords.qoe(91, 0))
                                .setTitleId("t".repeat(600))
                                .build()),
                "INVALID_VALUE:id");
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            RecordMetadata at =
                    producer.send(new ProducerRecord<>(iot, null, new byte[] {0, 0, 0, 0}))
                            .get(60, TimeUnit.SECONDS);
            expectedDeadLetters.put(
                    at.topic() + "/" + at.partition() + "@" + at.offset(), "MALFORMED_AVRO:null");
        }
        // An index whose mapping someone set by hand (below) refuses one document: details.score
        // must be a number there. The engine refuses it, the sink dead-letters it, all else goes
        // on.
        Alert refusedByIndex =
                Alert.newBuilder(SampleRecords.alert(500))
                        .setDetails(Map.of("count", "500", "note", "n", "score", "high"))
                        .build();
        expectedDeadLetters.put(produceBad(alerts, refusedByIndex), "INVALID_VALUE:null");

        SearchOptions options =
                JobCommandLine.parse(
                        new SearchOptions(),
                        new String[] {
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--registry-url",
                            REGISTRY.url(),
                            "--search-url",
                            searchUrl(),
                            "--index-prefix",
                            prefix,
                            "--index-replicas",
                            "0",
                            "--alerts-topic",
                            alerts,
                            "--qoe-topic",
                            qoe,
                            "--iot-topic",
                            iot,
                            "--trending-topic",
                            prefix + "unused",
                            "--sessions-topic",
                            prefix + "unused",
                            "--commerce-topic",
                            prefix + "unused",
                            "--sink-dead-letter-topic",
                            deadLetters,
                            "--transactional-id-prefix",
                            prefix + "search",
                            "--group-id",
                            prefix + "search",
                            "--transaction-timeout",
                            "5m",
                            "--bulk-interval",
                            "200ms"
                        });
        IndexTemplate.install(searchUrl(), options.indexPrefix, options.indexReplicas, null, null);
        http(
                "PUT",
                "/" + prefix + "alerts",
                "{\"mappings\":{\"properties\":{\"details\":{\"properties\":{\"score\":{\"type\":\"long\"}}}}}}");

        FailOnceAfterCheckpoint<RawRecord> failure = new FailOnceAfterCheckpoint<>();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(300);
        env.getConfig().disableGenericTypes();
        DataStream<RawRecord> raw =
                env.fromSource(
                        RawInput.source(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                                List.of(alerts, qoe, iot),
                                options.groupId,
                                true),
                        WatermarkStrategy.noWatermarks(),
                        "search topics");
        SearchJob.build(
                raw.map(failure).returns(raw.getType()).name("inject failure"),
                options.topics(),
                options.indexPrefix,
                RegistryConnection.of(REGISTRY.url()),
                SearchJobMain.sinks(options, engine()));
        env.execute("search-it");
        assertThat(failure.hasFailed()).as("failure was injected").isTrue();

        http("POST", "/" + prefix + "*/_refresh");
        Map<String, JsonNode> alertDocs = documents(prefix + "alerts");
        assertThat(alertDocs).hasSize(100);
        Alert sample = SampleRecords.alert(7);
        assertThat(alertDocs.get(sample.getAlertId()).path("ruleId").asText())
                .isEqualTo(sample.getRuleId());
        assertThat(alertDocs.get(sample.getAlertId()).path("details").path("note").asText())
                .isEqualTo("it's \"quoted\"");

        Map<String, String> expectedQoe = new HashMap<>();
        for (QoeMinute record : qoeRecords) {
            String id = SearchIndex.QOE_MINUTE.id().apply(record);
            if (record.getRevision() == 2) {
                expectedQoe.put(id, record.getRevision() + "/" + record.getPlays());
            }
        }
        Map<String, String> storedQoe = new HashMap<>();
        documents(prefix + "qoe-minute")
                .forEach(
                        (id, doc) ->
                                storedQoe.put(
                                        id,
                                        doc.path("revision").asInt()
                                                + "/"
                                                + doc.path("plays").asLong()));
        assertThat(storedQoe).isEqualTo(expectedQoe);

        Map<String, Integer> storedIot = new HashMap<>();
        documents(prefix + "iot-device-5m")
                .forEach((id, doc) -> storedIot.put(id, doc.path("revision").asInt()));
        assertThat(storedIot)
                .hasSize(10)
                .allSatisfy((id, revision) -> assertThat(revision).as(id).isEqualTo(1));

        JsonNode mapping =
                JSON.readTree(http("GET", "/" + prefix + "qoe-minute/_mapping"))
                        .path(prefix + "qoe-minute")
                        .path("mappings")
                        .path("properties");
        assertThat(mapping.path("windowStart").path("type").asText()).isEqualTo("date");
        assertThat(mapping.path("titleId").path("type").asText()).isEqualTo("keyword");
        JsonNode alertMapping =
                JSON.readTree(http("GET", "/" + prefix + "alerts/_mapping"))
                        .path(prefix + "alerts")
                        .path("mappings")
                        .path("properties");
        assertThat(alertMapping.path("summary").path("type").asText()).isEqualTo("text");

        var decoder = ConfluentAvro.deserializer(DeadLetter.class, REGISTRY.url());
        Map<String, String> storedDeadLetters = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                TopicReader.readCommitted(
                        KAFKA.bootstrapServers(), List.of(deadLetters), Duration.ofSeconds(60))) {
            DeadLetter letter = decoder.deserialize(record.value());
            assertThat(letter.getJob()).isEqualTo(SearchJob.JOB);
            storedDeadLetters.put(
                    letter.getSourceTopic()
                            + "/"
                            + letter.getSourcePartition()
                            + "@"
                            + letter.getSourceOffset(),
                    letter.getReason() + ":" + letter.getField());
        }
        assertThat(storedDeadLetters).isEqualTo(expectedDeadLetters);
    }

    /**
     * The job started through its main, as an operator would, against the search cluster behind
     * HTTPS (a certificate of a test CA) and required credentials: with the CA and the password
     * from a mounted file it indexes every alert; a CA that did not sign the certificate and a
     * missing password each fail the submission with an error naming the option to give.
     */
    @Test
    void aSearchClusterBehindTlsAndCredentialsIsWrittenAndMisconfigurationIsNamed(@TempDir Path dir)
            throws Exception {
        String prefix = "tls-" + engine().name().toLowerCase().replaceAll("[^a-z0-9]", "") + "-";
        String alerts = prefix + Topics.CEP_ALERTS;
        String unused = prefix + "unused";
        String deadLetters = prefix + Topics.SINKS_DEAD_LETTERS;
        KAFKA.broker().createTopics(2, alerts, unused, deadLetters);
        List<Alert> alertRecords = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            alertRecords.add(SampleRecords.alert(i));
        }
        produce(alerts, alertRecords);

        String password = "search-writer-" + Long.toHexString(System.nanoTime());
        Path passwordFile = dir.resolve("search-password");
        Files.writeString(passwordFile, password + "\n");
        TestCertificates certificates = TestCertificates.create(dir.resolve("ca"));
        TestCertificates otherCa = TestCertificates.create(dir.resolve("other-ca"));
        try (AuthenticatingProxy secured =
                AuthenticatingProxy.basicAuth(searchUrl(), certificates, "writer", password)) {
            List<String> args =
                    List.of(
                            "--bootstrap-servers",
                            KAFKA.bootstrapServers(),
                            "--registry-url",
                            REGISTRY.url(),
                            "--search-url",
                            secured.url(),
                            "--search-user",
                            "writer",
                            "--index-prefix",
                            prefix,
                            "--index-replicas",
                            "0",
                            "--alerts-topic",
                            alerts,
                            "--qoe-topic",
                            unused,
                            "--iot-topic",
                            unused,
                            "--trending-topic",
                            unused,
                            "--sessions-topic",
                            unused,
                            "--commerce-topic",
                            unused,
                            "--sink-dead-letter-topic",
                            deadLetters,
                            "--transactional-id-prefix",
                            prefix + "search",
                            "--group-id",
                            prefix + "search",
                            "--transaction-timeout",
                            "5m",
                            "--bulk-interval",
                            "200ms",
                            "--parallelism",
                            "2",
                            "--state-backend",
                            "HASHMAP",
                            "--checkpoint-interval",
                            "500ms",
                            "--bounded");

            assertThatThrownBy(
                            () ->
                                    SearchJobMain.run(
                                            with(
                                                    args,
                                                    "--search-ca",
                                                    otherCa.caCertificatePem().toString(),
                                                    "--search-password-file",
                                                    passwordFile.toString()),
                                            engine()))
                    .hasMessageContaining("failed the TLS handshake")
                    .hasMessageContaining("--search-ca");
            assertThatThrownBy(
                            () ->
                                    SearchJobMain.run(
                                            with(
                                                    args,
                                                    "--search-ca",
                                                    certificates.caCertificatePem().toString()),
                                            engine()))
                    .hasMessageContaining("refused the job's credentials (HTTP 401)")
                    .hasMessageContaining("--search-password-file");

            SearchJobMain.run(
                    with(
                            args,
                            "--search-ca",
                            certificates.caCertificatePem().toString(),
                            "--search-password-file",
                            passwordFile.toString()),
                    engine());
        }

        http("POST", "/" + prefix + "*/_refresh");
        assertThat(documents(prefix + "alerts")).hasSize(alertRecords.size());
    }

    private static String[] with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** Every document of an index by id (the test indexes hold well under 10,000). */
    private Map<String, JsonNode> documents(String index) throws Exception {
        JsonNode hits =
                JSON.readTree(http("GET", "/" + index + "/_search?size=10000"))
                        .path("hits")
                        .path("hits");
        Map<String, JsonNode> documents = new HashMap<>();
        for (JsonNode hit : hits) {
            assertThat(documents.put(hit.path("_id").asText(), hit.path("_source"))).isNull();
        }
        return documents;
    }

    private String http(String method, String path) throws Exception {
        return http(method, path, null);
    }

    private String http(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(searchUrl() + path));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as(method + " " + path + ": " + response.body())
                .isBetween(200, 299);
        return response.body();
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

    /** Writes one record and returns where it went, as topic/partition@offset. */
    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> String produceBad(String topic, T record)
            throws Exception {
        var serializer =
                ConfluentAvro.serializer((Class<T>) record.getClass(), topic, REGISTRY.url());
        serializer.open(null);
        try (KafkaProducer<byte[], byte[]> producer = KAFKA.broker().producer()) {
            RecordMetadata at =
                    producer.send(new ProducerRecord<>(topic, null, serializer.serialize(record)))
                            .get(60, TimeUnit.SECONDS);
            return at.topic() + "/" + at.partition() + "@" + at.offset();
        }
    }
}
