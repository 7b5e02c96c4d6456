package io.tributary.ingest.dedup;

import static io.tributary.ingest.TestEvents.DEDUP_TTL;
import static io.tributary.ingest.TestEvents.telemetryRecord;
import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.CanonicalRecord;
import io.tributary.ingest.IngestJob;
import io.tributary.ingest.ParseAndValidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The dedup operator, with its in-memory filter in front of the state, decides exactly as the plain
 * rule it implements: an id passes if no copy was stored within the TTL, a copy is dropped, a
 * different body under a stored id is a conflict. Checked against that rule on random streams (ids
 * from a small set so that copies and conflicts are common, time jumping past the TTL), on both
 * state backends, across a snapshot and restore, and across a change of parallelism from 2 to 1 and
 * to 3.
 */
class DeduplicationPropertiesTest {
    private static final long TTL_MS = DEDUP_TTL.toMillis();
    private static final int MAX_PARALLELISM = 128;

    /** One arriving event: an id, which of two bodies it carries, and the time since the last. */
    record Arrival(String id, int body, long after) {}

    /** The rule, with nothing but a map: id to (body, time stored). */
    static final class Model {
        final Map<String, long[]> stored = new HashMap<>();
        final List<String> passed = new ArrayList<>();
        final List<String> conflicts = new ArrayList<>();

        void accept(Arrival arrival, long now) {
            long[] first = stored.get(arrival.id());
            if (first == null || now >= first[1] + TTL_MS) {
                stored.put(arrival.id(), new long[] {arrival.body(), now});
                passed.add(arrival.id());
            } else if (first[0] != arrival.body()) {
                conflicts.add(arrival.id());
            }
        }
    }

    @Property(tries = 60)
    void decidesAsThePlainRuleOnHeapState(
            @ForAll("streams") List<Arrival> stream, @ForAll boolean filter) throws Exception {
        decidesAsThePlainRule(stream, false, filter);
    }

    @Property(tries = 15)
    void decidesAsThePlainRuleOnRocksDb(@ForAll("streams") List<Arrival> stream) throws Exception {
        decidesAsThePlainRule(stream, true, true);
    }

    private void decidesAsThePlainRule(List<Arrival> stream, boolean rocksDb, boolean filter)
            throws Exception {
        Model model = new Model();
        try (var harness = harness(1, 0, rocksDb, filter)) {
            harness.open();
            long now = 0;
            int offset = 0;
            for (Arrival arrival : stream) {
                now += arrival.after();
                at(harness, now);
                model.accept(arrival, now);
                harness.processElement(new StreamRecord<>(record(arrival, offset++), now));
            }
            assertThat(passed(harness)).isEqualTo(model.passed);
            assertThat(conflicts(harness)).isEqualTo(model.conflicts);
        }
    }

