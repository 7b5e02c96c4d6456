package io.tributary.testkit.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tributary.schemas.registry.SchemaRegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RealServersTest {

    @Test
    void brokerAcceptsAndServesRecordsAndLeavesNothingBehind() throws Exception {
        Path home;
        long pid;
        try (KafkaBroker broker = KafkaBroker.start()) {
            pid = broker.process().pid();
            home = Path.of(System.getProperty("java.io.tmpdir"));
            broker.createTopics(2, "smoke");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(
                            Map.of("bootstrap.servers", broker.bootstrapServers()),
                            new StringSerializer(),
                            new StringSerializer())) {
                producer.send(new ProducerRecord<>("smoke", "k", "hello")).get();
            }
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(
                            Map.of(
                                    "bootstrap.servers", broker.bootstrapServers(),
                                    "group.id", "smoke",
                                    "auto.offset.reset", "earliest"),
                            new StringDeserializer(),
                            new StringDeserializer())) {
                consumer.subscribe(List.of("smoke"));
                List<String> values = new ArrayList<>();
                await("the record read back")
                        .atMost(Duration.ofSeconds(30))
                        .pollInSameThread()
                        .until(
                                () -> {
                                    consumer.poll(Duration.ofMillis(500))
                                            .forEach(record -> values.add(record.value()));
                                    return !values.isEmpty();
                                });
                assertThat(values).containsExactly("hello");
            }
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        try (var leftovers = Files.list(home)) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().startsWith("trib-kafka")))
                    .as("broker temp dirs left behind")
                    .isEmpty();
        }
    }

    @Test
    void registrySpeaksTheConfluentApiAndEnforcesBackwardCompatibility() {
        try (SchemaRegistry registry = SchemaRegistry.start()) {
            SchemaRegistryClient client = registry.client();
            Schema v1 = SchemaBuilder.record("Reading").fields().requiredString("id").endRecord();
            Schema v2 =
                    SchemaBuilder.record("Reading")
                            .fields()
                            .requiredString("id")
                            .name("unit")
                            .type()
                            .stringType()
                            .stringDefault("celsius")
                            .endRecord();
            Schema breaking =
                    SchemaBuilder.record("Reading")
                            .fields()
                            .requiredString("id")
                            .requiredLong("mandatoryWithoutDefault")
                            .endRecord();

            int id1 = client.register("readings-value", v1);
            assertThat(client.register("readings-value", v1)).isEqualTo(id1);
            int id2 = client.register("readings-value", v2);
            assertThat(id2).isNotEqualTo(id1);
            assertThat(client.schemaById(id1)).isEqualTo(v1);
            assertThat(client.latest("readings-value").schema()).isEqualTo(v2);
            assertThat(client.isCompatibleWithLatest("readings-value", breaking)).isFalse();
            assertThatThrownBy(() -> client.register("readings-value", breaking))
                    .isInstanceOf(SchemaRegistryClient.IncompatibleSchemaException.class);
            // Parallel sink writers register the same schema at the same moment.
            Schema reading =
                    SchemaBuilder.record("Parallel").fields().requiredString("id").endRecord();
            List<Integer> ids =
                    java.util.stream.IntStream.range(0, 8)
                            .parallel()
                            .mapToObj(i -> registry.client().register("parallel-value", reading))
                            .toList();
            assertThat(ids).containsOnly(ids.get(0));
            assertThatThrownBy(() -> client.schemaById(987_654))
                    .isInstanceOf(io.tributary.schemas.registry.UnknownSchemaIdException.class);
        }
    }
}
