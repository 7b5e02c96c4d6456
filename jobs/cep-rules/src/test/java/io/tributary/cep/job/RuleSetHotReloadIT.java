package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.ruleset.RuleSetKafka;
import io.tributary.cep.ruleset.RuleSetStatus;
import io.tributary.cep.ruleset.RuleSetTopic;
import io.tributary.jobs.kafka.CanonicalInput;
import io.tributary.jobs.kafka.KafkaConnection;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.registry.RegistryConnection;
import io.tributary.testkit.Repository;
import io.tributary.testkit.flink.FlinkTestClusters;
import io.tributary.testkit.junit.RealKafka;
import io.tributary.testkit.junit.RealSchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rules change in the running job, on the real broker at parallelism 2 with RocksDB: the job starts
 * with the shipped rules; a revision is published mid-stream that adds a rule with a key no rule
 * had, changes one, removes one and keeps the rest; the job fails once before the switch and once
 * after it. The alerts it commits equal those of Flink's own CepOperator running each rule version
 * alone over the events of the time that version was in force, each alert once. A broken revision
 * published after that is refused with its problems on the status topic, and the job judges the
 * events that follow by the revision it had.
 */
class RuleSetHotReloadIT {
    @RegisterExtension static final RealKafka KAFKA = new RealKafka();
    @RegisterExtension static final RealSchemaRegistry REGISTRY = new RealSchemaRegistry();
    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestClusters.miniCluster(4);

    private static final CepKafka CEP_KAFKA = new CepKafka(KAFKA, REGISTRY);

