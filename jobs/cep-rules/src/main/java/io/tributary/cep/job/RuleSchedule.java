package io.tributary.cep.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Which rule set judges an event time: each revision from its effective time until the next one's.
 * A revision is retired once the watermark has passed the next one's effective time, as no event or
 * timer before it can come any more.
 *
 * @param <R> what the caller keeps per revision
 */
final class RuleSchedule<R> {
    private final TreeMap<Long, Entry<R>> byEffectiveAt = new TreeMap<>();

    private record Entry<R>(long revision, R value) {}

    /**
     * Adds a revision unless it has one of that number or newer already.
     *
     * @return whether it was added
     */
    boolean add(long revision, long effectiveAt, R value) {
        if (revision <= newestRevision()) {
            return false;
        }
        // A newer revision effective no later than pending ones replaces them: it was published
        // after them, and a rule set is complete.
        byEffectiveAt.tailMap(effectiveAt, true).clear();
        byEffectiveAt.put(effectiveAt, new Entry<>(revision, value));
        return true;
    }

    /** The newest revision known, -1 when none. */
    long newestRevision() {
        long newest = -1;
        for (Entry<R> entry : byEffectiveAt.values()) {
            newest = Math.max(newest, entry.revision);
        }
        return newest;
    }

    /** What judges events of this time; null before the first revision. */
    R at(long time) {
        Map.Entry<Long, Entry<R>> entry = byEffectiveAt.floorEntry(time);
        return entry == null ? null : entry.getValue().value;
    }

    /** Whether no revision is known. */
    boolean isEmpty() {
        return byEffectiveAt.isEmpty();
    }

    /**
     * Drops the revisions that judge no time after the watermark, handing each to {@code retired}.
     */
    void retire(long watermark, Consumer<R> retired) {
        Map.Entry<Long, Entry<R>> current = byEffectiveAt.floorEntry(watermark + 1);
        if (current == null) {
            return;
        }
        Map<Long, Entry<R>> before = byEffectiveAt.headMap(current.getKey(), false);
        List<R> gone = new ArrayList<>();
        before.values().forEach(entry -> gone.add(entry.value));
        before.clear();
        gone.forEach(retired);
    }

    /** The numbers of the revisions still scheduled. */
    java.util.Set<Long> revisions() {
        java.util.Set<Long> numbers = new java.util.HashSet<>();
        byEffectiveAt.values().forEach(entry -> numbers.add(entry.revision));
        return numbers;
    }

    /** Every revision still scheduled, oldest first. */
    Collection<R> all() {
        List<R> values = new ArrayList<>();
        byEffectiveAt.values().forEach(entry -> values.add(entry.value));
        return values;
    }
}
