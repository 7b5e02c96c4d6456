package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.alerts.AlertRenderer;
import io.tributary.cep.fixtures.FixtureEvents;
import io.tributary.cep.rules.PatternCompiler;
import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleFamily;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.alerts.Alert;
import io.tributary.testkit.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.ThrowingConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rules of one family share an NFA run per key while they agree on how a match starts. The proof:
 * on random streams whose keys change region or site from event to event (so cohorts split while
 * matches are in progress), the group operator gives exactly the alerts each rule gives alone in
 * Flink CEP's own {@link CepOperator}, and leaves no state and no timers once every window ended.
 */
class RuleFamilyHarnessTest {
    static final Path RULES = Repository.rules();
    static final long BASE = FixtureEvents.BASE.toEpochMilli();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void iotVariantsAlertAsIfEachRuleRanAlone(int seed) throws Exception {
        List<Rule> rules = iotVariants();
        assertThat(RuleFamily.of(rules)).as("flatline and spike families").hasSize(2);
        compareWithRulesAlone(rules, iotStream(new Random(seed)), null);
    }

    /**
     * The same on RocksDB, where state goes through the operator's cache and a cohort's state is
     * copied through serializers; restored from a checkpoint taken halfway, with events queued and
     * matches in progress.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {11, 12})
    void onRocksDbRestoredHalfwayTheVariantsAlertAsIfEachRuleRanAlone(int seed) throws Exception {
        List<Object> stream = iotStream(new Random(seed));
        compareWithRulesAlone(
                iotVariants(),
                stream,
                rocksDb(),
                RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
                stream.size() / 2);
    }

    /**
     * A cache with room for one key writes a key's state back and reads it again whenever the next
     * event is another key's: what the backend holds must carry every match on.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {13, 14})
    void onRocksDbACacheOfOneKeyChangesNoAlert(int seed) throws Exception {
        List<Object> stream = iotStream(new Random(seed));
        compareWithRulesAlone(iotVariants(), stream, rocksDb(), 1, stream.size() / 3);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {15})
    void onRocksDbWithoutTheCacheTheVariantsAlertAsIfEachRuleRanAlone(int seed) throws Exception {
        List<Object> stream = iotStream(new Random(seed));
        compareWithRulesAlone(iotVariants(), stream, rocksDb(), 0, stream.size() / 2);
    }

    /** On the heap, restored halfway: the queued events a checkpoint wrote come back. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {16, 17})
    void restoredHalfwayThePlayerVariantsAlertAsIfEachRuleRanAlone(int seed) throws Exception {
        List<Object> stream = playerStream(new Random(seed));
        compareWithRulesAlone(
                playerVariants(),
                stream,
                null,
                RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
                stream.size() / 2);
    }

    /**
     * Several readings of a key at one time: cohorts split after an earlier event of the same time
     * ended their matches, on the heap, where a split copies state namespace by namespace.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {18, 19, 20})
    void onTheHeapReadingsAtOneTimeAlertAsIfEachRuleRanAlone(int seed) throws Exception {
        compareWithRulesAlone(iotVariants(), iotStream(new Random(seed), 3), null);
    }

    /**
     * The base rules leave at a restore after the last event, with matches in progress in cohorts
     * of their own: the variants that stay alert as if they ran alone throughout, and once every
     * window ended nothing of the rules that left is in state, not even in the families' lists of
     * cohorts.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {21, 22})
    void rulesLeavingTheirFamilyAtARestoreLeaveNoStateBehind(int seed) throws Exception {
        List<Object> stream = iotStream(new Random(seed));
        List<Rule> before = iotVariants();
        List<String> leaving = List.of("sensor-flatline", "sensor-flatline-copy", "sensor-spike");
        List<Rule> after = before.stream().filter(rule -> !leaving.contains(rule.id())).toList();
        assertThat(after).hasSize(before.size() - leaving.size());
        compareWithRulesAlone(
                before,
                after,
                stream,
                null,
                RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS,
                stream.size());
    }

    /**
     * A cohort of two variants whose match ended at one event splits at the next event of the same
     * time: the side that leaves gets a copy of an empty shared buffer. On the heap without the
     * cache, that copy must not leave empty maps behind when the side ends at once.
     */
    @Test
    void aSplitAfterAMatchEndedAtTheSameTimeLeavesNoEmptyMaps() throws Exception {
        String flatline = shipped("iot/sensor-flatline.yaml");
        List<Rule> rules =
                load(
                        Map.of(
                                "site-a", narrowed(flatline, "site-a", "event.site == \"a\""),
                                "high", narrowed(flatline, "high", "event.value > 50.0")));
        assertThat(RuleFamily.of(rules)).as("one family, two start conditions").hasSize(1);
        try (var harness = harness(rules, 0)) {
            harness.open();
            replay(
                    harness,
                    List.of(
                            // Both start: one cohort.
                            reading(10, "d1", "temperature", 60, "a", "e1"),
                            // Ends the match; neither starts again.
                            reading(20, "d1", "temperature", 40, "b", "e2"),
                            // Same time: high (the rule the cohort is named after) starts,
                            // site-a does not; site-a leaves with a copy of the empty buffer.
                            reading(20, "d1", "temperature", 60, "b", "e3")));
            harness.processWatermark(BASE + Duration.ofDays(1).toMillis());
            harness.snapshot(1, 0);

            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.numKeyedStateEntries())
                    .as("keyed state once every window ended")
                    .isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    /**
     * A rule leaves its family at a restore while a cohort of its own has a match in progress, and
     * its key sees no event again: when the cohort's window timer fires, the cohort goes, and so
     * does the family's list of cohorts that named it.
     */
    @Test
    void aCohortWhoseRulesLeftAtARestoreLeavesTheFamilysListWhenItsTimerFires() throws Exception {
        String flatline = shipped("iot/sensor-flatline.yaml");
        List<Rule> before =
                load(
                        Map.of(
                                "flatline",
                                flatline,
                                "high",
                                narrowed(flatline, "high", "event.value > 50.0")));
        List<Rule> after = before.stream().filter(rule -> rule.id().endsWith("-high")).toList();
        assertThat(RuleFamily.of(before)).hasSize(1);
        OperatorSubtaskState checkpoint;
        try (var running = harness(before)) {
            running.open();
            // Only the base rule starts: a cohort of its own, with a window timer.
            replay(running, List.of(reading(10, "d1", "temperature", 30, "a", "e1")));
            running.processWatermark(BASE + 11_000);
            assertThat(running.numEventTimeTimers()).isPositive();
            checkpoint = running.snapshot(1, 0);
        }
        try (var restored = harness(after)) {
            restored.initializeState(checkpoint);
            restored.open();
            restored.processWatermark(BASE + Duration.ofDays(1).toMillis());
            restored.snapshot(2, 0);

            assertThat(restored.extractOutputValues()).isEmpty();
            assertThat(restored.numKeyedStateEntries())
                    .as("keyed state once the cohort's window ended")
                    .isZero();
            assertThat(restored.numEventTimeTimers()).isZero();
        }
    }

    /** Timers on the heap, as the job keeps them (--timer-state HEAP). */
    static EmbeddedRocksDBStateBackend rocksDb() {
        EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend();
        rocksDb.setPriorityQueueStateType(EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        return rocksDb;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void playerVariantsAlertAsIfEachRuleRanAlone(int seed) throws Exception {
        List<Rule> rules = playerVariants();
        assertThat(RuleFamily.of(rules)).as("storm and start-failure families").hasSize(2);
        compareWithRulesAlone(rules, playerStream(new Random(seed)), null);
    }

    private static List<Rule> playerVariants() throws IOException {
        return load(
                Map.of(
                        "storm", shipped("player/rebuffering-storm.yaml"),
                        "storm-eu",
                                narrowed(
                                        shipped("player/rebuffering-storm.yaml"),
                                        "eu",
                                        "event.region == \"eu-west\""),
                        "storm-us",
                                narrowed(
                                        shipped("player/rebuffering-storm.yaml"),
                                        "us",
                                        "event.region == \"us-east\""),
                        "start-failure", shipped("player/playback-start-failure.yaml"),
                        "start-failure-eu",
                                narrowed(
                                        shipped("player/playback-start-failure.yaml"),
                                        "eu",
                                        "event.region == \"eu-west\""),
                        "start-failure-copy",
                                renamed(shipped("player/playback-start-failure.yaml"), "copy")));
    }

    @Test
    void exactCopiesKeepOneNfaStatePerKey() throws Exception {
        String flatline = shipped("iot/sensor-flatline.yaml");
        List<Rule> one = load(Map.of("flatline", flatline));
        List<Rule> three =
                load(
                        Map.of(
                                "flatline",
                                flatline,
                                "a",
                                renamed(flatline, "a"),
                                "b",
                                renamed(flatline, "b")));
        List<Object> stream = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stream.add(reading(i * 10, "d1", "temperature", 21.5, "a", "t" + i));
        }
        try (var alone = harness(one);
                var together = harness(three)) {
            alone.open();
            together.open();
            replay(alone, stream);
            replay(together, stream);
            alone.processWatermark(BASE + 45_000);
            together.processWatermark(BASE + 45_000);
            assertThat(alone.numKeyedStateEntries()).as("a match in progress").isPositive();
            assertThat(together.numKeyedStateEntries())
                    .as(
                            "three copies keep what one keeps: one NFA state, one buffer, one list of cohorts")
                    .isEqualTo(alone.numKeyedStateEntries());
            assertThat(together.numEventTimeTimers())
                    .as("one window timer for the three")
                    .isEqualTo(alone.numEventTimeTimers());
        }
    }

    /**
     * Sensor flatline and spike with variants by site and by value, twins and a copy: two families.
     */
    private static List<Rule> iotVariants() throws IOException {
        return load(
                Map.of(
                        "flatline", shipped("iot/sensor-flatline.yaml"),
                        "flatline-site-a",
                                narrowed(
                                        shipped("iot/sensor-flatline.yaml"),
                                        "site-a",
                                        "event.site == \"a\""),
                        "flatline-site-a-pager",
                                narrowed(
                                        shipped("iot/sensor-flatline.yaml"),
                                        "site-a-pager",
                                        "event.site == \"a\""),
                        "flatline-high",
                                narrowed(
                                        shipped("iot/sensor-flatline.yaml"),
                                        "high",
                                        "event.value > 50.0"),
                        "flatline-copy", renamed(shipped("iot/sensor-flatline.yaml"), "copy"),
                        "spike", shipped("iot/sensor-spike.yaml"),
                        "spike-site-b",
                                narrowed(
                                        shipped("iot/sensor-spike.yaml"),
                                        "site-b",
                                        "event.site == \"b\""),
                        "spike-high",
                                narrowed(
                                        shipped("iot/sensor-spike.yaml"),
                                        "high",
                                        "event.value > 50.0")));
    }

    /**
     * Each rule alone in Flink CEP's own operator is the reference; all rules in one group operator
     * must match it.
     */
    private static void compareWithRulesAlone(
            List<Rule> rules, List<Object> stream, StateBackend backend) throws Exception {
        compareWithRulesAlone(
                rules, stream, backend, RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS, -1);
    }

    /**
     * @param backend null for heap state
     * @param checkpointAt where in the stream to take a checkpoint and continue in a new operator
     *     restored from it; -1 for none
     */
    private static void compareWithRulesAlone(
            List<Rule> rules,
            List<Object> stream,
            StateBackend backend,
            int cacheKeys,
            int checkpointAt)
            throws Exception {
        compareWithRulesAlone(rules, rules, stream, backend, cacheKeys, checkpointAt);
    }

    /**
     * @param rulesAfter the rules of the operator restored from the checkpoint: the rules before
     *     without some (the others keep their partial matches)
     */
    private static void compareWithRulesAlone(
            List<Rule> rules,
            List<Rule> rulesAfter,
            List<Object> stream,
            StateBackend backend,
            int cacheKeys,
            int checkpointAt)
            throws Exception {
        List<String> expected = new ArrayList<>();
        for (Rule rule : rules) {
            boolean stays = rulesAfter.contains(rule);
            try (var alone = flinkCep(rule)) {
                alone.open();
                replay(alone, stays ? stream : stream.subList(0, Math.max(checkpointAt, 0)));
                if (stays) {
                    alone.processWatermark(BASE + Duration.ofDays(1).toMillis());
                }
                alone.extractOutputValues().forEach(alert -> expected.add(describe(alert)));
            }
        }
        List<String> actual = new ArrayList<>();
        List<Object> rest = stream;
        OperatorSubtaskState checkpoint = null;
        if (checkpointAt >= 0) {
            try (var before = harness(rules, cacheKeys)) {
                if (backend != null) {
                    before.setStateBackend(backend);
                }
                before.open();
                replay(before, stream.subList(0, checkpointAt));
                checkpoint = before.snapshot(1, 0);
                before.extractOutputValues().forEach(alert -> actual.add(describe(alert)));
            }
            rest = stream.subList(checkpointAt, stream.size());
        }
        try (var together = harness(rulesAfter, cacheKeys)) {
            if (backend != null) {
                together.setStateBackend(backend);
            }
            if (checkpoint != null) {
                together.initializeState(checkpoint);
            }
            together.open();
            replay(together, rest);
            together.processWatermark(BASE + Duration.ofDays(1).toMillis());
            together.extractOutputValues().forEach(alert -> actual.add(describe(alert)));
            assertThat(expected).as("the stream makes the rules fire").isNotEmpty();
            assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
            // A checkpoint writes back what the operator's cache holds: the backend is then all
            // there is.
            together.snapshot(2, 0);
            int entries =
                    backend == null
                            ? together.numKeyedStateEntries()
                            : ((RocksDBKeyedStateBackend<?>)
                                            together.getOperator().getKeyedStateBackend())
                                    .numKeyValueStateEntries();
            assertThat(entries).as("keyed state once every window ended").isZero();
            assertThat(together.numEventTimeTimers()).as("timers once every window ended").isZero();
            RuleGroupOperator operator = (RuleGroupOperator) together.getOperator();
            assertThat(operator.cachedKeys())
                    .as("keys the state cache holds once every window ended")
                    .isZero();
            assertThat(operator.keysWithQueuedEvents()).as("queued events").isZero();
        }
    }

    static String describe(Alert alert) {
        return alert.getRuleId()
                + " "
                + alert.getKey()
                + " "
                + alert.getMatchedEventIds()
                + " "
                + alert.getSummary();
    }

    /**
     * Events ({@link Envelope}) and watermarks ({@link Long}) in the order the operator gets them.
     */
    static void replay(
            KeyedOneInputStreamOperatorTestHarness<String, Envelope, Alert> harness,
            List<Object> stream)
            throws Exception {
        replay(stream, harness::processElement, harness::processWatermark);
    }

    static void replay(RuleHarness harness, List<Object> stream) throws Exception {
        replay(stream, harness::processElement, harness::processWatermark);
    }

    private static void replay(
            List<Object> stream,
            ThrowingConsumer<StreamRecord<Envelope>, Exception> events,
            ThrowingConsumer<Long, Exception> watermarks)
            throws Exception {
        for (Object item : stream) {
            if (item instanceof Envelope event) {
                events.accept(new StreamRecord<>(event, event.getEventTime().toEpochMilli()));
            } else {
                watermarks.accept((Long) item);
            }
        }
    }

    /**
     * Readings of four device metrics that stick to a value for a while, jump, and wander between
     * two sites.
     */
    static List<Object> iotStream(Random random) throws Exception {
        return iotStream(random, 0);
    }

    /**
     * @param ties one reading in this many shares the previous reading's time (0: none), so a
     *     cohort may split after an earlier event of the same time ended its partial matches
     */
    static List<Object> iotStream(Random random, int ties) throws Exception {
        List<Object> stream = new ArrayList<>();
        Map<String, Double> last = new LinkedHashMap<>();
        double[] values = {10, 40, 60, 100, 140};
        long seconds = 0;
        for (int i = 0; i < 600; i++) {
            seconds += ties > 0 && random.nextInt(ties) == 0 ? 0 : 1 + random.nextInt(8);
            String device = "d" + random.nextInt(2);
            String metric = random.nextBoolean() ? "temperature" : "humidity";
            String key = device + metric;
            double value =
                    last.containsKey(key) && random.nextInt(10) < 8
                            ? last.get(key)
                            : values[random.nextInt(values.length)];
            last.put(key, value);
            String site = random.nextInt(5) == 0 ? "b" : "a";
            stream.add(reading(seconds, device, metric, value, site, "e" + i));
            if (random.nextInt(12) == 0) {
                stream.add(BASE + (seconds - 1) * 1_000);
            }
        }
        return stream;
    }

    /** Plays, first frames and stalls of three sessions that hop between regions. */
    private static List<Object> playerStream(Random random) throws Exception {
        List<Object> stream = new ArrayList<>();
        String[] regions = {"eu-west", "us-east", "ap-south"};
        long seconds = 0;
        for (int i = 0; i < 600; i++) {
            seconds += 1 + random.nextInt(6);
            String session = "s" + random.nextInt(3);
            String region =
                    regions[random.nextInt(random.nextInt(4) == 0 ? 3 : 1 + random.nextInt(2))];
            int kind = random.nextInt(10);
            String type = kind < 6 ? "BUFFER_START" : kind < 8 ? "PLAY" : "FIRST_FRAME";
            stream.add(
                    event(
                            String.format(
                                    Locale.ROOT,
                                    "{\"id\": \"e%d\", \"type\": \"%s\", \"time\": \"%ds\", \"sessionId\": \"%s\", \"region\": \"%s\", \"titleId\": \"t1\", \"cdn\": \"fastly\"}",
                                    i,
                                    type,
                                    seconds,
                                    session,
                                    region)));
            if (random.nextInt(12) == 0) {
                stream.add(BASE + (seconds - 1) * 1_000);
            }
        }
        return stream;
    }

    static Envelope reading(
            long seconds, String device, String metric, double value, String site, String id)
            throws Exception {
        return event(
                String.format(
                        Locale.ROOT,
                        "{\"id\": \"%s\", \"type\": \"TELEMETRY\", \"time\": \"%ds\", \"deviceId\": \"%s\", \"metric\": \"%s\", \"value\": %.1f, \"unit\": \"u\", \"site\": \"%s\"}",
                        id,
                        seconds,
                        device,
                        metric,
                        value,
                        site));
    }

    static Envelope event(String json) throws Exception {
        return FixtureEvents.parse("test", List.of(json)).get(0);
    }

    static String shipped(String file) throws IOException {
        return Files.readString(RULES.resolve(file));
    }

    static String renamed(String text, String suffix) {
        return text.replaceFirst("(?m)^id: (.+)$", "id: $1-" + suffix);
    }

    /** A market variant: the rule under a new id, its first step narrowed by the condition. */
    static String narrowed(String text, String suffix, String condition) {
        return renamed(text, suffix)
                .replaceFirst("(?m)^(  - begin: \\S+)$", "$1\n    where: '" + condition + "'");
    }

    static List<Rule> load(Map<String, String> texts) {
        Map<String, String> files = new LinkedHashMap<>();
        texts.keySet().stream()
                .sorted()
                .forEach(name -> files.put(name + ".yaml", texts.get(name)));
        return RuleLoader.loadTexts(files).rulesOrThrow();
    }

    /**
     * The rule in Flink's CepOperator, as {@code CEP.pattern(stream, pattern).process(...)} would
     * run it.
     */
    static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Alert> flinkCep(Rule rule)
            throws Exception {
        RuleKey key = new RuleKey(rule.domain(), rule.key());
        Pattern<Envelope, Envelope> pattern = PatternCompiler.compile(rule);
        var operator =
                new CepOperator<>(
                        new AvroSerializer<>(Envelope.class),
                        false,
                        NFACompiler.compileFactory(pattern, false),
                        null,
                        pattern.getAfterMatchSkipStrategy(),
                        new RenderAlerts(rule, key),
                        null);
        return new KeyedOneInputStreamOperatorTestHarness<>(operator, key, Types.STRING);
    }

    private static final class RenderAlerts extends PatternProcessFunction<Envelope, Alert> {
        private final AlertRenderer renderer;
        private final RuleKey key;

        RenderAlerts(Rule rule, RuleKey key) {
            this.renderer = new AlertRenderer(rule);
            this.key = key;
        }

        @Override
        public void processMatch(
                Map<String, List<Envelope>> match, Context ctx, Collector<Alert> out) {
            out.collect(
                    renderer.render(
                            key.getKey(match.values().iterator().next().get(0)),
                            match,
                            java.time.Instant.EPOCH));
        }
    }

    private static RuleHarness harness(List<Rule> rules) throws Exception {
        return harness(rules, RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS);
    }

    private static RuleHarness harness(List<Rule> rules, int cacheKeys) throws Exception {
        return new RuleHarness(rules, cacheKeys, RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES);
    }
}
