package io.tributary.sinks.lake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * SQL over the lake with DuckDB: {@code bin/tributary lake query --lake /data/lake "SELECT ..."}.
 * The views {@code events} and {@code dead_letters} read every Parquet file under the lake, with
 * {@code event_date} and {@code event_hour} as partition columns (filters on them skip files).
 */
@Command(
        name = "lake query",
        mixinStandardHelpOptions = true,
        description = "Runs SQL over the Parquet lake with DuckDB. Views: events, dead_letters.")
public final class LakeQuery implements Callable<Integer> {
    static final String DEFAULT_QUERY =
            "SELECT event_date, event_hour, domain, count(*) AS events "
                    + "FROM events GROUP BY ALL ORDER BY ALL";

    @Option(
            names = "--lake",
            required = true,
            description = "The lake directory (a local path; copy s3 data down first).")
    Path lake;

    @Parameters(
            arity = "0..1",
            description = "The query (default: events per date, hour and domain).")
    String sql = DEFAULT_QUERY;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LakeQuery()).execute(args));
    }

    @Override
    public Integer call() throws SQLException {
        try (Connection duck = open(lake);
                Statement statement = duck.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            print(result);
        }
        return 0;
    }

    /** An in-memory DuckDB with the lake's views defined. */
    public static Connection open(Path lake) throws SQLException {
        Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement statement = duck.createStatement()) {
            for (String view : List.of("events", "dead_letters")) {
                Path dir = lake.resolve(view);
                String source =
                        Files.isDirectory(dir)
                                ? "read_parquet('"
                                        + dir.toAbsolutePath().toString().replace("'", "''")
                                        + "/**/*.parquet', hive_partitioning = true, union_by_name = true)"
                                : "(SELECT NULL AS nothing WHERE false)";
                statement.execute("CREATE VIEW " + view + " AS SELECT * FROM " + source);
            }
        }
        return duck;
    }

    private static void print(ResultSet result) throws SQLException {
        ResultSetMetaData meta = result.getMetaData();
        int columns = meta.getColumnCount();
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[columns];
        for (int i = 0; i < columns; i++) {
            header[i] = meta.getColumnLabel(i + 1);
        }
        rows.add(header);
        while (result.next()) {
            String[] row = new String[columns];
            for (int i = 0; i < columns; i++) {
                row[i] = String.valueOf(result.getObject(i + 1));
            }
            rows.add(row);
        }
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(String.format("%-" + widths[i] + "s", rows.get(r)[i]))
                        .append(i < columns - 1 ? " | " : "");
            }
            System.out.println(line.toString().stripTrailing());
            if (r == 0) {
                System.out.println("-".repeat(line.length()));
            }
        }
        System.out.println("(" + (rows.size() - 1) + " rows)");
    }
}
