package io.tributary.ingest.dedup;

/**
 * A 64-bit hash of what an event says, read from its encoded {@link io.tributary.schemas.Envelope}:
 * every field but {@code ingestTime} and {@code origin}, which say where and when one copy was read
 * and so differ between a retry and its original. Two copies of one event have the same
 * fingerprint; an event id reused for a different event almost surely has another.
 *
 * <p>Reads the Avro binary layout of the Envelope's leading fields (eventId, eventType, domain,
 * eventTime, ingestTime, producer, origin) and hashes the rest whole, so fields added to the
 * payload later are part of the fingerprint without a change here. {@code EnvelopeFingerprintTest}
 * pins the layout against the schema.
 */
public final class EnvelopeFingerprint {
    private static final long SEED = 0x9E3779B97F4A7C15L;
    private static final long MULTIPLIER = 0xC2B2AE3D27D4EB4FL;

    private final byte[] bytes;
    private int pos;

    private EnvelopeFingerprint(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * @param envelopeAvro the Avro binary of one Envelope, without a wire-format header
     */
    public static long of(byte[] envelopeAvro) {
        EnvelopeFingerprint reader = new EnvelopeFingerprint(envelopeAvro);
        reader.skipString(); // eventId: the key the fingerprint is compared under
        int typeStart = reader.pos;
        reader.skipVarint(); // eventType
        reader.skipVarint(); // domain
        reader.skipVarint(); // eventTime
        int typeEnd = reader.pos;
        reader.skipVarint(); // ingestTime
        int producerStart = reader.pos;
        reader.skipString();
        int producerEnd = reader.pos;
        reader.skipString(); // origin.topic
        reader.skipVarint(); // origin.partition
        reader.skipVarint(); // origin.offset
        long hash = hash(SEED, envelopeAvro, typeStart, typeEnd);
        hash = hash(hash, envelopeAvro, producerStart, producerEnd);
        return mix(hash(hash, envelopeAvro, reader.pos, envelopeAvro.length));
    }

    private void skipString() {
        long length = readVarint();
        pos += (int) length;
    }

    private void skipVarint() {
        readVarint();
    }

    private long readVarint() {
        long raw = 0;
        for (int shift = 0; ; shift += 7) {
            int b = bytes[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
    }

    private static long hash(long seed, byte[] bytes, int from, int to) {
        long h = seed ^ ((to - from) * MULTIPLIER);
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = 0;
            for (int j = 7; j >= 0; j--) {
                word = (word << 8) | (bytes[i + j] & 0xff);
            }
            h = Long.rotateLeft(h ^ mix(word), 27) * MULTIPLIER + 0x52DCE729L;
        }
        for (; i < to; i++) {
            h = Long.rotateLeft(h ^ ((bytes[i] & 0xff) * SEED), 11) * MULTIPLIER;
        }
        return h;
    }

    /** MurmurHash3's 64-bit finaliser. */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        k ^= k >>> 33;
        return k;
    }
}
