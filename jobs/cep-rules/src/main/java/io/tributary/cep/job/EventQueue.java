package io.tributary.cep.job;

import io.tributary.cep.flink.FlinkInternals.KeyedBackend;
import io.tributary.cep.flink.FlinkInternals.Namespaced;
import io.tributary.schemas.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * The rule operator's events waiting for the watermark, per key and event time. They stay on the
 * heap: most are handed to the rules before the next checkpoint, and a checkpoint writes only those
 * still waiting to keyed state ({@value #STATE}, one list per key and time, namespace = the time),
 * which a restore reads back.
 */
final class EventQueue {
    static final String STATE = "event-queue";

    private final KeyedBackend backend;
    private final Namespaced<Long, ListState<Envelope>> state;
    private final Map<Object, Map<Long, Waiting>> waiting = new HashMap<>();

    /** A key's events of one event time, and how many of them keyed state holds. */
    private static final class Waiting {
        final List<Envelope> events = new ArrayList<>(2);
        int written;
    }

    EventQueue(KeyedBackend backend, TypeSerializer<Envelope> serializer) throws Exception {
        this.backend = backend;
        // A list per time takes a checkpoint's queued events without reading what is queued
        // (RocksDB merges it).
        this.state =
                backend.state(
                        LongSerializer.INSTANCE, new ListStateDescriptor<>(STATE, serializer));
    }

    void add(Object key, long time, Envelope event) {
        waiting(key, time).events.add(event);
    }

    /**
     * Removes and returns a key's events of one time, in arrival order; null when none. The
     * backend's current key must be {@code key}.
     */
    List<Envelope> take(Object key, long time) {
        Map<Long, Waiting> byTime = waiting.get(key);
        Waiting events = byTime == null ? null : byTime.remove(time);
        if (events == null) {
            return null;
        }
        if (byTime.isEmpty()) {
            waiting.remove(key);
        }
        if (events.written > 0) {
            state.at(time).clear();
        }
        return events.events;
    }

    /** Writes what keyed state does not hold yet, before the backend's snapshot. */
    void snapshot() throws Exception {
        Object current = backend.currentKey();
        for (Map.Entry<Object, Map<Long, Waiting>> byTime : waiting.entrySet()) {
            for (Map.Entry<Long, Waiting> atTime : byTime.getValue().entrySet()) {
                Waiting events = atTime.getValue();
                if (events.written < events.events.size()) {
                    backend.setCurrentKey(byTime.getKey());
                    state.at(atTime.getKey())
                            .addAll(events.events.subList(events.written, events.events.size()));
                    events.written = events.events.size();
                }
            }
        }
        if (current != null) {
            backend.setCurrentKey(current);
        }
    }

    /** After a restore: the events the checkpoint held, back on the heap. */
    void restore() throws Exception {
        List<Tuple2<Object, Long>> keysAndTimes = backend.keysAndNamespaces(STATE);
        for (Tuple2<Object, Long> keyAndTime : keysAndTimes) {
            backend.setCurrentKey(keyAndTime.f0);
            Iterable<Envelope> events = state.at(keyAndTime.f1).get();
            if (events != null) {
                Waiting restored = waiting(keyAndTime.f0, keyAndTime.f1);
                events.forEach(restored.events::add);
                restored.written = restored.events.size();
            }
        }
    }

    /** How many keys have events waiting. */
    int keys() {
        return waiting.size();
    }

    private Waiting waiting(Object key, long time) {
        return waiting.computeIfAbsent(key, k -> new HashMap<>())
                .computeIfAbsent(time, t -> new Waiting());
    }
}
