package io.tributary.cep.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.cep.flink.FlinkInternals.KeyedBackend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rule operator's state store and its cache on their own, on heap and RocksDB, with no cache, a
 * cache of one key (every switch of key evicts) and a roomy one: random writes, removals, clears
 * and copies of namespaces over many keys read back as a plain model says, through the store, from
 * the backend directly once written back, and after a snapshot and a restore into a new operator.
 */
class RuleStateStoreTest {
    private static final List<String> NAMESPACES = List.of("family/a", "family/b", "family/c");

    static Stream<Arguments> setups() {
        return Stream.of(
                Arguments.of("heap", 0),
                Arguments.of("heap", 1),
                Arguments.of("heap", 64),
                Arguments.of("rocksdb", 0),
                Arguments.of("rocksdb", 1),
                Arguments.of("rocksdb", 64));
    }

    @ParameterizedTest(name = "{0}, cache of {1} keys")
    @MethodSource("setups")
    void randomChangesReadBackAsTheModelSaysThroughEvictionSnapshotAndRestore(
            String backend, int cacheKeys) throws Exception {
        for (int seed = 1; seed <= 3; seed++) {
            Random random = new Random(seed * 31L + cacheKeys);
            Model model = new Model();
            OperatorSubtaskState snapshot;
            try (var harness = harness(backend, cacheKeys)) {
                harness.open();
                Host host = (Host) harness.getOperator();
                for (int step = 0; step < 1500; step++) {
                    String key = "k" + random.nextInt(12);
                    String namespace = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
                    host.setCurrentKey(key);
                    host.store.use(namespace);
                    change(host, model.of(key, namespace), random, model, key, namespace);
                    if (random.nextInt(200) == 0) {
                        harness.snapshot(step, step);
                        assertBackendHolds(host, model);
                    }
                }
                snapshot = harness.snapshot(9_999, 9_999);
                assertBackendHolds(host, model);
                assertStoreReads(host, model);
            }
            try (var restored = harness(backend, cacheKeys)) {
                restored.initializeState(snapshot);
                restored.open();
                Host host = (Host) restored.getOperator();
                assertStoreReads(host, model);
                assertBackendHolds(host, model);
            }
        }
    }

    @ParameterizedTest(name = "{0}, cache of {1} keys")
    @MethodSource("setups")
    void anIteratorsRemoveRemovesFromTheMapAndTheBackend(String backend, int cacheKeys)
            throws Exception {
        try (var harness = harness(backend, cacheKeys)) {
            harness.open();
            Host host = (Host) harness.getOperator();
            host.setCurrentKey("k");
            host.store.use("family/a");
            for (long i = 0; i < 10; i++) {
                host.map.put(i, List.of("v" + i));
            }
            for (Iterator<Map.Entry<Long, List<String>>> it = host.map.entries().iterator();
                    it.hasNext(); ) {
                if (it.next().getKey() % 2 == 0) {
                    it.remove();
                }
            }
            assertThat(keys(host.map)).containsExactlyInAnyOrder(1L, 3L, 5L, 7L, 9L);
            harness.snapshot(1, 1);
            host.setCurrentKey("k");
            host.raw.use("family/a");
            assertThat(keys(host.rawMap)).containsExactlyInAnyOrder(1L, 3L, 5L, 7L, 9L);
        }
    }

    @ParameterizedTest(name = "{0}, cache of {1} keys")
    @MethodSource("setups")
    void aCopiedNamespaceIsDeepAndACopyOfNothingLeavesNothing(String backend, int cacheKeys)
            throws Exception {
        try (var harness = harness(backend, cacheKeys)) {
            harness.open();
            Host host = (Host) harness.getOperator();
            host.setCurrentKey("k");
            host.store.use("family/a");
            host.value.update(new ArrayList<>(List.of("x")));
            host.map.put(1L, new ArrayList<>(List.of("y")));
            host.store.copyNamespace("family/a", "family/b");

            // Mutate what the copy hands out, as CEP mutates the objects it reads.
            host.store.use("family/b");
            host.value.value().add("changed");
            host.map.get(1L).add("changed");
            host.store.use("family/a");
            assertThat(host.value.value()).containsExactly("x");
            assertThat(host.map.get(1L)).containsExactly("y");

            host.store.clearNamespace("family/a");
            host.store.clearNamespace("family/b");
            host.store.copyNamespace("family/a", "family/c");
            harness.snapshot(1, 1);
            assertThat(entries(harness, backend))
                    .as("keyed state after clearing both and copying the empty one")
                    .isZero();
        }
    }

    private static void change(
            Host host,
            Map<String, Object> slot,
            Random random,
            Model model,
            String key,
            String namespace)
            throws Exception {
        @SuppressWarnings("unchecked")
        Map<Long, List<String>> entries =
                (Map<Long, List<String>>) slot.computeIfAbsent("map", k -> new HashMap<>());
        long entry = random.nextInt(6);
        switch (random.nextInt(10)) {
            case 0, 1 -> {
                List<String> value = List.of("v" + random.nextInt(1000));
                host.value.update(new ArrayList<>(value));
                slot.put("value", value);
            }
            case 2 -> {
                host.value.clear();
                slot.remove("value");
            }
            case 3, 4, 5 -> {
                List<String> value = List.of("e" + random.nextInt(1000));
                host.map.put(entry, new ArrayList<>(value));
                entries.put(entry, value);
            }
            case 6 -> {
                host.map.remove(entry);
                entries.remove(entry);
            }
            case 7 -> {
                host.map.clear();
                entries.clear();
            }
            case 8 -> {
                // What a new cohort tells the store: the key holds nothing here.
                if (!slot.containsKey("value") && entries.isEmpty()) {
                    host.store.startEmpty(namespace);
                }
            }
            default -> {
                String to = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
                if (!to.equals(namespace)) {
                    host.store.copyNamespace(namespace, to);
                    model.copy(key, namespace, to);
                }
            }
        }
    }

