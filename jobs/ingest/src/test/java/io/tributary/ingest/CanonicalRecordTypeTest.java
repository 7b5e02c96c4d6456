package io.tributary.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jobs.kafka.RawRecord;
import io.tributary.jobs.types.SerializerTypeInfo;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CanonicalRecordTypeTest {
    private final TypeSerializer<CanonicalRecord> serializer =
            TypeInformation.of(CanonicalRecord.class).createSerializer(new SerializerConfigImpl());

    @Test
    void flinksTypeExtractionFindsTheHandWrittenSerializer() {
        assertThat(TypeInformation.of(CanonicalRecord.class))
                .isInstanceOf(SerializerTypeInfo.class);
        assertThat(serializer).isSameAs(CanonicalRecordType.Serializer.INSTANCE);
    }

    @Property(tries = 500)
    void everyRecordSurvivesTheShuffleAndACopyUnchanged(@ForAll("records") CanonicalRecord record)
            throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(record, out);
        serializer.serialize(record, out);
        DataInputDeserializer in =
                new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());

        assertThat(serializer.deserialize(in)).usingRecursiveComparison().isEqualTo(record);
        assertThat(serializer.deserialize(serializer.createInstance(), in))
                .usingRecursiveComparison()
                .isEqualTo(record);
        assertThat(in.available()).isZero();
        CanonicalRecord copy = serializer.copy(record);
        assertThat(copy).usingRecursiveComparison().isEqualTo(record);
        if (record.envelopeAvro != null && record.envelopeAvro.length > 0) {
            assertThat(copy.envelopeAvro).isNotSameAs(record.envelopeAvro);
        }
    }

    @Test
    void itsSnapshotRestoresTheSameSerializer() {
        var snapshot = serializer.snapshotConfiguration();
        assertThat(snapshot.restoreSerializer()).isSameAs(serializer);
        assertThat(
                        snapshot.resolveSchemaCompatibility(serializer.snapshotConfiguration())
                                .isCompatibleAsIs())
                .isTrue();
    }

    @Provide
    Arbitrary<CanonicalRecord> records() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40).injectNull(0.1);
        Arbitrary<byte[]> bytes =
                Arbitraries.bytes().array(byte[].class).ofMaxSize(600).injectNull(0.1);
        Arbitrary<RawRecord> raw =
                Combinators.combine(
                                text,
                                Arbitraries.integers(),
                                Arbitraries.longs(),
                                Arbitraries.longs(),
                                bytes,
                                bytes)
                        .as(RawRecord::new)
                        .injectNull(0.2);
        return Combinators.combine(
                        text, text, bytes, Arbitraries.longs(), bytes, Arbitraries.longs(), raw)
                .as(
                        (eventId, topic, key, eventTime, avro, fingerprint, rawRecord) -> {
                            CanonicalRecord record =
                                    new CanonicalRecord(
                                            eventId, topic, key, eventTime, avro, fingerprint);
                            record.raw = rawRecord;
                            return record;
                        });
    }
}
