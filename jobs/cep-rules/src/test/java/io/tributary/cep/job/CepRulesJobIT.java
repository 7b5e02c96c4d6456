package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.Domain;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.Repository;
import io.tributary.testkit.flink.FailOnceAfterCheckpoint;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every shipped rule at once on the real broker, parallelism 2, RocksDB, checkpoints and a failure
 * injected after a completed checkpoint: each alert the input calls for arrives exactly once on the
 * alerts topic (read_committed), with the right matched events, and the near misses raise nothing.
 * Hostile records on the input topics each become one dead letter and change nothing.
 */
class CepRulesJobIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4);

    static final Path RULES = Repository.rules();
    private static final CepKafka CEP_KAFKA = new CepKafka(KAFKA, REGISTRY);
    // Kafka refuses record timestamps far from now, so the input lies in the last hour.
    static final Instant T0 =
            Instant.ofEpochMilli((System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000);

    @Test
    void everyExpectedAlertExactlyOnceAndNoneForNearMisses() throws Exception {
        String player = Topics.EVENTS_PLAYER;
        String commerce = Topics.EVENTS_COMMERCE;
        String alertsTopic = Topics.CEP_ALERTS;
        String lateTopic = Topics.CEP_LATE_EVENTS;
        String deadLetterTopic = Topics.CEP_DEAD_LETTERS;
        KAFKA.broker().createTopics(2, player, commerce, alertsTopic, lateTopic, deadLetterTopic);
        CepTraffic traffic =
                new CepTraffic(T0, 5, "")
                        .storms(60)
                        .stallsSpreadOut(40)
                        .startFailures(60)
                        .startsInTime(120)
                        .cardTesting(30)
                        .honestRetries(30)
                        .shuffleSlightly();
        CEP_KAFKA.produce(player, traffic.player);
        CEP_KAFKA.produce(commerce, traffic.commerce);
        // Records no canonical topic should hold; the job must dead-letter them and go on. The one
        // stamped 2100 would otherwise drag the watermark along and make every later event late.
        Map<String, String> expectedDeadLetters = new HashMap<>();
        expectedDeadLetters.putAll(CEP_KAFKA.produceHostile(player, Domain.PLAYER));
        expectedDeadLetters.putAll(CEP_KAFKA.produceHostile(commerce, Domain.COMMERCE));
        List<Rule> rules = RuleLoader.load(RULES).rulesOrThrow();

        FailOnceAfterCheckpoint<Envelope> failure = new FailOnceAfterCheckpoint<>();
        StreamExecutionEnvironment env = environment();
        CanonicalInput input =
                CepRulesJob.readCanonical(
                        env,
                        CanonicalInput.kafkaSource(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                                List.of(player, commerce),
                                "cep-it",
                                RegistryConnection.of(REGISTRY.url()),
                                CepRulesJob.JOB,
                                Duration.ofMinutes(5),
                                true),
                        // No idleness within the run: a split that is briefly idle while another
                        // races ahead
                        // would let the watermark pass the idle split's events, which would then be
                        // late.
                        Duration.ofSeconds(5),
                        Duration.ofMinutes(5));
        DataStream<Envelope> events = input.events();
        CepRulesJob.build(
                input.withEvents(
                        events.map(failure).returns(events.getType()).name("inject failure")),
                rules,
                CEP_KAFKA.sinks(alertsTopic, lateTopic, deadLetterTopic, "cep-it"));
        env.execute("cep-rules-it");
        assertThat(failure.hasFailed()).as("failure was injected").isTrue();

        assertThat(CEP_KAFKA.readEvents(lateTopic)).as("nothing in this input is late").isEmpty();
        assertThat(CEP_KAFKA.readDeadLetterReasons(deadLetterTopic)).isEqualTo(expectedDeadLetters);
        List<Alert> alerts = CEP_KAFKA.readAlerts(alertsTopic);
        Map<CepTraffic.ExpectedAlert, Integer> received = new HashMap<>();
        for (Alert alert : alerts) {
            received.merge(
                    new CepTraffic.ExpectedAlert(
                            alert.getRuleId(), alert.getKey(), alert.getMatchedEventIds()),
                    1,
                    Integer::sum);
        }
        assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(traffic.expected);
        assertThat(received.values()).as("each alert exactly once").allMatch(n -> n == 1);
        assertThat(alerts)
                .as("near misses raise nothing")
                .noneMatch(a -> traffic.nearMissKeys.contains(a.getKey()));
        assertThat(alerts)
                .allSatisfy(
                        alert -> {
                            assertThat(alert.getDetectionTime()).isAfter(alert.getLastEventTime());
                            assertThat(alert.getFirstEventTime())
                                    .isBeforeOrEqualTo(alert.getLastEventTime());
                        });
    }

    static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(300);
        env.getConfig().disableGenericTypes();
        return env;
    }
}
