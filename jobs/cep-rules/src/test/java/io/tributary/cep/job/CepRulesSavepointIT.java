package io.tributary.cep.job;

import static io.tributary.cep.job.CepRulesJobIT.RULES;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.flink.JobWatermarks;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import io.tributary.testkit.kafka.ConsumerGroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Deploying a new rule: stop the job with a savepoint while a rebuffering storm is two stalls in,
 * restart it from the savepoint with one more rule, and the third stall completes the storm that
 * began before the upgrade, while the new rule fires on new input. Events behind the watermark go
 * to the late-events topic.
 */
class CepRulesSavepointIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4);

    private static final String INPUT = "sp.events.player";
    private static final String ALERTS = "sp.cep.alerts";
    private static final String LATE = "sp.cep.late-events";
    private static final String GROUP = "sp-cep";
    private static final Instant T0 = CepRulesJobIT.T0;
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
    private static final CepKafka CEP_KAFKA = new CepKafka(KAFKA, REGISTRY);

    @Test
    void partialMatchesSurviveARestoreWithAnAddedRule() throws Exception {
        KAFKA.broker().createTopics(2, INPUT, ALERTS, LATE);
        List<Rule> all = RuleLoader.load(RULES.resolve("player")).rulesOrThrow();
        Rule storm = pick(all, "rebuffering-storm");
        Rule startFailure = pick(all, "playback-start-failure");
        Path savepoints = Files.createTempDirectory("cep-savepoints");

        produce(
                player("c1", "BUFFER_START", 0, "carry"),
                player("c2", "BUFFER_START", 10, "carry"));
        JobClient before = start(List.of(storm), new Configuration());
        ConsumerGroups.awaitCaughtUp(
                KAFKA.bootstrapServers(), GROUP, List.of(INPUT), Duration.ofSeconds(120));
        String savepoint =
                before.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(120, TimeUnit.SECONDS);

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient after = start(List.of(storm, startFailure), restore);
        produce(player("c3", "BUFFER_START", 20, "carry"), player("p1", "PLAY", 30, "nostart"));
        // Time moves on in both partitions, so the watermark passes everything above.
        produceToPartition(0, player("h0", "HEARTBEAT", 300, "other-0"));
        produceToPartition(1, player("h1", "HEARTBEAT", 300, "other-1"));
        ConsumerGroups.awaitCaughtUp(
                KAFKA.bootstrapServers(), GROUP, List.of(INPUT), Duration.ofSeconds(120));
        JobWatermarks.awaitPassed(
                FLINK.getClientConfiguration(),
                after.getJobID(),
                T0.plusSeconds(300).minus(OUT_OF_ORDERNESS).toEpochMilli() - 1,
                Duration.ofSeconds(60));
        Envelope late = player("late", "BUFFER_START", 60, "latecomer");
        produce(late);
        ConsumerGroups.awaitCaughtUp(
                KAFKA.bootstrapServers(), GROUP, List.of(INPUT), Duration.ofSeconds(120));
        after.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);

        List<Alert> alerts = CEP_KAFKA.readAlerts(ALERTS);
        assertThat(alerts)
                .extracting(Alert::getRuleId, Alert::getKey, Alert::getMatchedEventIds)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                "rebuffering-storm", "carry", List.of("c1", "c2", "c3")),
                        org.assertj.core.groups.Tuple.tuple(
                                "playback-start-failure", "nostart", List.of("p1")));
        assertThat(CEP_KAFKA.readEvents(LATE))
                .extracting(Envelope::getEventId)
                .containsExactly("late");
    }

    private static Rule pick(List<Rule> rules, String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private static JobClient start(List<Rule> rules, Configuration config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(300);
        env.getConfig().disableGenericTypes();
        // Splits never go idle here: an idle source at a draining stop never delivers its final
        // watermark (FLINK-40499).
        CepRulesJob.build(
                CepRulesJob.readCanonical(
                        env,
                        CanonicalInput.kafkaSource(
                                KafkaConnection.plaintext(KAFKA.bootstrapServers()),
                                List.of(INPUT),
                                GROUP,
                                RegistryConnection.of(REGISTRY.url()),
                                CepRulesJob.JOB,
                                Duration.ofMinutes(5),
                                false),
                        OUT_OF_ORDERNESS,
                        Duration.ofMinutes(30)),
                rules,
                CEP_KAFKA.sinks(ALERTS, LATE, "sp-cep"));
        return env.executeAsync("cep-rules-savepoint-it");
    }

    private static Envelope player(String id, String type, int second, String session) {
        String json =
                String.format(
                        Locale.ROOT,
                        "{\"id\": \"%s\", \"type\": \"%s\", \"time\": \"%s\", \"sessionId\": \"%s\"}",
                        id,
                        type,
                        T0.plusSeconds(second),
                        session);
        try {
            return FixtureEvents.parse("savepoint-it", List.of(json)).get(0);
        } catch (FixtureEvents.BadFixture e) {
            throw new IllegalStateException(e);
        }
    }

    private static void produce(Envelope... events) throws Exception {
        CEP_KAFKA.produce(INPUT, List.of(events));
    }

    private static void produceToPartition(int partition, Envelope event) throws Exception {
        CEP_KAFKA.produceToPartition(INPUT, partition, event);
    }
}
