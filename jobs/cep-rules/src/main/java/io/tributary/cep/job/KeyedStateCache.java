package io.tributary.cep.job;

import io.tributary.cep.flink.FlinkInternals.KeyedBackend;
import io.tributary.cep.flink.FlinkInternals.Namespaced;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;

/**
 * The keyed state of recently active keys, held as objects on the heap in front of a serializing
 * backend (RocksDB). A key's value or map entry is read from the backend once; later reads and
 * writes stay here, and what changed is written back when a checkpoint is taken ({@link
 * #writeBack()}, called before the backend's snapshot) or when the key is the least recently used
 * one of more than {@code capacity} keys.
 *
 * <p>Flink CEP's shared buffer reads and writes its nodes, events and counters a dozen times per
 * event and partial match; on RocksDB each access is a lookup plus (de)serialization. Most of those
 * accesses touch what the same key wrote moments before, so a key that is active within a
 * checkpoint interval costs one read and one write per entry instead.
 *
 * <p>Nothing is lost on failure: a checkpoint holds everything written before its barrier, and a
 * restore starts from the checkpoint with an empty cache. Objects handed out are the cached ones,
 * as heap state hands out its own; callers write back what they change, as they must for RocksDB.
 */
final class KeyedStateCache {
    /** A map entry known to be absent (removed here, or looked up and not found). */
    private static final Object ABSENT = new Object();

    private final KeyedBackend backend;
    private final int capacity;
    private final List<Namespaced<String, ?>> states = new ArrayList<>();

    /** Least recently used first. */
    private final LinkedHashMap<Object, KeyEntries> keys = new LinkedHashMap<>(256, 0.75f, true);

    private Object lastKey;
    private KeyEntries last;

