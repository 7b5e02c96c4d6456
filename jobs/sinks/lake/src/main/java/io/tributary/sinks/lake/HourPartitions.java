package io.tributary.sinks.lake;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Hive-style partitions by the record's own time in UTC, {@code
 * event_date=2026-03-01/event_hour=10}, which DuckDB, Spark and Trino all read as partition columns
 * (and prune on).
 */
public final class HourPartitions<T> implements BucketAssigner<T, String> {
    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter PARTITION =
            DateTimeFormatter.ofPattern("'event_date='yyyy-MM-dd'/event_hour='HH")
                    .withZone(ZoneOffset.UTC);

    private final SerializableFunction<T, Instant> time;

    public HourPartitions(SerializableFunction<T, Instant> time) {
        this.time = time;
    }

    public static String partitionOf(Instant time) {
        return PARTITION.format(time);
    }

    @Override
    public String getBucketId(T record, Context context) {
        return partitionOf(time.apply(record));
    }

    @Override
    public SimpleVersionedSerializer<String> getSerializer() {
        return SimpleVersionedStringSerializer.INSTANCE;
    }
}
