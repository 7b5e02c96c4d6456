package io.tributary.jobs.deadletters;

import io.tributary.jobs.kafka.RawRecord;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Builds the dead letters of every job: why a record was refused, where it was read, and its
 * original bytes.
 *
 * <p>A dead letter must always fit on its topic, or the record it describes would have nowhere left
 * to go and the job would fail on it. Everything a record controls is therefore bounded: an
 * original key above {@link #MAX_ORIGINAL_KEY_BYTES} or value above {@link
 * #MAX_ORIGINAL_VALUE_BYTES} keeps its first bytes together with its full length and SHA-256 (the
 * source coordinates find the rest), and texts are cut at {@link #MAX_MESSAGE_CHARS}. A dead
 * letter's serialized size then stays below {@link #MAX_SERIALIZED_BYTES}, under the producer's and
 * the broker's default limit of 1 MiB.
 */
public final class DeadLetters {
    public static final int MAX_ORIGINAL_VALUE_BYTES = 512 * 1024;
    public static final int MAX_ORIGINAL_KEY_BYTES = 16 * 1024;
    public static final int MAX_MESSAGE_CHARS = 2_000;
    public static final int MAX_FIELD_CHARS = 200;
    public static final int MAX_NAME_CHARS = 1_000;

    /**
     * An upper bound of what {@link #of} builds, Avro-encoded; texts take at most 4 bytes a char.
     */
    public static final int MAX_SERIALIZED_BYTES =
            MAX_ORIGINAL_VALUE_BYTES
                    + MAX_ORIGINAL_KEY_BYTES
                    + 4 * (MAX_MESSAGE_CHARS + MAX_FIELD_CHARS + 2 * MAX_NAME_CHARS)
                    + 1024;

    private DeadLetters() {}

    public static DeadLetter of(
            RawRecord raw,
            DeadLetterReason reason,
            String message,
            String field,
            String job,
            Instant now) {
        return of(
                raw.topic,
                raw.partition,
                raw.offset,
                raw.timestamp,
                raw.key,
                raw.value,
                reason,
                message,
                field,
                job,
                now);
    }

    public static DeadLetter of(
            String sourceTopic,
            int sourcePartition,
            long sourceOffset,
            long sourceTimestamp,
            byte[] key,
            byte[] value,
            DeadLetterReason reason,
            String message,
            String field,
            String job,
            Instant now) {
        DeadLetter.Builder letter =
                DeadLetter.newBuilder()
                        .setReason(reason)
                        .setMessage(
                                cut(
                                        message == null || message.isEmpty()
                                                ? reason.name()
                                                : message,
                                        MAX_MESSAGE_CHARS))
                        .setField(field == null ? null : cut(field, MAX_FIELD_CHARS))
                        .setJob(cut(job, MAX_NAME_CHARS))
                        .setSourceTopic(cut(sourceTopic, MAX_NAME_CHARS))
                        .setSourcePartition(sourcePartition)
                        .setSourceOffset(sourceOffset)
                        .setSourceTimestamp(Instant.ofEpochMilli(sourceTimestamp))
                        .setDeadLetteredAt(now);
        if (key != null) {
            letter.setOriginalKey(
                    ByteBuffer.wrap(key, 0, Math.min(key.length, MAX_ORIGINAL_KEY_BYTES)).slice());
            if (key.length > MAX_ORIGINAL_KEY_BYTES) {
                letter.setOriginalKeySize(key.length).setOriginalKeySha256(sha256(key));
            }
        }
        if (value != null) {
            letter.setOriginalValue(
                    ByteBuffer.wrap(value, 0, Math.min(value.length, MAX_ORIGINAL_VALUE_BYTES))
                            .slice());
            if (value.length > MAX_ORIGINAL_VALUE_BYTES) {
                letter.setOriginalValueSize(value.length).setOriginalValueSha256(sha256(value));
            }
        }
        return letter.build();
    }

    /** The first {@code max} characters of a text, marked as cut and saying how long it was. */
    public static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        String suffix = "... (" + text.length() + " characters)";
        return text.substring(0, Math.max(0, max - suffix.length())) + suffix;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