    // Kafka refuses record timestamps far from now, so the input lies in the last hour.
    private static final long T0 = (System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000;
    private static final long SWITCH = T0 + Duration.ofMinutes(12).toMillis();
    private static final long END = T0 + Duration.ofMinutes(45).toMillis();

    @Test
    void aPublishedRevisionTakesOverAtItsEventTimeExactlyOnceAcrossFailures() throws Exception {
        String player = "hot-events.player";
        String commerce = "hot-events.commerce";
        String alertsTopic = "hot-cep.alerts";
        String ruleSets = "hot-cep.rule-sets";
        String statusTopic = "hot-cep.rule-status";
        KAFKA.broker().createTopics(2, player, commerce, alertsTopic, "hot-late", "hot-dead");
        KafkaConnection kafka = KafkaConnection.plaintext(KAFKA.bootstrapServers());
        try (RuleSetTopic topic = new RuleSetTopic(kafka, ruleSets)) {
            topic.createIfMissing(ruleSets, true);
            topic.createIfMissing(statusTopic, false);
        }

        CepTraffic before =
                new CepTraffic(Instant.ofEpochMilli(T0), 21, "a-")
                        .storms(40)
                        .stallsSpreadOut(20)
                        .startFailures(40)
                        .startsInTime(60)
                        .cardTesting(20)
                        .honestRetries(20)
                        .shuffleSlightly();
        CepTraffic after =
                new CepTraffic(
                                Instant.ofEpochMilli(SWITCH + Duration.ofMinutes(3).toMillis()),
                                22,
                                "b-")
                        .storms(40)
                        .stallsSpreadOut(20)
                        .startFailures(40)
                        .startsInTime(60)
                        .cardTesting(20)
                        .honestRetries(20)
                        .shuffleSlightly();
        assertThat(before.player.stream().mapToLong(RuleSetHotReloadIT::time).max().orElseThrow())
                .as("the first traffic ends before the switch")
                .isLessThan(SWITCH);

        SortedMap<String, String> shipped = RuleSet.readFiles(Repository.rules());
        RuleSet revision1 =
                new RuleSet(1, Instant.ofEpochMilli(SWITCH), Instant.now(), "it", changed(shipped));
        List<Rule> rulesBefore =
                new RuleSet(0, Instant.EPOCH, null, null, shipped).load("").rulesOrThrow();
        List<Rule> rulesAfter = revision1.load("").rulesOrThrow();

        FailOnceAfterCheckpointFrom beforeSwitch = new FailOnceAfterCheckpointFrom(Long.MIN_VALUE);
        FailOnceAfterCheckpointFrom afterSwitch = new FailOnceAfterCheckpointFrom(SWITCH);
        StreamExecutionEnvironment env = CepRulesJobIT.environment();
        env.setStateBackend(new EmbeddedRocksDBStateBackend(true));
        CanonicalInput input =
                CepRulesJob.readCanonical(
                        env,
                        CanonicalInput.kafkaSource(
                                kafka,
                                List.of(player, commerce),
                                "hot-it",
                                RegistryConnection.of(REGISTRY.url()),
                                CepRulesJob.JOB,
                                Duration.ofHours(2),
                                false),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(20));
        DataStream<Envelope> events = input.events();
        CepRulesJob.build(
                input.withEvents(
                        events.map(beforeSwitch)
                                .returns(events.getType())
                                .name("fail before the switch")
                                .map(afterSwitch)
                                .returns(events.getType())
                                .name("fail after the switch")),
                RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, rulesBefore),
                new CepRulesJob.RuleUpdates(
                        RuleSetKafka.source(kafka, ruleSets, "hot-it-rules", false),
                        RuleSetKafka.statusSink(kafka, statusTopic)),
                CEP_KAFKA.sinks(alertsTopic, "hot-late", "hot-dead", "hot-it"),
                RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
                RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES);
        JobClient job = env.executeAsync("rule-set hot reload");
        try (RuleSetTopic topic = new RuleSetTopic(kafka, ruleSets)) {
            CEP_KAFKA.produce(player, before.player);
            CEP_KAFKA.produce(commerce, before.commerce);

            topic.claim();
            topic.publish(revision1);
            RuleSetStatus accepted =
                    topic.awaitStatus(statusTopic, 1, Duration.ofMinutes(2)).orElseThrow();
            assertThat(accepted.accepted()).as(accepted.problems().toString()).isTrue();
            assertThat(accepted.effectiveAt()).isEqualTo(Instant.ofEpochMilli(SWITCH));

            SortedMap<String, String> brokenFiles = new TreeMap<>(changed(shipped));
            brokenFiles.put("player/broken.yaml", "id: broken\nversion: 1\npattern: nope\n");
            topic.publish(
                    new RuleSet(
                            2,
                            Instant.ofEpochMilli(SWITCH + 60_000),
                            Instant.now(),
                            "it",
                            brokenFiles));
            RuleSetStatus refused =
                    topic.awaitStatus(statusTopic, 2, Duration.ofMinutes(2)).orElseThrow();
            assertThat(refused.accepted()).isFalse();
            assertThat(refused.problems())
                    .isNotEmpty()
                    .allMatch(problem -> problem.startsWith("player/broken.yaml:"));

            CEP_KAFKA.produce(player, after.player);
            CEP_KAFKA.produce(commerce, after.commerce);
            // Every partition's watermark past every window of interest.
            CEP_KAFKA.produce(player, ticks("PLAYER", 0));
            CEP_KAFKA.produce(commerce, ticks("COMMERCE", 0));
            // Records keep coming (at the end time, which no rule gets to judge) until a checkpoint
            // after the switch has completed and the job has failed once more.
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(2).toMillis();
            for (int round = 1;
                    !afterSwitch.hasFailed() && System.currentTimeMillis() < deadline;
                    round++) {
                CEP_KAFKA.produce(player, ticks("PLAYER", round));
                Thread.sleep(300);
            }

            List<Object> stream = new ArrayList<>();
            List<Envelope> all = new ArrayList<>();
            all.addAll(before.player);
            all.addAll(before.commerce);
            all.addAll(after.player);
            all.addAll(after.commerce);
            all.sort(Comparator.comparingLong(RuleSetHotReloadIT::time));
            stream.addAll(all);
            long lastWatermark = END - 5_000 - 1;
            List<String> expected = new ArrayList<>();
            Set<String> uidsAfter = new HashSet<>();
            rulesAfter.forEach(rule -> uidsAfter.add(rule.uid()));
            Set<String> uidsBefore = new HashSet<>();
            rulesBefore.forEach(rule -> uidsBefore.add(rule.uid()));
            for (Rule rule : rulesBefore) {
                long until = uidsAfter.contains(rule.uid()) ? Long.MAX_VALUE : SWITCH;
                expected.addAll(
                        RuleSetSwitchHarnessTest.alone(
                                rule, Long.MIN_VALUE, until, stream, lastWatermark));
            }
            for (Rule rule : rulesAfter) {
                if (!uidsBefore.contains(rule.uid())) {
                    expected.addAll(
                            RuleSetSwitchHarnessTest.alone(
                                    rule, SWITCH, Long.MAX_VALUE, stream, lastWatermark));
                }
            }
            assertThat(expected)
                    .as("the new rule and the new version alert")
                    .anyMatch(a -> a.startsWith("rebuffering-storm-by-title "))
                    .anyMatch(a -> a.contains(" v2: "));

            List<Alert> alerts = awaitAlerts(alertsTopic, expected.size(), job.getJobID());
            assertThat(beforeSwitch.hasFailed()).as("failure before the switch").isTrue();
            assertThat(afterSwitch.hasFailed()).as("failure after the switch").isTrue();
            assertThat(alerts.stream().map(RuleFamilyHarnessTest::describe).toList())
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(alerts.stream().map(Alert::getAlertId).distinct().count())
                    .as("no alertId twice")
                    .isEqualTo(alerts.size());
        } finally {
            job.cancel().get();
        }
    }

