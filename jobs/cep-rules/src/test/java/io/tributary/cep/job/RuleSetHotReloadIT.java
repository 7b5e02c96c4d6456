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
import io.tributary.testkit.kafka.ConsumerGroups;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
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

    /** One test's topics on the shared broker. */
    private record Names(
            String player,
            String commerce,
            String alerts,
            String late,
            String deadLetters,
            String ruleSets,
            String status) {
        static Names of(String prefix) {
            return new Names(
                    prefix + "-events.player",
                    prefix + "-events.commerce",
                    prefix + "-cep.alerts",
                    prefix + "-cep.late",
                    prefix + "-cep.dead",
                    prefix + "-cep.rule-sets",
                    prefix + "-cep.rule-status");
        }

        void create() {
            KAFKA.broker().createTopics(2, player, commerce, alerts, late, deadLetters);
            try (RuleSetTopic topic = new RuleSetTopic(kafka(), ruleSets)) {
                topic.createIfMissing(ruleSets, true);
                topic.createIfMissing(status, false);
            }
        }
    }

    private static KafkaConnection kafka() {
        return KafkaConnection.plaintext(KAFKA.bootstrapServers());
    }

    private static CepTraffic traffic(long t0, long seed, String prefix) {
        return new CepTraffic(Instant.ofEpochMilli(t0), seed, prefix)
                .storms(40)
                .stallsSpreadOut(20)
                .startFailures(40)
                .startsInTime(60)
                .cardTesting(20)
                .honestRetries(20)
                .shuffleSlightly();
    }

    private static CepTraffic before() {
        CepTraffic before = traffic(T0, 21, "a-");
        assertThat(before.player.stream().mapToLong(RuleSetHotReloadIT::time).max().orElseThrow())
                .as("the first traffic ends before the switch")
                .isLessThan(SWITCH);
        return before;
    }

    private static CepTraffic after() {
        return traffic(SWITCH + Duration.ofMinutes(3).toMillis(), 22, "b-");
    }

    private static final SortedMap<String, String> SHIPPED = RuleSet.readFiles(Repository.rules());

    private static List<Rule> shippedRules() {
        return new RuleSet(0, Instant.EPOCH, null, null, SHIPPED).load("").rulesOrThrow();
    }

    private static RuleSet revision1() {
        return new RuleSet(1, Instant.ofEpochMilli(SWITCH), Instant.now(), "it", changed(SHIPPED));
    }

    @SafeVarargs
    private static JobClient start(
            Names names, Configuration config, MapFunction<Envelope, Envelope>... failures)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(FlinkTestClusters.PARALLELISM);
        env.enableCheckpointing(300);
        env.getConfig().disableGenericTypes();
        env.setStateBackend(new EmbeddedRocksDBStateBackend(true));
        CanonicalInput input =
                CepRulesJob.readCanonical(
                        env,
                        CanonicalInput.kafkaSource(
                                kafka(),
                                List.of(names.player(), names.commerce()),
                                names.player() + "-group",
                                RegistryConnection.of(REGISTRY.url()),
                                CepRulesJob.JOB,
                                Duration.ofHours(2),
                                false),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(20));
        DataStream<Envelope> events = input.events();
        for (MapFunction<Envelope, Envelope> failure : failures) {
            events = events.map(failure).returns(input.events().getType()).name("inject failure");
        }
        // The job as submitted with the shipped rules: a stale --rules once revision 1 is out.
        CepRulesJob.build(
                input.withEvents(events),
                RuleRevision.of(RuleRevision.SUBMITTED, Long.MIN_VALUE, shippedRules()),
                new CepRulesJob.RuleUpdates(
                        RuleSetKafka.source(
                                kafka(), names.ruleSets(), names.ruleSets() + "-group", false),
                        RuleSetKafka.statusSink(kafka(), names.status())),
                CEP_KAFKA.sinks(names.alerts(), names.late(), names.deadLetters(), names.player()),
                RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
                RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES);
        return env.executeAsync("rule-set hot reload");
    }

    private static RuleSetStatus publish(Names names, RuleSetTopic topic, RuleSet ruleSet) {
        topic.publish(ruleSet);
        return topic.awaitStatus(names.status(), ruleSet.revision(), Duration.ofMinutes(2))
                .orElseThrow();
    }

    /**
     * Flink's CepOperator per rule version over the events of the time it is in force, up to the
     * watermark the end ticks bring.
     */
    private static List<String> oracle(CepTraffic... traffics) throws Exception {
        List<Envelope> all = new ArrayList<>();
        for (CepTraffic traffic : traffics) {
            all.addAll(traffic.player);
            all.addAll(traffic.commerce);
        }
        all.sort(Comparator.comparingLong(RuleSetHotReloadIT::time));
        List<Object> stream = new ArrayList<>(all);
        long lastWatermark = END - 5_000 - 1;
        List<Rule> rulesBefore = shippedRules();
        List<Rule> rulesAfter = revision1().load("").rulesOrThrow();
        Set<String> uidsBefore = new HashSet<>();
        rulesBefore.forEach(rule -> uidsBefore.add(rule.uid()));
        Set<String> uidsAfter = new HashSet<>();
        rulesAfter.forEach(rule -> uidsAfter.add(rule.uid()));
        List<String> expected = new ArrayList<>();
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
        return expected;
    }

    private static void assertAlerts(Names names, List<String> expected) throws Exception {
        List<Alert> alerts = awaitAlerts(names.alerts(), expected.size());
        assertThat(alerts.stream().map(RuleFamilyHarnessTest::describe).toList())
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(alerts.stream().map(Alert::getAlertId).distinct().count())
                .as("no alertId twice")
                .isEqualTo(alerts.size());
        assertThat(CEP_KAFKA.readEvents(names.late())).as("nothing late").isEmpty();
    }

    @Test
    void aPublishedRevisionTakesOverAtItsEventTimeExactlyOnceAcrossFailures() throws Exception {
        Names names = Names.of("hot");
        names.create();
        CepTraffic before = before();
        CepTraffic after = after();
        FailOnceAfterCheckpointFrom beforeSwitch = new FailOnceAfterCheckpointFrom(Long.MIN_VALUE);
        FailOnceAfterCheckpointFrom afterSwitch = new FailOnceAfterCheckpointFrom(SWITCH);
        JobClient job = start(names, new Configuration(), beforeSwitch, afterSwitch);
        try (RuleSetTopic topic = new RuleSetTopic(kafka(), names.ruleSets())) {
            CEP_KAFKA.produce(names.player(), before.player);
            CEP_KAFKA.produce(names.commerce(), before.commerce);

            topic.claim();
            RuleSetStatus accepted = publish(names, topic, revision1());
            assertThat(accepted.accepted()).as(accepted.problems().toString()).isTrue();
            assertThat(accepted.effectiveAt()).isEqualTo(Instant.ofEpochMilli(SWITCH));

            SortedMap<String, String> brokenFiles = new TreeMap<>(changed(SHIPPED));
            brokenFiles.put("player/broken.yaml", "id: broken\nversion: 1\npattern: nope\n");
            RuleSetStatus refused =
                    publish(
                            names,
                            topic,
                            new RuleSet(
                                    2,
                                    Instant.ofEpochMilli(SWITCH + 60_000),
                                    Instant.now(),
                                    "it",
                                    brokenFiles));
            assertThat(refused.accepted()).isFalse();
            assertThat(refused.problems())
                    .isNotEmpty()
                    .allMatch(problem -> problem.startsWith("player/broken.yaml:"));

            CEP_KAFKA.produce(names.player(), after.player);
            CEP_KAFKA.produce(names.commerce(), after.commerce);
            CEP_KAFKA.produce(names.player(), ticks("PLAYER", 0));
            CEP_KAFKA.produce(names.commerce(), ticks("COMMERCE", 0));
            // Records keep coming (at the end time, which no rule gets to judge) until a checkpoint
            // after the switch has completed and the job has failed once more.
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(2).toMillis();
            for (int round = 1;
                    !afterSwitch.hasFailed() && System.currentTimeMillis() < deadline;
                    round++) {
                CEP_KAFKA.produce(names.player(), ticks("PLAYER", round));
                Thread.sleep(300);
            }
            assertThat(beforeSwitch.hasFailed()).as("failure before the switch").isTrue();
            assertThat(afterSwitch.hasFailed()).as("failure after the switch").isTrue();
            assertAlerts(names, oracle(before, after));
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Published, then stopped with a savepoint before the switch, and restored with the rules it
     * was first submitted with: the revision comes back from the savepoint and takes over at the
     * same event time.
     */
    @Test
    void aRevisionPublishedBeforeASavepointSwitchesAtItsTimeAfterARestoreWithStaleRules()
            throws Exception {
        Names names = Names.of("savepoint");
        names.create();
        CepTraffic before = before();
        CepTraffic after = after();
        Path savepoints = Files.createTempDirectory("rule-set-savepoints");
        JobClient first = start(names, new Configuration());
        String savepoint;
        try (RuleSetTopic topic = new RuleSetTopic(kafka(), names.ruleSets())) {
            CEP_KAFKA.produce(names.player(), before.player);
            CEP_KAFKA.produce(names.commerce(), before.commerce);
            topic.claim();
            assertThat(publish(names, topic, revision1()).accepted()).isTrue();
            ConsumerGroups.awaitCaughtUp(
                    KAFKA.bootstrapServers(),
                    names.player() + "-group",
                    List.of(names.player(), names.commerce()),
                    Duration.ofSeconds(120));
            savepoint =
                    first.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(120, TimeUnit.SECONDS);
        }
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = start(names, restore);
        try {
            CEP_KAFKA.produce(names.player(), after.player);
            CEP_KAFKA.produce(names.commerce(), after.commerce);
            CEP_KAFKA.produce(names.player(), ticks("PLAYER", 0));
            CEP_KAFKA.produce(names.commerce(), ticks("COMMERCE", 0));
            assertAlerts(names, oracle(before, after));
        } finally {
            second.cancel().get();
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
    private static List<Alert> awaitAlerts(String topic, int expected) throws Exception {
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