    @Property(tries = 25)
    void decidesTheSameAfterARestoreAtAnotherParallelism(
            @ForAll("streams") List<Arrival> before,
            @ForAll("streams") List<Arrival> after,
            @ForAll("parallelisms") int newParallelism,
            @ForAll boolean rocksDb)
            throws Exception {
        Model model = new Model();
        long now = 0;
        int offset = 0;
        OperatorSubtaskState[] snapshots = new OperatorSubtaskState[2];
        List<KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord>>
                first = List.of(harness(2, 0, rocksDb), harness(2, 1, rocksDb));
        for (var harness : first) {
            harness.open();
        }
        for (Arrival arrival : before) {
            now += arrival.after();
            model.accept(arrival, now);
            var harness = first.get(subtask(arrival.id(), 2));
            at(harness, now);
            harness.processElement(new StreamRecord<>(record(arrival, offset++), now));
        }
        for (int i = 0; i < 2; i++) {
            snapshots[i] = first.get(i).snapshot(1L, now);
            first.get(i).close();
        }
        OperatorSubtaskState packaged = AbstractStreamOperatorTestHarness.repackageState(snapshots);
        model.passed.clear();
        model.conflicts.clear();

        List<KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord>>
                restored = new ArrayList<>();
        for (int i = 0; i < newParallelism; i++) {
            var harness = harness(newParallelism, i, rocksDb);
            at(harness, now);
            harness.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            packaged, MAX_PARALLELISM, 2, newParallelism, i));
            harness.open();
            restored.add(harness);
        }
        // What was seen before, then new arrivals: a replay after the restore decides the same.
        List<Arrival> replay =
                new ArrayList<>(
                        before.stream().map(a -> new Arrival(a.id(), a.body(), 0)).toList());
        replay.addAll(after);
        List<String> passed = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        for (Arrival arrival : replay) {
            now += arrival.after();
            model.accept(arrival, now);
            var harness = restored.get(subtask(arrival.id(), newParallelism));
            at(harness, now);
            int outputsBefore = harness.extractOutputValues().size();
            int conflictsBefore = conflicts(harness).size();
            harness.processElement(new StreamRecord<>(record(arrival, offset++), now));
            if (harness.extractOutputValues().size() > outputsBefore) {
                passed.add(arrival.id());
            }
            if (conflicts(harness).size() > conflictsBefore) {
                conflicts.add(arrival.id());
            }
        }
        for (var harness : restored) {
            harness.close();
        }
        assertThat(passed).isEqualTo(model.passed);
        assertThat(conflicts).isEqualTo(model.conflicts);
    }

    @Provide
    Arbitrary<List<Arrival>> streams() {
        Arbitrary<String> ids = Arbitraries.integers().between(0, 40).map(i -> "id-" + i);
        // Mostly close together; now and then a jump near or past the TTL.
        Arbitrary<Long> gaps =
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(20, Arbitraries.longs().between(0, 1_000)),
                        net.jqwik.api.Tuple.of(
                                1, Arbitraries.longs().between(TTL_MS - 2_000, TTL_MS + 2_000)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, 3 * TTL_MS)));
        return Combinators.combine(ids, Arbitraries.integers().between(0, 1), gaps)
                .as(Arrival::new)
                .list()
                .ofMaxSize(150);
    }

    @Provide
    Arbitrary<Integer> parallelisms() {
        return Arbitraries.of(1, 3);
    }

    private static int subtask(String id, int parallelism) {
        CanonicalRecord probe = telemetryRecord(id);
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                new IngestJob.ByDomainAndEventId().getKey(probe), MAX_PARALLELISM, parallelism);
    }

    private final Map<Long, String> ids = new HashMap<>();

    private CanonicalRecord record(Arrival arrival, int offset) {
        ids.put((long) offset, arrival.id());
        // Two bodies differ in their value; copies of one body differ only in where they were read.
        return telemetryRecord(arrival.id(), 41.0 + arrival.body(), offset);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord>
            harness(int parallelism, int subtask, boolean rocksDb) throws Exception {
        return harness(parallelism, subtask, rocksDb, true);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord>
            harness(int parallelism, int subtask, boolean rocksDb, boolean filter)
                    throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new DeduplicateByEventId(
                                DEDUP_TTL, filter, ParseAndValidate.DEAD_LETTERS, "test"),
                        new IngestJob.ByDomainAndEventId(),
                        Types.STRING,
                        MAX_PARALLELISM,
                        parallelism,
                        subtask);
        harness.setStateBackend(
                rocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend());
        at(harness, 0);
        return harness;
    }

    private static void at(AbstractStreamOperatorTestHarness<?> harness, long time)
            throws Exception {
        harness.setStateTtlProcessingTime(time);
        harness.setProcessingTime(time);
    }

    private static List<String> passed(
            KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord>
                    harness) {
        return harness.extractOutputValues().stream().map(r -> r.eventId).toList();
    }

    /** The ids of the conflicts' dead letters, found by the raw offset each carries. */
    private List<String> conflicts(
            KeyedOneInputStreamOperatorTestHarness<String, CanonicalRecord, CanonicalRecord>
                    harness) {
        var letters = harness.getSideOutput(ParseAndValidate.DEAD_LETTERS);
        return letters == null
                ? List.of()
                : letters.stream().map(l -> ids.get(l.getValue().getSourceOffset())).toList();
    }
}
