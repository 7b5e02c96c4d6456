package io.tributary.sinks.warehouse;

import io.tributary.jobs.deadletters.RecordCheck;
import io.tributary.sinks.Checks;
import java.io.Serializable;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * How the records of one stream become rows of one table: its columns, its natural key, and which
 * of two rows for the same key is newer. From that it derives the upsert, the statement binding,
 * and the check of what the columns can hold, so the three cannot disagree.
 *
 * <p>Writes are at least once (the sink flushes on every checkpoint and a restart replays from the
 * last one); the upsert makes a replayed row a no-op: same key and same revision changes nothing,
 * an older revision never overwrites a newer one, whatever order subtasks write in.
 *
 * @param newerWhen SQL condition over {@code t} (the stored row) and {@code excluded} (the new one)
 *     under which the new row replaces the stored one; null: rows never change once stored
 */
public record TableSpec<T>(
        String table, Class<T> type, List<String> key, List<Column<T>> columns, String newerWhen)
        implements Serializable {

    public String upsertSql() {
        String names = columns.stream().map(Column::name).collect(Collectors.joining(", "));
        String values =
                columns.stream().map(c -> c.type().placeholder).collect(Collectors.joining(", "));
        String insert =
                "INSERT INTO "
                        + table
                        + " AS t ("
                        + names
                        + ") VALUES ("
                        + values
                        + ")"
                        + " ON CONFLICT ("
                        + String.join(", ", key)
                        + ")";
        if (newerWhen == null) {
            return insert + " DO NOTHING";
        }
        String updates =
                columns.stream()
                        .filter(c -> !key.contains(c.name()))
                        .map(c -> c.name() + " = excluded." + c.name())
                        .collect(Collectors.joining(", "));
        return insert + " DO UPDATE SET " + updates + " WHERE " + newerWhen;
    }

    public JdbcStatementBuilder<T> binder() {
        List<Column<T>> bound = columns;
        return (statement, record) -> {
            for (int i = 0; i < bound.size(); i++) {
                bind(statement, i + 1, bound.get(i), bound.get(i).value().apply(record));
            }
        };
    }

    /** Rejects values the columns cannot hold, before the database does it for a whole batch. */
    public RecordCheck<T> check() {
        List<Column<T>> checked = columns;
        return record -> {
            Checks checks = Checks.of();
            for (Column<T> column : checked) {
                Object value = column.value().apply(record);
                switch (column.type()) {
                    case TEXT ->
                            checks.text(
                                    column.name(),
                                    (CharSequence) value,
                                    column.maxLength() == 0
                                            ? Integer.MAX_VALUE
                                            : column.maxLength());
                    case TEXT_ARRAY ->
                            checks.texts(column.name(), asStrings(value), Integer.MAX_VALUE);
                    case DOUBLE -> checks.finite(column.name(), (Double) value);
                    case TIMESTAMP -> checks.time(column.name(), (Instant) value);
                    case UUID -> checks.uuid(column.name(), (CharSequence) value);
                    // jsonb refuses the escaped NUL that a JSON writer makes of one.
                    case JSONB ->
                            checks.text(
                                    column.name(),
                                    value == null
                                            ? null
                                            : value.toString().replace("\\u0000", "\0"),
                                    Integer.MAX_VALUE);
                    default -> {}
                }
            }
            return checks.first();
        };
    }

    private static void bind(PreparedStatement statement, int index, Column<?> column, Object value)
            throws SQLException {
        if (value == null) {
            statement.setNull(index, sqlType(column.type()));
            return;
        }
        switch (column.type()) {
            case TEXT, UUID, JSONB -> statement.setString(index, value.toString());
            case INTEGER -> statement.setInt(index, ((Number) value).intValue());
            case BIGINT -> statement.setLong(index, ((Number) value).longValue());
            case DOUBLE -> statement.setDouble(index, ((Number) value).doubleValue());
            case BOOLEAN -> statement.setBoolean(index, (Boolean) value);
            case TIMESTAMP ->
                    statement.setObject(
                            index, OffsetDateTime.ofInstant((Instant) value, ZoneOffset.UTC));
            case BYTEA -> statement.setBytes(index, (byte[]) value);
            case TEXT_ARRAY -> {
                Array array =
                        statement.getConnection().createArrayOf("text", asStrings(value).toArray());
                statement.setArray(index, array);
            }
        }
    }

    private static List<String> asStrings(Object value) {
        if (value == null) {
            return List.of();
        }
        List<String> strings = new ArrayList<>();
        for (Object item : (Collection<?>) value) {
            strings.add(item.toString());
        }
        return strings;
    }

    private static int sqlType(ColumnType type) {
        return switch (type) {
            case TEXT, UUID, JSONB -> Types.VARCHAR;
            case INTEGER -> Types.INTEGER;
            case BIGINT -> Types.BIGINT;
            case DOUBLE -> Types.DOUBLE;
            case BOOLEAN -> Types.BOOLEAN;
            case TIMESTAMP -> Types.TIMESTAMP_WITH_TIMEZONE;
            case BYTEA -> Types.BINARY;
            case TEXT_ARRAY -> Types.ARRAY;
        };
    }
}
