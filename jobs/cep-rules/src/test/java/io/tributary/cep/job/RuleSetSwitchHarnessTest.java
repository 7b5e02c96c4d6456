package io.tributary.cep.job;

import static io.tributary.cep.job.RuleFamilyHarnessTest.BASE;
import static io.tributary.cep.job.RuleFamilyHarnessTest.describe;
import static io.tributary.cep.job.RuleFamilyHarnessTest.flinkCep;
import static io.tributary.cep.job.RuleFamilyHarnessTest.iotStream;
import static io.tributary.cep.job.RuleFamilyHarnessTest.narrowed;
import static io.tributary.cep.job.RuleFamilyHarnessTest.renamed;
import static io.tributary.cep.job.RuleFamilyHarnessTest.replay;
import static io.tributary.cep.job.RuleFamilyHarnessTest.rocksDb;
import static io.tributary.cep.job.RuleFamilyHarnessTest.shipped;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.rules.Rule;
import io.tributary.cep.rules.RuleLoader;
import io.tributary.cep.rules.RuleSet;
import io.tributary.cep.rules.RuleSetDiff;
import io.tributary.schemas.Envelope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A published rule set replaces the running one at an event time while the operator runs: a rule
 * added, one changed (new version), one removed, one with a key no other rule uses, and the rest
 * kept with their partial matches. Whatever the stream, the switch time, where the revision arrives
 * before that time and where a checkpoint is taken and restored, the alerts equal those of Flink's
 * own CepOperator running each rule version alone over the events of the time that version was in
 * force; once every window has ended, no state and no timer is left, neither of removed rules nor
 * of any other.
 */
class RuleSetSwitchHarnessTest {

