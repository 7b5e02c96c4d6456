package io.tributary.cep.job;

import io.tributary.cep.flink.FlinkInternals.KeyedBackend;
import io.tributary.cep.flink.FlinkInternals.Namespaced;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The keyed state of a group operator's NFAs, seen through one namespace at a time. Every NFA of
 * the group shares each state (the NFA state, the three maps of CEP's shared buffer) and keeps its
 * entries under its own namespace: Flink CEP's shared buffer names its states with constants, so
 * without namespaces the NFAs would corrupt each other's buffers, and with a state per rule
 * instead, a hundred rules would make four hundred RocksDB column families that share one slot's
 * write buffers and flush tiny memtables all the time.
 *
 * <p>The namespace is switched with {@link #use} before an NFA works on its state; CEP's shared
 * buffer writes its cache through when its accessor closes, so nothing of one namespace is pending
 * when the next is used.
 *
 * <p>Given a {@link KeyedStateCache}, every access goes through it: state of active keys stays on
 * the heap and reaches the backend when a checkpoint is taken.
 */
final class RuleStateStore implements KeyedStateStore {
    private final KeyedBackend backend;

    /** Null: straight to the backend. */
    private final KeyedStateCache cache;

    private final Map<String, Shared> sharedByName = new HashMap<>();
    private String namespace;

    /**
     * @param cache the cache in front of the backend, or null for none
     */
    RuleStateStore(KeyedBackend backend, KeyedStateCache cache, String namespace) {
        this.backend = backend;
        this.cache = cache;
        this.namespace = namespace;
    }

    /** Directs every state handed out by this store to the namespace. */
    void use(String namespace) {
        this.namespace = namespace;
    }

    @Override
    public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) {
        Namespaced<String, ValueState<T>> shared =
                shared(
                        new ValueStateDescriptor<>(
                                descriptor.getName(), descriptor.getSerializer()));
        if (cache != null) {
            return new CachedValueState<>(
                    sharedByName.get(descriptor.getName()).cacheIndex(), this);
        }
        return new NamespacedValue<>(shared, this);
    }

    @Override
    public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> descriptor) {
        Namespaced<String, MapState<UK, UV>> shared =
                shared(
                        new MapStateDescriptor<>(
                                descriptor.getName(),
                                descriptor.getKeySerializer(),
                                descriptor.getValueSerializer()));
        if (cache != null) {
            return new CachedMapState<>(sharedByName.get(descriptor.getName()).cacheIndex(), this);
        }
        return new NamespacedMap<>(shared, this);
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) {
        throw unused(descriptor.getName());
    }

    @Override
    public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) {
        throw unused(descriptor.getName());
    }

    @Override
    public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
            AggregatingStateDescriptor<IN, ACC, OUT> descriptor) {
        throw unused(descriptor.getName());
    }

    /**
     * Forgets what this rule keeps for the current key in the named state. Fails for a name never
     * asked for, so a state renamed by a Flink upgrade shows up in the tests instead of leaking.
     */
    void clear(String name) {
        Shared shared = sharedByName.get(name);
        if (shared == null) {
            throw new IllegalStateException(
                    "rule state " + name + " was never created; created: " + sharedByName.keySet());
        }
        clear(shared, namespace);
    }

    private void clear(Shared shared, String namespace) {
        if (cache == null) {
            shared.state().at(namespace).clear();
        } else if (shared.descriptor() instanceof MapStateDescriptor<?, ?>) {
            cache.map(shared.cacheIndex(), namespace).clear();
        } else {
            cache.value(shared.cacheIndex(), namespace).clear();
        }
    }

    /**
     * Tells the cache that the current key keeps nothing under the namespace but what the cache
     * holds, so looking up what is not there needs no read of the backend. Without a cache:
     * nothing.
     */
    void startEmpty(String namespace) {
        if (cache == null) {
            return;
        }
        for (Shared shared : sharedByName.values()) {
            if (shared.descriptor() instanceof MapStateDescriptor<?, ?>) {
                cache.map(shared.cacheIndex(), namespace).assumeComplete();
            } else {
                cache.value(shared.cacheIndex(), namespace).assumeAbsent();
            }
        }
    }

    /** Forgets what the current key keeps under the namespace, in every state of this store. */
    void clearNamespace(String namespace) {
        for (Shared shared : sharedByName.values()) {
            clear(shared, namespace);
        }
    }

    /**
     * Gives the namespace {@code to} a deep copy of what the current key keeps under {@code from},
     * in every state of this store: afterwards the two evolve independently, also on heap state,
     * where CEP mutates the objects it reads.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void copyNamespace(String from, String to) throws Exception {
        if (cache != null) {
            copyCachedNamespace(from, to);
            return;
        }
        for (Shared shared : sharedByName.values()) {
            var descriptor = shared.descriptor();
            if (descriptor instanceof MapStateDescriptor<?, ?> map) {
                Namespaced<String, MapState<Object, Object>> state = (Namespaced) shared.state();
                TypeSerializer<Object> keys = (TypeSerializer<Object>) map.getKeySerializer();
                TypeSerializer<Object> values = (TypeSerializer<Object>) map.getValueSerializer();
                Iterable<Map.Entry<Object, Object>> entries = state.at(from).entries();
                Map<Object, Object> copy = new HashMap<>();
                if (entries != null) {
                    for (Map.Entry<Object, Object> entry : entries) {
                        copy.put(keys.copy(entry.getKey()), values.copy(entry.getValue()));
                    }
                }
                state.at(to).clear();
                // On the heap, putting nothing still creates the namespace's map, which no removal
                // ever clears again.
                if (!copy.isEmpty()) {
                    state.at(to).putAll(copy);
                }
            } else {
                Namespaced<String, ValueState<Object>> state = (Namespaced) shared.state();
                TypeSerializer<Object> serializer =
                        (TypeSerializer<Object>) descriptor.getSerializer();
                Object value = state.at(from).value();
                if (value == null) {
                    state.at(to).clear();
                } else {
                    state.at(to).update(serializer.copy(value));
                }
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void copyCachedNamespace(String from, String to) throws Exception {
        for (Shared shared : sharedByName.values()) {
            var descriptor = shared.descriptor();
            if (descriptor instanceof MapStateDescriptor<?, ?> map) {
                TypeSerializer<Object> keys = (TypeSerializer<Object>) map.getKeySerializer();
                TypeSerializer<Object> values = (TypeSerializer<Object>) map.getValueSerializer();
                KeyedStateCache.CachedMap<Object, Object> source =
                        cache.map(shared.cacheIndex(), from);
                Map<Object, Object> copy = new HashMap<>();
                for (Iterator<Map.Entry<Object, Object>> it = source.iterator(); it.hasNext(); ) {
                    Map.Entry<Object, Object> entry = it.next();
                    copy.put(keys.copy(entry.getKey()), values.copy(entry.getValue()));
                }
                KeyedStateCache.CachedMap<Object, Object> target =
                        cache.map(shared.cacheIndex(), to);
                target.clear();
                copy.forEach(target::put);
            } else {
                TypeSerializer<Object> serializer =
                        (TypeSerializer<Object>) descriptor.getSerializer();
                Object value = cache.value(shared.cacheIndex(), from).value();
                ((KeyedStateCache.CachedValue) cache.value(shared.cacheIndex(), to))
                        .update(value == null ? null : serializer.copy(value));
            }
        }
    }

    private <S extends org.apache.flink.api.common.state.State> Namespaced<String, S> shared(
            org.apache.flink.api.common.state.StateDescriptor<S, ?> descriptor) {
        try {
            // The backend keeps one state per name: every rule of the group gets the same one.
            Namespaced<String, S> state = backend.state(descriptor);
            sharedByName.put(
                    descriptor.getName(),
                    new Shared(state, descriptor, cache == null ? -1 : cache.register(state)));
            return state;
        } catch (Exception e) {
            throw new IllegalStateException("cannot create rule state " + descriptor.getName(), e);
        }
    }

    /**
     * A state the NFAs share, with the descriptor whose serializers copy its entries, and its index
     * in the cache.
     */
    private record Shared(
            Namespaced<String, ?> state,
            org.apache.flink.api.common.state.StateDescriptor<?, ?> descriptor,
            int cacheIndex) {}

    private static UnsupportedOperationException unused(String name) {
        return new UnsupportedOperationException(
                "a rule keeps only value and map state; asked for " + name);
    }

    /** A shared value state, switched to the store's namespace on every access. */
    private record NamespacedValue<T>(Namespaced<String, ValueState<T>> state, RuleStateStore store)
            implements ValueState<T> {
        @Override
        public T value() throws java.io.IOException {
            return state.at(store.namespace).value();
        }

        @Override
        public void update(T value) throws java.io.IOException {
            state.at(store.namespace).update(value);
        }

        @Override
        public void clear() {
            state.at(store.namespace).clear();
        }
    }

    /**
     * A shared map state, switched to the store's namespace on every access; no map reads as empty.
     */
    private record NamespacedMap<K, V>(
            Namespaced<String, MapState<K, V>> state, RuleStateStore store)
            implements MapState<K, V> {
        private MapState<K, V> at() {
            return state.at(store.namespace);
        }

        @Override
        public V get(K key) throws Exception {
            return at().get(key);
        }

        @Override
        public void put(K key, V value) throws Exception {
            at().put(key, value);
        }

        @Override
        public void putAll(Map<K, V> map) throws Exception {
            at().putAll(map);
        }

        @Override
        public void remove(K key) throws Exception {
            at().remove(key);
        }

        @Override
        public boolean contains(K key) throws Exception {
            return at().contains(key);
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() throws Exception {
            Iterable<Map.Entry<K, V>> entries = at().entries();
            return entries == null ? Collections.emptySet() : entries;
        }

        @Override
        public Iterable<K> keys() throws Exception {
            Iterable<K> keys = at().keys();
            return keys == null ? Collections.emptySet() : keys;
        }

        @Override
        public Iterable<V> values() throws Exception {
            Iterable<V> values = at().values();
            return values == null ? Collections.emptySet() : values;
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() throws Exception {
            Iterator<Map.Entry<K, V>> iterator = at().iterator();
            return iterator == null ? Collections.emptyIterator() : iterator;
        }

        @Override
        public boolean isEmpty() throws Exception {
            return at().isEmpty();
        }

        @Override
        public void clear() {
            at().clear();
        }
    }

    /** A shared value state, through the cache, under the store's namespace. */
    private record CachedValueState<T>(int index, RuleStateStore store) implements ValueState<T> {
        private KeyedStateCache.CachedValue<T> at() {
            return store.cache.value(index, store.namespace);
        }

        @Override
        public T value() throws java.io.IOException {
            try {
                return at().value();
            } catch (java.io.IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
        }

        @Override
        public void update(T value) {
            at().update(value);
        }

        @Override
        public void clear() {
            at().clear();
        }
    }

    /** A shared map state, through the cache, under the store's namespace. */
    private record CachedMapState<K, V>(int index, RuleStateStore store) implements MapState<K, V> {
        private KeyedStateCache.CachedMap<K, V> at() {
            return store.cache.map(index, store.namespace);
        }

        @Override
        public V get(K key) throws Exception {
            return at().get(key);
        }

        @Override
        public void put(K key, V value) {
            at().put(key, value);
        }

        @Override
        public void putAll(Map<K, V> map) {
            KeyedStateCache.CachedMap<K, V> at = at();
            map.forEach(at::put);
        }

        @Override
        public void remove(K key) {
            at().remove(key);
        }

        @Override
        public boolean contains(K key) throws Exception {
            return at().get(key) != null;
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() {
            return this::iterator;
        }

        @Override
        public Iterable<K> keys() {
            return () -> each(iterator(), Map.Entry::getKey);
        }

        @Override
        public Iterable<V> values() {
            return () -> each(iterator(), Map.Entry::getValue);
        }

        /**
         * A part of each entry; {@code remove} removes the entry (CEP's pruning removes through
         * {@code keys()}).
         */
        private static <E, T> Iterator<T> each(
                Iterator<E> entries, java.util.function.Function<E, T> part) {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return entries.hasNext();
                }

                @Override
                public T next() {
                    return part.apply(entries.next());
                }

                @Override
                public void remove() {
                    entries.remove();
                }
            };
        }

        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            try {
                return at().iterator();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot read rule state", e);
            }
        }

        @Override
        public boolean isEmpty() throws Exception {
            return at().isEmpty();
        }

        @Override
        public void clear() {
            at().clear();
        }
    }
}