    KeyedStateCache(KeyedBackend backend, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "a state cache needs room for at least one key, got " + capacity);
        }
        this.backend = backend;
        this.capacity = capacity;
    }

    /** Makes a state cacheable; the returned index names it in {@link #value} and {@link #map}. */
    int register(Namespaced<String, ?> state) {
        states.add(state);
        return states.size() - 1;
    }

    /** The current key's value of a registered value state under the namespace. */
    @SuppressWarnings("unchecked")
    <T> CachedValue<T> value(int state, String namespace) {
        Slot[] slots = current().slots(namespace, states.size());
        if (slots[state] == null) {
            slots[state] =
                    new CachedValue<>(
                            last, (Namespaced<String, ValueState<T>>) states.get(state), namespace);
        }
        return (CachedValue<T>) slots[state];
    }

    /** The current key's map of a registered map state under the namespace. */
    @SuppressWarnings("unchecked")
    <K, V> CachedMap<K, V> map(int state, String namespace) {
        Slot[] slots = current().slots(namespace, states.size());
        if (slots[state] == null) {
            slots[state] =
                    new CachedMap<>(
                            last,
                            (Namespaced<String, MapState<K, V>>) states.get(state),
                            namespace);
        }
        return (CachedMap<K, V>) slots[state];
    }

    /** How many keys the cache holds. */
    int size() {
        return keys.size();
    }

    /**
     * Writes every change to the backend, so that a snapshot taken next holds it; what is left
     * cached is the state of keys with something in progress.
     */
    void writeBack() throws Exception {
        Object current = backend.currentKey();
        for (Iterator<Map.Entry<Object, KeyEntries>> it = keys.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<Object, KeyEntries> entry = it.next();
            KeyEntries entries = entry.getValue();
            if (entries.dirty) {
                backend.setCurrentKey(entry.getKey());
                entries.writeBack();
            }
            if (entries.prune()) {
                it.remove();
            }
        }
        if (current != null) {
            backend.setCurrentKey(current);
        }
        lastKey = null;
        last = null;
    }

    private KeyEntries current() {
        Object key = backend.currentKey();
        if (last != null && key.equals(lastKey)) {
            return last;
        }
        KeyEntries entries = keys.get(key);
        if (entries == null) {
            entries = new KeyEntries();
            keys.put(key, entries);
            if (keys.size() > capacity) {
                evictEldest(key);
            }
        }
        lastKey = key;
        last = entries;
        return entries;
    }

    private void evictEldest(Object current) {
        Iterator<Map.Entry<Object, KeyEntries>> eldest = keys.entrySet().iterator();
        Map.Entry<Object, KeyEntries> evicted = eldest.next();
        eldest.remove();
        if (evicted.getValue().dirty) {
            try {
                backend.setCurrentKey(evicted.getKey());
                evicted.getValue().writeBack();
            } catch (Exception e) {
                throw new IllegalStateException(
                        "cannot write the state of key " + evicted.getKey() + " back", e);
            } finally {
                backend.setCurrentKey(current);
            }
        }
    }

    /** One key's cached states: per namespace, a slot per registered state. */
    private static final class KeyEntries {
        private final Map<String, Slot[]> byNamespace = new HashMap<>();
        private boolean dirty;

        Slot[] slots(String namespace, int states) {
            Slot[] slots = byNamespace.get(namespace);
            if (slots == null || slots.length < states) {
                Slot[] grown = new Slot[states];
                if (slots != null) {
                    System.arraycopy(slots, 0, grown, 0, slots.length);
                }
                byNamespace.put(namespace, grown);
                slots = grown;
            }
            return slots;
        }

        void writeBack() throws Exception {
            for (Slot[] slots : byNamespace.values()) {
                for (Slot slot : slots) {
                    if (slot != null && slot.dirty) {
                        slot.writeBack();
                        slot.dirty = false;
                    }
                }
            }
            dirty = false;
        }

        /**
         * Forgets the namespaces that hold nothing; true when none is left. Only once written back.
         */
        boolean prune() {
            byNamespace
                    .values()
                    .removeIf(
                            slots -> {
                                for (Slot slot : slots) {
                                    if (slot != null && !slot.holdsNothing()) {
                                        return false;
                                    }
                                }
                                return true;
                            });
            return byNamespace.isEmpty();
        }
    }

    private abstract static class Slot {
        private final KeyEntries owner;
        final String namespace;
        boolean dirty;

        Slot(KeyEntries owner, String namespace) {
            this.owner = owner;
            this.namespace = namespace;
        }

        final void changed() {
            dirty = true;
            owner.dirty = true;
        }

        abstract void writeBack() throws Exception;

        /** Whether nothing of the state is cached here: once written back, the slot can go. */
        abstract boolean holdsNothing();
    }

    /** A value of the current key, read from the backend on first use. */
    static final class CachedValue<T> extends Slot {
        private final Namespaced<String, ValueState<T>> state;
        private boolean loaded;
        private T value;

        /**
         * Whether the backend may hold a value: not once read as absent, written back as absent, or
         * known to start empty. Then clearing costs no write: a cohort that starts and ends between
         * two checkpoints leaves RocksDB no tombstone.
         */
        private boolean mayBeStored = true;

        CachedValue(KeyEntries owner, Namespaced<String, ValueState<T>> state, String namespace) {
            super(owner, namespace);
            this.state = state;
        }

        T value() throws Exception {
            if (!loaded) {
                value = state.at(namespace).value();
                loaded = true;
                mayBeStored = value != null;
            }
            return value;
        }

        /** The backend holds nothing here (a new cohort's state), unless already read. */
        void assumeAbsent() {
            if (!loaded) {
                loaded = true;
                value = null;
                mayBeStored = false;
            }
        }

        void update(T value) {
            this.value = value;
            loaded = true;
            changed();
        }

        void clear() {
            update(null);
        }

        @Override
        void writeBack() throws Exception {
            if (value == null) {
                if (mayBeStored) {
                    state.at(namespace).clear();
                    mayBeStored = false;
                }
            } else {
                state.at(namespace).update(value);
                mayBeStored = true;
            }
        }

        @Override
        boolean holdsNothing() {
            return value == null;
        }
    }

    /**
     * A map of the current key: entries are read from the backend one by one as they are asked for,
     * or all at once when the map is listed.
     */
    static final class CachedMap<K, V> extends Slot {
        private final Namespaced<String, MapState<K, V>> state;
        private final HashMap<K, Entry<K>> entries = new HashMap<>();

        /** Entries to write back; CEP's keys hash slowly, so each is looked up once per access. */
        private final List<Entry<K>> changedEntries = new ArrayList<>();

        /** Whether {@link #entries} has every entry the map has. */
        private boolean complete;

        /** Whether the backend's map is to be cleared before the changed entries are written. */
        private boolean cleared;

        /** Whether some entry may be {@link #ABSENT}: only then does a write-back look for them. */
        private boolean mayHoldAbsent;

        CachedMap(KeyEntries owner, Namespaced<String, MapState<K, V>> state, String namespace) {
            super(owner, namespace);
            this.state = state;
        }

        /**
         * A map entry as cached: its value or {@link #ABSENT}, whether it is to be written back,
         * and whether the backend may hold it (else removing it needs no write).
         */
        private static final class Entry<K> {
            final K key;
            Object value = ABSENT;
            boolean changed;
            boolean mayBeStored;

            Entry(K key, boolean mayBeStored) {
                this.key = key;
                this.mayBeStored = mayBeStored;
            }
        }

        private Entry<K> entry(K key) {
            Entry<K> entry = entries.get(key);
            if (entry == null) {
                entry = new Entry<>(key, !complete);
                entries.put(key, entry);
                // Until set, a new entry is absent.
                mayHoldAbsent = true;
            }
            return entry;
        }

        /** The backend holds nothing of this map but what is cached (a new cohort's buffer). */
        void assumeComplete() {
            complete = true;
        }

        @SuppressWarnings("unchecked")
        V get(K key) throws Exception {
            Entry<K> cached = entries.get(key);
            if (cached == null) {
                if (complete) {
                    return null;
                }
                V stored = state.at(namespace).get(key);
                Entry<K> loaded = new Entry<>(key, stored != null);
                if (stored != null) {
                    loaded.value = stored;
                } else {
                    mayHoldAbsent = true;
                }
                entries.put(key, loaded);
                return stored;
            }
            return cached.value == ABSENT ? null : (V) cached.value;
        }

        void put(K key, V value) {
            set(entry(key), value);
        }

        void remove(K key) {
            set(entry(key), ABSENT);
        }

        private void set(Entry<K> entry, Object value) {
            entry.value = value;
            mayHoldAbsent |= value == ABSENT;
            if (!entry.changed) {
                entry.changed = true;
                changedEntries.add(entry);
            }
            changed();
        }

        void clear() {
            if (complete) {
                // Every entry the backend may hold is here: removing them one by one spares RocksDB
                // a scan over the map's range, and entries it never held cost nothing.
                for (Entry<K> entry : entries.values()) {
                    if (entry.value != ABSENT) {
                        set(entry, ABSENT);
                    }
                }
                return;
            }
            entries.clear();
            changedEntries.clear();
            complete = true;
            cleared = true;
            changed();
        }

        /**
         * Every entry, read from the backend once; the iterator's {@code remove} removes from the
         * map.
         */
        Iterator<Map.Entry<K, V>> iterator() throws Exception {
            loadAll();
            Iterator<Entry<K>> all = entries.values().iterator();
            return new Iterator<>() {
                private Entry<K> next = advance();
                private Entry<K> returned;

                private Entry<K> advance() {
                    while (all.hasNext()) {
                        Entry<K> entry = all.next();
                        if (entry.value != ABSENT) {
                            return entry;
                        }
                    }
                    return null;
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                @SuppressWarnings("unchecked")
                public Map.Entry<K, V> next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    returned = next;
                    next = advance();
                    return Map.entry(returned.key, (V) returned.value);
                }

                @Override
                public void remove() {
                    if (returned == null) {
                        throw new IllegalStateException("next() first");
                    }
                    // The entry stays in the map, marked absent: the iteration goes on.
                    set(returned, ABSENT);
                    returned = null;
                }
            };
        }

        boolean isEmpty() throws Exception {
            return !iterator().hasNext();
        }

        private void loadAll() throws Exception {
            if (complete) {
                return;
            }
            Iterable<Map.Entry<K, V>> stored = state.at(namespace).entries();
            if (stored != null) {
                for (Map.Entry<K, V> entry : stored) {
                    entries.computeIfAbsent(
                            entry.getKey(),
                            key -> {
                                Entry<K> loaded = new Entry<>(key, true);
                                loaded.value = entry.getValue();
                                return loaded;
                            });
                }
            }
            complete = true;
        }

        @Override
        @SuppressWarnings("unchecked")
        void writeBack() throws Exception {
            if (cleared) {
                state.at(namespace).clear();
            }
            for (Entry<K> entry : changedEntries) {
                if (entry.value != ABSENT) {
                    state.at(namespace).put(entry.key, (V) entry.value);
                    entry.mayBeStored = true;
                } else if (!cleared && entry.mayBeStored) {
                    state.at(namespace).remove(entry.key);
                }
                entry.changed = false;
            }
            changedEntries.clear();
            cleared = false;
            // Removed entries would pile up in a key that stays active; the backend knows them now.
            if (mayHoldAbsent) {
                entries.values().removeIf(entry -> entry.value == ABSENT);
                mayHoldAbsent = false;
            }
        }

        @Override
        boolean holdsNothing() {
            return entries.isEmpty();
        }
    }
}