    static Stream<Arguments> runs() {
        List<Arguments> runs = new ArrayList<>();
        int seed = 100;
        for (String backend : List.of("heap", "rocksdb")) {
            for (int cacheKeys : new int[] {0, 1, RuleGroupOperator.DEFAULT_STATE_CACHE_KEYS}) {
                if (backend.equals("heap") && cacheKeys != 0) {
                    continue; // the cache stands in front of RocksDB only
                }
                for (String checkpoint : List.of("none", "before", "after")) {
                    runs.add(Arguments.of(seed++, backend, cacheKeys, checkpoint));
                }
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "seed {0}, {1}, cache {2}, checkpoint {3} the switch")
    @MethodSource("runs")
    void alertsAreThoseOfEachVersionAloneInItsTimeAndNothingIsLeft(
            int seed, String backendName, int cacheKeys, String checkpointWhere) throws Exception {
        Random random = new Random(seed);
        List<Object> stream = iotStream(random);
        List<Long> times =
                stream.stream()
                        .filter(Envelope.class::isInstance)
                        .map(e -> ((Envelope) e).getEventTime().toEpochMilli())
                        .toList();
        long switchAt = times.get(times.size() / 4 + random.nextInt(times.size() / 2));
        // The gate sends a revision before the watermark reaches its time, and `rules publish`
        // sets that time ahead of the events: it arrives before any event of its time.
        int firstAtSwitch = firstIndex(stream, switchAt);
        int publishAt = random.nextInt(firstAtSwitch + 1);
        int checkpointAt =
                switch (checkpointWhere) {
                    case "before" -> random.nextInt(publishAt + 1);
                    case "after" -> publishAt + random.nextInt(stream.size() - publishAt + 1);
                    default -> -1;
                };
        StateBackend backend = backendName.equals("rocksdb") ? rocksDb() : null;

        Map<String, String> before = before();
        Map<String, String> after = after();
        RuleSet published =
                new RuleSet(
                        1,
                        Instant.ofEpochMilli(switchAt),
                        Instant.EPOCH,
                        "test",
                        new TreeMap<>(after));
        List<Rule> rulesBefore = RuleLoader.loadTexts(before).rulesOrThrow();
        List<Rule> rulesAfter = published.load("").rulesOrThrow();
        assertThat(
                        RuleSetDiff.between(
                                        new RuleSet(
                                                0,
                                                Instant.EPOCH,
                                                null,
                                                null,
                                                new TreeMap<>(before)),
                                        published,
                                        "")
                                .newKeyShapes())
                .as("a rule with a key no other rule uses")
                .isNotEmpty();

        List<String> expected = new ArrayList<>();
        Set<String> uidsBefore = uids(rulesBefore);
        Set<String> uidsAfter = uids(rulesAfter);
        for (Rule rule : rulesBefore) {
            long until = uidsAfter.contains(rule.uid()) ? Long.MAX_VALUE : switchAt;
            expected.addAll(alone(rule, Long.MIN_VALUE, until, stream));
        }
        for (Rule rule : rulesAfter) {
            if (!uidsBefore.contains(rule.uid())) {
                expected.addAll(alone(rule, switchAt, Long.MAX_VALUE, stream));
            }
        }
        assertThat(expected).as("the stream makes rules fire").isNotEmpty();

        List<String> actual = new ArrayList<>();
        OperatorSubtaskState checkpoint = null;
        int resumeAt = 0;
        if (checkpointAt >= 0) {
            try (RuleHarness first =
                    new RuleHarness(
                            rulesBefore,
                            cacheKeys,
                            RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES)) {
                if (backend != null) {
                    first.setStateBackend(backend);
                }
                first.open();
                feed(first, stream, 0, checkpointAt, publishAt, published);
                checkpoint = first.snapshot(1, 0);
                first.extractOutputValues().forEach(alert -> actual.add(describe(alert)));
            }
            resumeAt = checkpointAt;
        }
        // Restored with the rules the job was submitted with, as after a failure: the revision
        // comes from the checkpoint when it was taken after the revision arrived.
        try (RuleHarness running =
                new RuleHarness(
                        rulesBefore, cacheKeys, RuleGroupOperator.DEFAULT_MAX_PARTIAL_MATCHES)) {
            if (backend != null) {
                running.setStateBackend(backend);
            }
            if (checkpoint != null) {
                running.initializeState(checkpoint);
                if (checkpointAt > publishAt) {
                    // The harness routes as the job's routing function would after the same
                    // restore: it knows the revision from its own checkpoint.
                    running.knowRoutes(published);
                }
            }
            running.open();
            feed(running, stream, resumeAt, stream.size(), publishAt, published);
            running.processWatermark(BASE + Duration.ofDays(1).toMillis());
            running.extractOutputValues().forEach(alert -> actual.add(describe(alert)));

            assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
            running.snapshot(2, 0);
            int entries =
                    backend == null
                            ? running.numKeyedStateEntries()
                            : ((RocksDBKeyedStateBackend<?>)
                                            running.getOperator().getKeyedStateBackend())
                                    .numKeyValueStateEntries();
            assertThat(entries).as("keyed state once every window ended").isZero();
            assertThat(running.numEventTimeTimers()).as("timers once every window ended").isZero();
            RuleGroupOperator operator = (RuleGroupOperator) running.getOperator();
            assertThat(operator.cachedKeys()).as("keys in the state cache").isZero();
            assertThat(operator.keysWithQueuedEvents()).as("queued events").isZero();
            assertThat(operator.scheduledRevisions())
                    .as("only the revision in force is kept")
                    .containsExactly(1L);
        }
    }

    /** The IoT rules: flatline and a narrowed variant in one family, spike and a copy of it. */
    private static Map<String, String> before() throws Exception {
        String flatline = shipped("iot/sensor-flatline.yaml");
        String spike = shipped("iot/sensor-spike.yaml");
        Map<String, String> files = new TreeMap<>();
        files.put("flatline.yaml", flatline);
        files.put("flatline-high.yaml", narrowed(flatline, "high", "event.value > 50.0"));
        files.put("spike.yaml", spike);
        files.put("spike-copy.yaml", renamed(spike, "copy"));
        return files;
    }

    /**
     * Flatline and the spike copy kept; the variant changed (a new condition, version 2); spike
     * removed; flatline per device (a key no rule had) added.
     */
    private static Map<String, String> after() throws Exception {
        String flatline = shipped("iot/sensor-flatline.yaml");
        Map<String, String> files = new TreeMap<>(before());
        files.remove("spike.yaml");
        files.put(
                "flatline-high.yaml",
                narrowed(flatline, "high", "event.value > 90.0")
                        .replaceFirst("(?m)^version: 1$", "version: 2"));
        files.put(
                "flatline-device.yaml",
                renamed(flatline, "device").replaceFirst("(?m)^key: .*$", "key: deviceId"));
        return files;
    }

    private static Set<String> uids(List<Rule> rules) {
        return rules.stream().map(Rule::uid).collect(Collectors.toSet());
    }

    /**
     * Flink's CepOperator with the rule alone, given the events of [from, until) and the stream's
     * watermarks up to just before {@code until}: what the rule alerts while it is in force.
     */
    private static List<String> alone(Rule rule, long from, long until, List<Object> stream)
            throws Exception {
        return alone(rule, from, until, stream, BASE + Duration.ofDays(1).toMillis());
    }

    /**
     * @param end the last watermark when the rule stays in force to the end of the stream
     */
    static List<String> alone(Rule rule, long from, long until, List<Object> stream, long end)
            throws Exception {
        List<Object> inForce = new ArrayList<>();
        for (Object item : stream) {
            if (item instanceof Envelope event) {
                long time = event.getEventTime().toEpochMilli();
                if (time >= from && time < until) {
                    inForce.add(event);
                }
            } else if ((Long) item < until) {
                inForce.add(item);
            }
        }
        inForce.add(until == Long.MAX_VALUE ? end : Math.min(end, until - 1));
        List<String> alerts = new ArrayList<>();
        try (var alone = flinkCep(rule)) {
            alone.open();
            replay(alone, inForce);
            alone.extractOutputValues().forEach(alert -> alerts.add(describe(alert)));
        }
        return alerts;
    }

    private static void feed(
            RuleHarness harness,
            List<Object> stream,
            int from,
            int to,
            int publishAt,
            RuleSet published)
            throws Exception {
        for (int i = from; i < to; i++) {
            if (i == publishAt) {
                harness.publish(published);
            }
            replay(harness, List.of(stream.get(i)));
        }
        if (to == stream.size() && publishAt == stream.size() && from <= publishAt) {
            harness.publish(published);
        }
    }

    private static int firstIndex(List<Object> stream, long time) {
        for (int i = 0; i < stream.size(); i++) {
            Object item = stream.get(i);
            if (item instanceof Envelope event && event.getEventTime().toEpochMilli() >= time) {
                return i;
            }
            if (item instanceof Long watermark && watermark >= time) {
                return i;
            }
        }
        return stream.size();
    }
}
