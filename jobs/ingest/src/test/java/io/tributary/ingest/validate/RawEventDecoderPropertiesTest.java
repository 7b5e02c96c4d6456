package io.tributary.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.ingest.kafka.CanonicalTopics;
import io.tributary.ingest.kafka.EnvelopeEncoder;
import io.tributary.jobs.deadletters.DeadLetters;
import io.tributary.jobs.validate.Rejection;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.Topics;
import io.tributary.schemas.registry.ConfluentWireFormat;
import io.tributary.schemas.registry.SchemaRegistryClient.UnsupportedSchemaException;
import io.tributary.schemas.registry.UnknownSchemaIdException;
import io.tributary.testkit.traffic.GeneratedRecord;
import io.tributary.testkit.traffic.TrafficGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * What the decoder promises for any input, checked on arbitrary bytes and on mutations of valid
 * JSON and Avro records: it returns an envelope or a {@link Rejection} and never throws anything
 * else; it allocates at most a bounded multiple of the record; an envelope it returns passes the
 * validator and survives Avro encoding unchanged (nothing is altered on the way); and the dead
 * letter of a rejected record serializes below the dead-letter producer's limit.
 */
class RawEventDecoderPropertiesTest {
    private static final int ENVELOPE_SCHEMA_ID = 7;
    private static final int JSON_SCHEMA_ID = 8;

    /**
     * Decoding may allocate this much plus a multiple of the record; Avro's reader and Jackson
     * buffer.
     */
    private static final long ALLOCATION_ALLOWANCE = 4L << 20;

    private static final int ALLOCATION_PER_RECORD_BYTE = 64;

    private final long now = System.currentTimeMillis();
    private final RecordOrigin origin = new RecordOrigin(Topics.RAW_PLAYER, 0, 1, now);
    private final RawEventDecoder decoder =
            new RawEventDecoder(
                    IngestLimits.DEFAULTS,
                    id -> {
                        if (id == ENVELOPE_SCHEMA_ID) {
                            return Envelope.getClassSchema();
                        }
                        if (id == JSON_SCHEMA_ID) {
                            throw new UnsupportedSchemaException(id, "is a JSON schema, not Avro");
                        }
                        throw new UnknownSchemaIdException(id);
                    });

    @Property(tries = 2_000)
    void arbitraryBytesAreAnEnvelopeOrARejection(
            @ForAll("anyBytes") byte[] key, @ForAll("anyBytes") byte[] value) {
        decodesSafely(key, value);
    }

    @Property(tries = 3_000)
    void mutatedJsonIsAnEnvelopeOrARejection(@ForAll("mutatedJson") byte[] value) {
        decodesSafely("k-1".getBytes(StandardCharsets.UTF_8), value);
    }

    @Property(tries = 3_000)
    void mutatedAvroIsAnEnvelopeOrARejection(@ForAll("mutatedAvro") byte[] value) {
        decodesSafely("k-1".getBytes(StandardCharsets.UTF_8), value);
    }

    @Property(tries = 1_000)
    void jsonWithHostileValuesIsAnEnvelopeOrARejection(
            @ForAll("jsonWithHostileValue") byte[] value) {
        decodesSafely("k-1".getBytes(StandardCharsets.UTF_8), value);
    }

    private void decodesSafely(byte[] key, byte[] value) {
        long before = allocatedBytes();
        Envelope envelope = null;
        Rejection rejection = null;
        try {
            envelope = decoder.decode(key, value, origin);
        } catch (Rejection r) {
            rejection = r;
        }
        long allocated = allocatedBytes() - before;
        int size = (value == null ? 0 : value.length) + (key == null ? 0 : key.length);
        assertThat(allocated)
                .as("bytes allocated to decode %d bytes", size)
                .isLessThan(ALLOCATION_ALLOWANCE + (long) ALLOCATION_PER_RECORD_BYTE * size);
        if (envelope != null) {
            assertUnalteredByAvro(envelope);
        } else {
            assertThat(rejection.reason()).isNotNull();
            assertThat(rejection.getMessage())
                    .isNotBlank()
                    .hasSizeLessThan(DeadLetters.MAX_MESSAGE_CHARS);
            DeadLetter letter =
                    DeadLetters.of(
                            Topics.RAW_PLAYER,
                            0,
                            1,
                            now,
                            key,
                            value,
                            rejection.reason(),
                            rejection.getMessage(),
                            rejection.field(),
                            "tributary-ingest",
                            Instant.ofEpochMilli(now));
            assertThat(avro(letter).length).isLessThanOrEqualTo(DeadLetters.MAX_SERIALIZED_BYTES);
        }
    }

