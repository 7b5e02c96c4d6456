package io.tributary.ingest;

import io.tributary.jobs.kafka.RawRecord;
import io.tributary.jobs.types.SerializerTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * How Flink moves a {@link CanonicalRecord} through the dedup shuffle: its fields written in a
 * fixed order, without the reflection of Flink's POJO serializer (whose field reads and writes were
 * a fifth of the dedup task's own time in JFR). The record is never kept in state, so the format
 * only has to agree between the two ends of one running job; it has a snapshot all the same, as
 * every serializer must.
 */
public final class CanonicalRecordType {
    private CanonicalRecordType() {}

    /** Found by Flink's type extraction through {@code @TypeInfo} on {@link CanonicalRecord}. */
    public static final class Factory extends TypeInfoFactory<CanonicalRecord> {
        @Override
        public TypeInformation<CanonicalRecord> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(CanonicalRecord.class, Serializer.INSTANCE);
        }
    }

    /** Field by field; a byte array or the raw record that is absent is written as length -1. */
    public static final class Serializer extends TypeSerializerSingleton<CanonicalRecord> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public CanonicalRecord createInstance() {
            return new CanonicalRecord();
        }

        @Override
        public CanonicalRecord copy(CanonicalRecord from) {
            CanonicalRecord copy =
                    new CanonicalRecord(
                            from.eventId,
                            from.topic,
                            clone(from.key),
                            from.eventTime,
                            clone(from.envelopeAvro),
                            from.fingerprint);
            if (from.raw != null) {
                RawRecord raw = from.raw;
                copy.raw =
                        new RawRecord(
                                raw.topic,
                                raw.partition,
                                raw.offset,
                                raw.timestamp,
                                clone(raw.key),
                                clone(raw.value));
            }
            return copy;
        }

        @Override
        public CanonicalRecord copy(CanonicalRecord from, CanonicalRecord reuse) {
            return copy(from);
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(CanonicalRecord record, DataOutputView out) throws IOException {
            StringValue.writeString(record.eventId, out);
            StringValue.writeString(record.topic, out);
            writeBytes(record.key, out);
            out.writeLong(record.eventTime);
            writeBytes(record.envelopeAvro, out);
            out.writeLong(record.fingerprint);
            RawRecord raw = record.raw;
            out.writeBoolean(raw != null);
            if (raw != null) {
                StringValue.writeString(raw.topic, out);
                out.writeInt(raw.partition);
                out.writeLong(raw.offset);
                out.writeLong(raw.timestamp);
                writeBytes(raw.key, out);
                writeBytes(raw.value, out);
            }
        }

        @Override
        public CanonicalRecord deserialize(DataInputView in) throws IOException {
            CanonicalRecord record = new CanonicalRecord();
            record.eventId = StringValue.readString(in);
            record.topic = StringValue.readString(in);
            record.key = readBytes(in);
            record.eventTime = in.readLong();
            record.envelopeAvro = readBytes(in);
            record.fingerprint = in.readLong();
            if (in.readBoolean()) {
                record.raw =
                        new RawRecord(
                                StringValue.readString(in),
                                in.readInt(),
                                in.readLong(),
                                in.readLong(),
                                readBytes(in),
                                readBytes(in));
            }
            return record;
        }

        @Override
        public CanonicalRecord deserialize(CanonicalRecord reuse, DataInputView in)
                throws IOException {
            return deserialize(in);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            serialize(deserialize(source), target);
        }

        @Override
        public TypeSerializerSnapshot<CanonicalRecord> snapshotConfiguration() {
            return new Snapshot();
        }

        private static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
            if (bytes == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }

        private static byte[] readBytes(DataInputView in) throws IOException {
            int length = in.readInt();
            if (length < 0) {
                return null;
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            return bytes;
        }

        private static byte[] clone(byte[] bytes) {
            return bytes == null ? null : bytes.clone();
        }
    }

    /** Restores the one serializer there is. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CanonicalRecord> {
        public Snapshot() {
            super(() -> Serializer.INSTANCE);
        }
    }
}
