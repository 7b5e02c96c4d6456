package io.tributary.sinks.warehouse;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and migrates the warehouse schema with Flyway from the versioned scripts in {@code
 * db/migration} (this module's resources). The job runs it before it starts, so a new build's
 * tables are in place before its first write; running it twice changes nothing.
 */
public final class WarehouseMigrations {
    private WarehouseMigrations() {}

    /** The same database, TLS settings and credentials as the sinks. */
    public static MigrateResult migrate(DatabaseConnection database) {
        return migrate(database.url(), database.user(), database.password());
    }

    public static MigrateResult migrate(String jdbcUrl, String user, String password) {
        return Flyway.configure(WarehouseMigrations.class.getClassLoader())
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }
}