    private static void assertStoreReads(Host host, Model model) throws Exception {
        for (var byKey : model.state.entrySet()) {
            host.setCurrentKey(byKey.getKey());
            for (String namespace : NAMESPACES) {
                host.store.use(namespace);
                Map<String, Object> slot = byKey.getValue().getOrDefault(namespace, Map.of());
                String where = byKey.getKey() + " " + namespace;
                assertThat(host.value.value()).as(where).isEqualTo(slot.get("value"));
                assertThat(contents(host.map)).as(where).isEqualTo(mapOf(slot));
            }
        }
    }

    /** Read past the cache: what a snapshot of the backend holds. */
    private static void assertBackendHolds(Host host, Model model) throws Exception {
        for (var byKey : model.state.entrySet()) {
            host.setCurrentKey(byKey.getKey());
            for (String namespace : NAMESPACES) {
                host.raw.use(namespace);
                Map<String, Object> slot = byKey.getValue().getOrDefault(namespace, Map.of());
                String where = "backend " + byKey.getKey() + " " + namespace;
                assertThat(host.rawValue.value()).as(where).isEqualTo(slot.get("value"));
                assertThat(contents(host.rawMap)).as(where).isEqualTo(mapOf(slot));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Long, List<String>> mapOf(Map<String, Object> slot) {
        return (Map<Long, List<String>>) slot.getOrDefault("map", Map.of());
    }

    private static Map<Long, List<String>> contents(MapState<Long, List<String>> map)
            throws Exception {
        Map<Long, List<String>> contents = new HashMap<>();
        for (Map.Entry<Long, List<String>> entry : map.entries()) {
            contents.put(entry.getKey(), entry.getValue());
        }
        return contents;
    }

    private static List<Long> keys(MapState<Long, List<String>> map) throws Exception {
        return new ArrayList<>(contents(map).keySet());
    }

    private static int entries(
            KeyedOneInputStreamOperatorTestHarness<String, String, Void> harness, String backend) {
        return backend.equals("heap")
                ? harness.numKeyedStateEntries()
                : ((org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend<?>)
                                harness.getOperator().getKeyedStateBackend())
                        .numKeyValueStateEntries();
    }

    /** Per key, per namespace: "value" and "map" as they should read. */
    private static final class Model {
        final Map<String, Map<String, Map<String, Object>>> state = new HashMap<>();

        Map<String, Object> of(String key, String namespace) {
            return state.computeIfAbsent(key, k -> new HashMap<>())
                    .computeIfAbsent(namespace, n -> new HashMap<>());
        }

        @SuppressWarnings("unchecked")
        void copy(String key, String from, String to) {
            Map<String, Object> source = of(key, from);
            Map<String, Object> target = of(key, to);
            target.clear();
            if (source.containsKey("value")) {
                target.put("value", source.get("value"));
            }
            target.put("map", new HashMap<>((Map<Long, List<String>>) source.get("map")));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, String, Void> harness(
            String backend, int cacheKeys) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new Host(cacheKeys), (String s) -> s, Types.STRING);
        harness.setStateBackend(
                backend.equals("heap")
                        ? new HashMapStateBackend()
                        : new EmbeddedRocksDBStateBackend());
        return harness;
    }

    /**
     * Hosts a store as the rule operator does: the cache (when there is one) writes back before
     * each snapshot. A second store without the cache reads the backend itself.
     */
    private static final class Host extends AbstractStreamOperator<Void>
            implements OneInputStreamOperator<String, Void> {
        private final int cacheKeys;
        transient KeyedStateCache cache;
        transient RuleStateStore store;
        transient RuleStateStore raw;
        transient ValueState<List<String>> value;
        transient MapState<Long, List<String>> map;
        transient ValueState<List<String>> rawValue;
        transient MapState<Long, List<String>> rawMap;

        Host(int cacheKeys) {
            this.cacheKeys = cacheKeys;
        }

        @Override
        public void open() throws Exception {
            super.open();
            cache = cacheKeys == 0 ? null : new KeyedStateCache(new KeyedBackend(this), cacheKeys);
            store = new RuleStateStore(new KeyedBackend(this), cache, NAMESPACES.get(0));
            raw = new RuleStateStore(new KeyedBackend(this), null, NAMESPACES.get(0));
            ValueStateDescriptor<List<String>> values =
                    new ValueStateDescriptor<>(
                            "value", new ListSerializer<>(StringSerializer.INSTANCE));
            MapStateDescriptor<Long, List<String>> maps =
                    new MapStateDescriptor<>(
                            "map",
                            LongSerializer.INSTANCE,
                            new ListSerializer<>(StringSerializer.INSTANCE));
            value = store.getState(values);
            map = store.getMapState(maps);
            rawValue = raw.getState(values);
            rawMap = raw.getMapState(maps);
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            if (cache != null) {
                cache.writeBack();
            }
            super.snapshotState(context);
        }

        @Override
        public void processElement(StreamRecord<String> element) {}
    }
}
