package io.tributary.cep.job;

import io.tributary.jobs.dedup.FirstCopyPerEventId;
import io.tributary.schemas.Envelope;
import java.time.Duration;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The low-latency profile's guard against judging an event twice. Reading canonical records
 * uncommitted, the job also sees the records of an ingest transaction that ingest later aborts;
 * ingest then replays the same events under the same event ids. Only the first copy of each event
 * id within the replay window goes on, so the window must cover ingest's checkpoint interval plus
 * the time it takes ingest to recover.
 *
 * <p>It runs before the late-event split: a replayed copy carries an event time the watermark may
 * already have passed, and it is not a late event but one already judged.
 */
public final class DropReplayedEvents {
    public static final String UID = "drop-replayed-events";

    /** The name of the state of event ids seen; part of the savepoint layout. */
    static final String STATE = "replayed-event-seen";

    private DropReplayedEvents() {}

    /** The events with every replayed copy within {@code replayWindow} dropped. */
    public static DataStream<Envelope> apply(DataStream<Envelope> events, Duration replayWindow) {
        return events.keyBy(new FirstCopyPerEventId.ByEventId())
                .process(new FirstCopyPerEventId(STATE, replayWindow))
                .uid(UID)
                .name("drop replayed events (by event id)");
    }
}
