package io.tributary.ingest.dedup;

import io.tributary.ingest.CanonicalRecord;
import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.jobs.state.StateTtl;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Lets the first event of each id through and drops later copies of it (gateway retries, replays of
 * a raw topic). An id that comes back with a different body is not a copy: it goes to the dead
 * letters as {@link DeadLetterReason#EVENT_ID_CONFLICT}, so that a producer reusing ids is seen
 * instead of losing events silently.
 *
 * <p>Keyed by domain and event id ({@link CanonicalRecord#dedupKey()}); the state is the first
 * copy's {@link EnvelopeFingerprint}, which expires after {@code ttl}, so state stays bounded. The
 * job refuses a TTL shorter than the oldest event it accepts ({@code IngestOptions}), so a copy old
 * enough to be forgotten is also too old to be accepted again.
 *
 * <p>TTL rather than a timer per id: timers would double the state writes of the hottest operator
 * of the suite, and RocksDB's compaction filter drops expired entries for free.
 *
 * <p>Almost every event is new, and asking the state about a new id is a RocksDB point lookup that
 * finds nothing. {@link RecentKeys}, a filter in memory over the ids stored within the TTL, answers
 * those without the state; only its "maybe" (a copy, or a rare false positive) reads the state. The
 * filter is not checkpointed: it is rebuilt from the state's keys when the operator starts, so it
 * is right after a restore and after a change of parallelism alike. An operator rather than a
 * {@code KeyedProcessFunction} because only an operator can list its state's keys; the uid and
 * state are the same, so savepoints of the function restore into it.
 */
public final class DeduplicateByEventId extends AbstractStreamOperator<CanonicalRecord>
        implements OneInputStreamOperator<CanonicalRecord, CanonicalRecord> {
    private static final long serialVersionUID = 1L;
    static final String STATE = "first-fingerprint";

    private final Duration ttl;
    private final boolean filter;
    private final OutputTag<DeadLetter> deadLetters;
    private final String job;
    private transient ValueState<Long> firstFingerprint;
    private transient RecentKeys recent;
    private transient Counter duplicates;
    private transient Counter conflicts;
    private transient Counter eventsOut;
    private transient Counter stateReads;

    /**
     * @param filter whether to keep {@link RecentKeys}; without it every event reads the state
     */
    public DeduplicateByEventId(
            Duration ttl, boolean filter, OutputTag<DeadLetter> deadLetters, String job) {
        this.ttl = ttl;
        this.filter = filter;
        this.deadLetters = deadLetters;
        this.job = job;
        // Chained to the sink as the function's operator was: no serialization in between.
        this.chainingStrategy = ChainingStrategy.ALWAYS;
    }

    public static ValueStateDescriptor<Long> fingerprintDescriptor(Duration ttl) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>(STATE, Types.LONG);
        descriptor.enableTimeToLive(StateTtl.expireAfterWrite(ttl));
        return descriptor;
    }

    @Override
    public void open() throws Exception {
        super.open();
        firstFingerprint =
                getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        fingerprintDescriptor(ttl));
        if (filter) {
            long now = now();
            recent = new RecentKeys(ttl.toMillis(), now);
            // Expired ids not yet compacted away are added too: a "maybe" more, never a loss.
            try (Stream<Object> keys =
                    getKeyedStateBackend().getKeys(STATE, VoidNamespace.INSTANCE)) {
                keys.forEach(key -> recent.add(RecentKeys.hash((String) key), now));
            }
            getMetricGroup().gauge("recentKeysBytes", () -> recent.sizeInBytes());
        }
        duplicates = getMetricGroup().counter("duplicates");
        conflicts = getMetricGroup().counter("eventIdConflicts");
        eventsOut = getMetricGroup().counter("eventsOut");
        stateReads = getMetricGroup().counter("dedupStateReads");
    }

    @Override
    public void processElement(StreamRecord<CanonicalRecord> element) throws Exception {
        CanonicalRecord event = element.getValue();
        long hash = filter ? RecentKeys.hash((String) getCurrentKey()) : 0;
        long now = now();
        Long first = null;
        if (!filter || recent.mightContain(hash, now)) {
            stateReads.inc();
            first = firstFingerprint.value();
        }
        if (first == null) {
            firstFingerprint.update(event.fingerprint);
            if (filter) {
                recent.add(hash, now);
            }
            eventsOut.inc();
            output.collect(element);
        } else if (first == event.fingerprint) {
            duplicates.inc();
        } else {
            conflicts.inc();
            output.collect(
                    deadLetters,
                    new StreamRecord<>(
                            DeadLetters.of(
                                    event.raw,
                                    DeadLetterReason.EVENT_ID_CONFLICT,
                                    "event id "
                                            + DeadLetters.cut(event.eventId, 200)
                                            + " was already taken by a different "
                                            + event.topic
                                            + " event; ids must be unique, a copy must be identical",
                                    "eventId",
                                    job,
                                    Instant.ofEpochMilli(now)),
                            element.getTimestamp()));
        }
    }

    /** The clock of the state's TTL (system time), as the operator's processing time tells it. */
    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
