package io.tributary.sinks;

import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Dead letters of a sink job: the record's original bytes, where it was read, and why it was refused. */
public final class DeadLetters {
    private DeadLetters() {}

    public static DeadLetter of(RawRecord raw, DeadLetterReason reason, String message, String field, String job, Instant now) {
        return DeadLetter.newBuilder()
                .setReason(reason)
                .setMessage(message)
                .setField(field)
                .setJob(job)
                .setSourceTopic(raw.topic)
                .setSourcePartition(raw.partition)
                .setSourceOffset(raw.offset)
                .setSourceTimestamp(Instant.ofEpochMilli(raw.timestamp))
                .setDeadLetteredAt(now)
                .setOriginalKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
                .setOriginalValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
                .build();
    }
}