    /** An accepted envelope must read back from its Avro encoding exactly as it was accepted. */
    private static void assertUnalteredByAvro(Envelope envelope) {
        byte[] encoded =
                new EnvelopeEncoder(CanonicalTopics.DEFAULTS).encode(envelope).envelopeAvro;
        try {
            BinaryDecoder in = DecoderFactory.get().binaryDecoder(encoded, null);
            Envelope back = new SpecificDatumReader<>(Envelope.class).read(null, in);
            assertThat(back).isEqualTo(envelope);
            assertThat(back.toString()).isEqualTo(envelope.toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.just(null),
                // A Confluent header with an arbitrary schema id and body.
                Combinators.combine(
                                Arbitraries.of(ENVELOPE_SCHEMA_ID, JSON_SCHEMA_ID, -1, 0, 123456),
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
                        .as((id, body) -> concat(ConfluentWireFormat.header(id), body)));
    }

    @Provide
    Arbitrary<byte[]> mutatedJson() {
        return mutationsOf(validJson());
    }

    @Provide
    Arbitrary<byte[]> mutatedAvro() {
        List<byte[]> avro = new ArrayList<>();
        for (byte[] json : validJson()) {
            try {
                Envelope envelope =
                        decoder.decode("k".getBytes(StandardCharsets.UTF_8), json, origin);
                avro.add(concat(ConfluentWireFormat.header(ENVELOPE_SCHEMA_ID), avro(envelope)));
            } catch (Rejection e) {
                throw new AssertionError(
                        "the generator's good event was refused: " + e.getMessage(), e);
            }
        }
        return mutationsOf(avro);
    }

    /** A valid event with one field's value replaced by something hostile. */
    @Provide
    Arbitrary<byte[]> jsonWithHostileValue() {
        List<byte[]> valid = validJson();
        Arbitrary<String> hostile =
                Arbitraries.oneOf(
                        Arbitraries.of(
                                "\"\\ud800\"",
                                "\"a\\udc00b\"",
                                "\"\\u0000\"",
                                "\"1e2000000\"",
                                "1e2000000",
                                "-1e-2000000",
                                "\"+1000000000-12-31T23:59:59Z\"",
                                "\"-999999999-01-01T00:00:00Z\"",
                                "9223372036854775807",
                                "-9223372036854775808",
                                "18446744073709551616",
                                "NaN",
                                "\"NaN\"",
                                "Infinity",
                                "1.7976931348623157E309",
                                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
                                "{}",
                                "[]",
                                "null",
                                "true",
                                "\"..\"",
                                "\"../../etc/passwd\"",
                                "\"a/b\"",
                                "\" \"",
                                "\"\"",
                                "-1",
                                "0",
                                "1e400"),
                        Arbitraries.strings()
                                .all()
                                .ofMaxLength(300)
                                .map(RawEventDecoderPropertiesTest::jsonString),
                        Arbitraries.longs().map(String::valueOf),
                        Arbitraries.doubles().map(String::valueOf));
        return Combinators.combine(
                        Arbitraries.of(valid), hostile, Arbitraries.integers().between(0, 40))
                .as(RawEventDecoderPropertiesTest::replaceValue);
    }

    private Arbitrary<byte[]> mutationsOf(List<byte[]> valid) {
        Arbitrary<Mutation> mutation =
                Combinators.combine(
                                Arbitraries.integers().between(0, 6),
                                Arbitraries.integers().between(0, Integer.MAX_VALUE),
                                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(12))
                        .as(Mutation::new);
        return Combinators.combine(Arbitraries.of(valid), mutation.list().ofMinSize(1).ofMaxSize(4))
                .as(
                        (bytes, mutations) -> {
                            byte[] out = bytes.clone();
                            for (Mutation m : mutations) {
                                out = m.apply(out);
                            }
                            return out;
                        });
    }

    private record Mutation(int kind, int position, byte[] bytes) {
        byte[] apply(byte[] in) {
            if (in.length == 0) {
                return bytes;
            }
            int at = position % in.length;
            return switch (kind) {
                case 0 -> { // overwrite
                    byte[] out = in.clone();
                    for (int i = 0; i < bytes.length && at + i < out.length; i++) {
                        out[at + i] = bytes[i];
                    }
                    yield out;
                }
                case 1 ->
                        concat(
                                concat(java.util.Arrays.copyOf(in, at), bytes),
                                java.util.Arrays.copyOfRange(in, at, in.length));
                case 2 ->
                        concat(
                                java.util.Arrays.copyOf(in, at),
                                java.util.Arrays.copyOfRange(
                                        in, Math.min(in.length, at + bytes.length), in.length));
                case 3 -> java.util.Arrays.copyOf(in, at); // truncate
                case 4 ->
                        concat(
                                in,
                                java.util.Arrays.copyOfRange(in, at, in.length)); // trailing copy
                case 5 -> { // a varint claiming a huge length, where Avro expects a length
                    byte[] out = in.clone();
                    byte[] huge = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
                    System.arraycopy(huge, 0, out, at, Math.min(huge.length, out.length - at));
                    yield out;
                }
                default -> { // flip one bit
                    byte[] out = in.clone();
                    out[at] ^= (byte) (1 << (bytes[0] & 7));
                    yield out;
                }
            };
        }
    }

    private List<byte[]> validJson() {
        TrafficGenerator generator = new TrafficGenerator(11, () -> now, 0, 0);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            GeneratedRecord record = generator.nextGood();
            values.add(record.value());
        }
        return values;
    }

    /** Replaces the value of the n-th field (modulo the field count) in a flat JSON object. */
    private static byte[] replaceValue(byte[] json, String value, int n) {
        String text = new String(json, StandardCharsets.UTF_8);
        List<int[]> values = new ArrayList<>();
        boolean inString = false;
        int valueStart = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                inString = !inString;
            } else if (!inString && c == ':') {
                valueStart = i + 1;
            } else if (!inString && (c == ',' || c == '}') && valueStart >= 0) {
                values.add(new int[] {valueStart, i});
                valueStart = -1;
            }
        }
        int[] span = values.get(n % values.size());
        return (text.substring(0, span[0]) + value + text.substring(span[1]))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\' || c < 0x20 || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static byte[] avro(org.apache.avro.specific.SpecificRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(record.getSchema()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }
}
