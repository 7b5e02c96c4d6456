package io.tributary.jobs.validate;

import static io.tributary.schemas.DeadLetterReason.INVALID_UTF8;
import static io.tributary.schemas.DeadLetterReason.MALFORMED_AVRO;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;

/**
 * Walks Avro binary data along its writer schema without building anything, before Avro's own
 * reader sees it. Avro's reader allocates what a length prefix or block count claims before it
 * finds out the bytes are not there: a 20-byte record claiming a 2 GB string exhausts the heap.
 * After this walk every length fits in the bytes present, every collection is bounded by them,
 * every string is strict UTF-8 (Avro's reader would silently replace bad bytes, so two distinct ids
 * could become one), every enum and union index exists, nesting is bounded, and the datum ends
 * exactly where the record does.
 *
 * <p>Not thread-safe; one walk at a time.
 */
public final class AvroBounds {
    static final int MAX_DEPTH = 32;

    /** Items of a zero-byte type (null) cost no bytes; bound them separately. */
    static final int MAX_ZERO_SIZE_ITEMS = 1_024;

    private final byte[] bytes;
    private final int end;
    private int pos;
    private int zeroSizeItems;

    private AvroBounds(byte[] bytes, int from, int to) {
        this.bytes = bytes;
        this.pos = from;
        this.end = to;
    }

    /**
     * @throws Rejection if {@code bytes[from, to)} is not exactly one datum of {@code schema}
     */
    public static void check(Schema schema, byte[] bytes, int from, int to) throws Rejection {
        AvroBounds walk = new AvroBounds(bytes, from, to);
        walk.datum(schema, 0);
        if (walk.pos != to) {
            throw Rejection.of(
                    MALFORMED_AVRO,
                    (to - walk.pos) + " bytes follow the Avro record; a record holds exactly one");
        }
    }

    private void datum(Schema schema, int depth) throws Rejection {
        if (depth > MAX_DEPTH) {
            throw Rejection.of(
                    MALFORMED_AVRO, "the Avro record nests deeper than " + MAX_DEPTH + " levels");
        }
        switch (schema.getType()) {
            case NULL -> {}
            case BOOLEAN -> skip(1);
            case INT, LONG -> varLong();
            case FLOAT -> skip(4);
            case DOUBLE -> skip(8);
            case FIXED -> skip(schema.getFixedSize());
            case ENUM -> index(schema.getEnumSymbols().size(), "enum symbol");
            case STRING -> string();
            case BYTES -> skip(length());
            case RECORD -> {
                for (Schema.Field field : schema.getFields()) {
                    datum(field.schema(), depth + 1);
                }
            }
            case UNION ->
                    datum(
                            schema.getTypes().get(index(schema.getTypes().size(), "union branch")),
                            depth + 1);
            case ARRAY -> blocks(schema.getElementType(), false, depth);
            case MAP -> blocks(schema.getValueType(), true, depth);
        }
    }

    private void blocks(Schema item, boolean withKeys, int depth) throws Rejection {
        while (true) {
            long count = varLong();
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count;
                varLong(); // the block's size in bytes, which a reader may use to skip it
            }
            if (count > end - pos) {
                zeroSizeItems += (int) Math.min(count, Integer.MAX_VALUE);
                if (withKeys || zeroSizeItems > MAX_ZERO_SIZE_ITEMS || count > Integer.MAX_VALUE) {
                    throw Rejection.of(
                            MALFORMED_AVRO,
                            "an Avro block claims "
                                    + count
                                    + " items in "
                                    + (end - pos)
                                    + " bytes");
                }
            }
            for (long i = 0; i < count; i++) {
                if (withKeys) {
                    string();
                }
                datum(item, depth + 1);
            }
        }
    }

    private int index(int size, String what) throws Rejection {
        long index = varLong();
        if (index < 0 || index >= size) {
            throw Rejection.of(
                    MALFORMED_AVRO,
                    "Avro " + what + " " + index + " does not exist (" + size + " known)");
        }
        return (int) index;
    }

    private void string() throws Rejection {
        int length = length();
        int from = pos;
        skip(length);
        for (int i = from; i < from + length; i++) {
            if (bytes[i] < 0) {
                try {
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes, from, length));
                } catch (CharacterCodingException e) {
                    throw Rejection.of(INVALID_UTF8, "an Avro string is not valid UTF-8");
                }
                return;
            }
        }
    }

    private int length() throws Rejection {
        long length = varLong();
        if (length < 0 || length > end - pos) {
            throw Rejection.of(
                    MALFORMED_AVRO,
                    "an Avro length prefix claims "
                            + length
                            + " bytes where "
                            + (end - pos)
                            + " remain");
        }
        return (int) length;
    }

    private void skip(int n) throws Rejection {
        if (n > end - pos) {
            throw Rejection.of(MALFORMED_AVRO, "the Avro record ends early");
        }
        pos += n;
    }

    /** Avro's zig-zag varint: at most 10 bytes. */
    private long varLong() throws Rejection {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= end) {
                throw Rejection.of(MALFORMED_AVRO, "the Avro record ends early");
            }
            int b = bytes[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw Rejection.of(MALFORMED_AVRO, "an Avro number is longer than 10 bytes");
    }
}