    /**
     * The shipped rules with start failures removed, storms at severity critical under version 2,
     * and storms per session and title: a key no shipped rule uses.
     */
    private static SortedMap<String, String> changed(SortedMap<String, String> shipped) {
        SortedMap<String, String> files = new TreeMap<>(shipped);
        files.remove("player/playback-start-failure.yaml");
        String storm = shipped.get("player/rebuffering-storm.yaml");
        files.put(
                "player/rebuffering-storm.yaml",
                storm.replaceFirst("(?m)^version: 1$", "version: 2")
                        .replaceFirst("(?m)^severity: HIGH$", "severity: CRITICAL")
                        .replaceFirst("(?m)^  summary: \"", "  summary: \"v2: "));
        files.put(
                "player/rebuffering-storm-by-title.yaml",
                storm.replaceFirst("(?m)^id: rebuffering-storm$", "id: rebuffering-storm-by-title")
                        .replaceFirst("(?m)^key: .*$", "key: [sessionId, titleId]"));
        return files;
    }

    private static List<Envelope> ticks(String domain, int round) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int n = 0; n < 12; n++) {
            int i = round * 100 + n;
            lines.add(
                    domain.equals("PLAYER")
                            ? String.format(
                                    "{\"id\": \"tick-p-%d\", \"type\": \"HEARTBEAT\", \"time\": \"%s\", \"sessionId\": \"tick-%d\"}",
                                    i, Instant.ofEpochMilli(END), i)
                            : String.format(
                                    "{\"id\": \"tick-c-%d\", \"type\": \"PAYMENT_SUCCEEDED\", \"time\": \"%s\", \"accountId\": \"tick-%d\", \"orderId\": \"tick-%d\"}",
                                    i, Instant.ofEpochMilli(END), i, i));
        }
        return io.tributary.cep.fixtures.FixtureEvents.parse("ticks", lines);
    }

    private static long time(Envelope event) {
        return event.getEventTime().toEpochMilli();
    }

    /** Committed alerts, once as many as expected are there and two more checkpoints added none. */
    private static List<Alert> awaitAlerts(String topic, int expected, JobID job) throws Exception {
        long deadline = System.currentTimeMillis() + Duration.ofMinutes(4).toMillis();
        List<Alert> alerts = CEP_KAFKA.readAlerts(topic);
        while (alerts.size() < expected && System.currentTimeMillis() < deadline) {
            Thread.sleep(1_000);
            alerts = CEP_KAFKA.readAlerts(topic);
        }
        Thread.sleep(2_000);
        return CEP_KAFKA.readAlerts(topic);
    }

    /**
     * Passes records through until it has seen one at or after {@code from} and a checkpoint has
     * completed since, then fails once: a restore with the switch behind it (or, from the start,
     * any restore).
     */
    static final class FailOnceAfterCheckpointFrom
            implements MapFunction<Envelope, Envelope>, CheckpointListener {
        private static final long serialVersionUID = 1L;
        private static final Map<String, AtomicBoolean> FAILED = new ConcurrentHashMap<>();

        private final String key = UUID.randomUUID().toString();
        private final long from;
        private transient boolean seen;
        private transient boolean checkpointAfterSeen;

        FailOnceAfterCheckpointFrom(long from) {
            this.from = from;
            FAILED.put(key, new AtomicBoolean(false));
        }

        boolean hasFailed() {
            return FAILED.get(key).get();
        }

        @Override
        public Envelope map(Envelope event) throws Exception {
            AtomicBoolean failed = FAILED.get(key);
            if (!failed.get()) {
                seen |= event.getEventTime().toEpochMilli() >= from;
                if (checkpointAfterSeen && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("Injected failure");
                }
                // Slow enough that checkpoints complete while input is still flowing.
                Thread.sleep(2);
            }
            return event;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointAfterSeen |= seen;
        }
    }
}
