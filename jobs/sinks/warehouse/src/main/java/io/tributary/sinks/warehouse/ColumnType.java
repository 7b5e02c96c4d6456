package io.tributary.sinks.warehouse;

/**
 * How a value is bound to a statement, and the placeholder that casts it where PostgreSQL needs
 * that.
 */
public enum ColumnType {
    TEXT("?"),
    INTEGER("?"),
    BIGINT("?"),
    DOUBLE("?"),
    BOOLEAN("?"),
    TIMESTAMP("?"),
    UUID("?::uuid"),
    JSONB("?::jsonb"),
    TEXT_ARRAY("?"),
    BYTEA("?");

    final String placeholder;

    ColumnType(String placeholder) {
        this.placeholder = placeholder;
    }
}
