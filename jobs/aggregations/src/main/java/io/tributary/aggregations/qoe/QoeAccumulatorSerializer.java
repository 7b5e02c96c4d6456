package io.tributary.aggregations.qoe;

import java.io.IOException;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes the counters and the sketches in their own compact binary forms. Versioned through its
 * snapshot: a change of layout must bump {@link #VERSION} and read the old one.
 */
public final class QoeAccumulatorSerializer extends TypeSerializerSingleton<QoeAccumulator> {
    private static final long serialVersionUID = 1L;
    static final int VERSION = 1;
    public static final QoeAccumulatorSerializer INSTANCE = new QoeAccumulatorSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public QoeAccumulator createInstance() {
        return new QoeAccumulator();
    }

    @Override
    public QoeAccumulator copy(QoeAccumulator from) {
        return new QoeAccumulator().merge(from);
    }

    @Override
    public QoeAccumulator copy(QoeAccumulator from, QoeAccumulator reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(QoeAccumulator acc, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(acc.plays);
        out.writeLong(acc.playFailures);
        out.writeLong(acc.startupCount);
        out.writeDouble(acc.startupSumMs);
        out.writeLong(acc.rebufferCount);
        out.writeLong(acc.bufferingMs);
        out.writeLong(acc.heartbeats);
        out.writeLong(acc.heartbeatBitrateSumKbps);
        out.writeLong(acc.heartbeatsWithBitrate);
        out.writeLong(acc.bitrateSwitches);
        out.writeLong(acc.errors);
        writeBytes(acc.sessions.toCompactByteArray(), out);
        writeBytes(acc.startupTimes.toByteArray(), out);
    }

    @Override
    public QoeAccumulator deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != VERSION) {
            throw new IOException("Unknown QoE accumulator layout version " + version);
        }
        QoeAccumulator acc = new QoeAccumulator();
        acc.plays = in.readLong();
        acc.playFailures = in.readLong();
        acc.startupCount = in.readLong();
        acc.startupSumMs = in.readDouble();
        acc.rebufferCount = in.readLong();
        acc.bufferingMs = in.readLong();
        acc.heartbeats = in.readLong();
        acc.heartbeatBitrateSumKbps = in.readLong();
        acc.heartbeatsWithBitrate = in.readLong();
        acc.bitrateSwitches = in.readLong();
        acc.errors = in.readLong();
        acc.sessions = HllSketch.heapify(readBytes(in));
        acc.startupTimes = KllDoublesSketch.heapify(Memory.wrap(readBytes(in)));
        return acc;
    }

    @Override
    public QoeAccumulator deserialize(QoeAccumulator reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<QoeAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    private static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }

    /** Restores the serializer from savepoints. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<QoeAccumulator> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
