package io.tributary.testkit.traffic;

/**
 * One raw record as a gateway would send it, and what the generator meant it to be.
 *
 * @param eventId the event id for GOOD and DUPLICATE records, null for MALFORMED ones
 */
public record GeneratedRecord(String topic, byte[] key, byte[] value, Kind kind, String eventId) {
    public enum Kind {
        GOOD,
        DUPLICATE,
        MALFORMED
    }
}
