package io.tributary.ingest.dedup;

import io.tributary.ingest.CanonicalRecord;
import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.jobs.state.StateTtl;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
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
 */
public final class DeduplicateByEventId
        extends KeyedProcessFunction<String, CanonicalRecord, CanonicalRecord> {
    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private final OutputTag<DeadLetter> deadLetters;
    private final String job;
    private transient ValueState<Long> firstFingerprint;
    private transient Counter duplicates;
    private transient Counter conflicts;
    private transient Counter eventsOut;

    public DeduplicateByEventId(Duration ttl, OutputTag<DeadLetter> deadLetters, String job) {
        this.ttl = ttl;
        this.deadLetters = deadLetters;
        this.job = job;
    }

    public static ValueStateDescriptor<Long> fingerprintDescriptor(Duration ttl) {
        ValueStateDescriptor<Long> descriptor =
                new ValueStateDescriptor<>("first-fingerprint", Types.LONG);
        descriptor.enableTimeToLive(StateTtl.expireAfterWrite(ttl));
        return descriptor;
    }

    @Override
    public void open(Configuration parameters) {
        firstFingerprint = getRuntimeContext().getState(fingerprintDescriptor(ttl));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
        conflicts = getRuntimeContext().getMetricGroup().counter("eventIdConflicts");
        eventsOut = getRuntimeContext().getMetricGroup().counter("eventsOut");
    }

    @Override
    public void processElement(CanonicalRecord event, Context ctx, Collector<CanonicalRecord> out)
            throws Exception {
        Long first = firstFingerprint.value();
        if (first == null) {
            firstFingerprint.update(event.fingerprint);
            eventsOut.inc();
            out.collect(event);
        } else if (first == event.fingerprint) {
            duplicates.inc();
        } else {
            conflicts.inc();
            ctx.output(
                    deadLetters,
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
                            Instant.ofEpochMilli(ctx.timerService().currentProcessingTime())));
        }
    }
}
