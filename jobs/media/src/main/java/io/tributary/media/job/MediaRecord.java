package io.tributary.media.job;

import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.media.MediaEvent;

/**
 * A media event as the pipeline operators receive it: decoded, and with the raw record it was read
 * from, so an event the state machine refuses can still be dead-lettered byte for byte.
 */
public class MediaRecord {
    public RawRecord raw;
    public Envelope event;

    public MediaRecord() {}

    public MediaRecord(RawRecord raw, Envelope event) {
        this.raw = raw;
        this.event = event;
    }

    /**
     * A decision of the pipeline fed on to its next stage. It was never read from Kafka; its raw
     * record names the pipeline and carries no bytes.
     */
    public static MediaRecord derived(Envelope event) {
        long time = event.getEventTime().toEpochMilli();
        return new MediaRecord(
                new RawRecord(PipelineEvents.PRODUCER, -1, -1, time, null, null), event);
    }

    public MediaEvent media() {
        return (MediaEvent) event.getPayload();
    }

    public long time() {
        return event.getEventTime().toEpochMilli();
    }
}
