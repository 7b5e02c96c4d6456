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

    public MediaEvent media() {
        return (MediaEvent) event.getPayload();
    }

    public long time() {
        return event.getEventTime().toEpochMilli();
    }
}
