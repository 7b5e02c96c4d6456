package io.tributary.sinks.warehouse;

import java.io.Serializable;
import org.apache.flink.util.function.SerializableFunction;

/**
 * One column of a warehouse table and where its value comes from in a record.
 *
 * @param maxLength for text columns, the declared varchar length (0: unbounded); the sink checks it
 *     before writing and a test checks it against the migrated table
 */
public record Column<T>(
        String name, ColumnType type, int maxLength, SerializableFunction<T, Object> value)
        implements Serializable {

    public static <T> Column<T> text(
            String name, int maxLength, SerializableFunction<T, Object> value) {
        return new Column<>(name, ColumnType.TEXT, maxLength, value);
    }

    public static <T> Column<T> of(
            String name, ColumnType type, SerializableFunction<T, Object> value) {
        return new Column<>(name, type, 0, value);
    }
}
