package io.tributary.sinks.warehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.schemas.Envelope;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.alerts.Alert;
import io.tributary.schemas.media.MediaEvent;
import io.tributary.sinks.SampleRecords;
import io.tributary.testkit.infra.PostgresServer;
import io.tributary.testkit.junit.RealPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Flyway migrations on a real PostgreSQL: the tables the job writes, and the views analysts
 * read.
 */
class WarehouseSchemaIT {
    @RegisterExtension static final RealPostgres POSTGRES = new RealPostgres();

    private static String jdbcUrl;

    @BeforeAll
    static void migrate() {
        jdbcUrl = POSTGRES.server().createDatabase("schema");
        assertThat(
                        WarehouseMigrations.migrate(jdbcUrl, PostgresServer.USER, null)
                                .migrationsExecuted)
                .isEqualTo(5);
    }

    @Test
    void migratingAgainChangesNothing() {
        assertThat(
                        WarehouseMigrations.migrate(jdbcUrl, PostgresServer.USER, null)
                                .migrationsExecuted)
                .isZero();
    }

    @Test
    void everyColumnTheJobWritesExistsWithTheLengthItChecks() throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null)) {
            for (TableSpec<?> table : Tables.all()) {
                Map<String, Integer> lengths = new HashMap<>();
                try (PreparedStatement query =
                        db.prepareStatement(
                                "SELECT column_name, coalesce(character_maximum_length, 0) FROM information_schema.columns WHERE table_name = ?")) {
                    query.setString(1, table.table());
                    try (ResultSet result = query.executeQuery()) {
                        while (result.next()) {
                            lengths.put(result.getString(1), result.getInt(2));
                        }
                    }
                }
                for (Column<?> column : table.columns()) {
                    assertThat(lengths)
                            .as(table.table() + " has " + column.name())
                            .containsKey(column.name());
                    if (column.type() == ColumnType.TEXT) {
                        assertThat(lengths.get(column.name()))
                                .as(table.table() + "." + column.name() + " length")
                                .isEqualTo(column.maxLength());
                    }
                }
                assertThat(lengths.keySet())
                        .as("columns of " + table.table() + " the job does not write")
                        .containsExactlyInAnyOrderElementsOf(
                                table.columns().stream().map(Column::name).toList());
            }
        }
    }

    @Test
    void analystViewsSummariseTheStoredRows() throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null)) {
            insert(
                    db,
                    Tables.QOE_MINUTE,
                    List.of(
                            QoeMinute.newBuilder(SampleRecords.qoe(0, 0))
                                    .setTitleId("t")
                                    .setCdn("cdn-bad")
                                    .setPlays(10)
                                    .setBufferingMs(6_000)
                                    .setWatchTimeMs(60_000)
                                    .build(),
                            QoeMinute.newBuilder(SampleRecords.qoe(1, 0))
                                    .setTitleId("t")
                                    .setCdn("cdn-good")
                                    .setPlays(30)
                                    .setBufferingMs(0)
                                    .setWatchTimeMs(60_000)
                                    .build()));
            insert(
                    db,
                    Tables.ALERTS,
                    List.of(
                            SampleRecords.alert(0),
                            SampleRecords.alert(2),
                            SampleRecords.alert(3)));
            try (Statement statement = db.createStatement()) {
                ResultSet daily =
                        statement.executeQuery(
                                "SELECT plays, rebuffer_ratio FROM daily_qoe_by_title WHERE title_id = 't'");
                assertThat(daily.next()).isTrue();
                assertThat(daily.getLong(1)).isEqualTo(40);
                assertThat(daily.getDouble(2)).isEqualTo(6_000 / 120_000.0);

                ResultSet worst =
                        statement.executeQuery(
                                "SELECT cdn, rebuffer_ratio FROM worst_cdns_by_rebuffer_ratio WHERE cdn LIKE 'cdn-%' LIMIT 1");
                assertThat(worst.next()).isTrue();
                assertThat(worst.getString(1)).isEqualTo("cdn-bad");
                assertThat(worst.getDouble(2)).isEqualTo(0.1);

                ResultSet alerts =
                        statement.executeQuery(
                                "SELECT rule_id, severity, alerts FROM alerts_by_rule_and_severity WHERE day = '2026-03-01' ORDER BY rule_id, severity");
                Map<String, Long> counts = new HashMap<>();
                while (alerts.next()) {
                    counts.put(alerts.getString(1) + "/" + alerts.getString(2), alerts.getLong(3));
                }
                // alert(0): storm HIGH, alert(2): storm MEDIUM, alert(3): card-testing HIGH
                assertThat(counts)
                        .containsOnly(
                                Map.entry("rebuffering-storm/HIGH", 1L),
                                Map.entry("rebuffering-storm/MEDIUM", 1L),
                                Map.entry("card-testing/HIGH", 1L));
            }
        }
    }

    /**
     * Title "hit" is published with 500k and 2000k; viewers stall on 2000k and also play a 4000k
     * the pipeline never made. Title "draft" was never published, so it is not in the view.
     */
    @Test
    void renditionQoeIsJoinedToThePublishedTitlesAndTheirTranscodes() throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null)) {
            List<MediaJobRow> pipeline = new java.util.ArrayList<>();
            for (Envelope event : SampleRecords.mediaPipeline(0)) {
                pipeline.add(
                        MediaJobRow.of(
                                Envelope.newBuilder(event)
                                        .setPayload(
                                                MediaEvent.newBuilder(
                                                                (MediaEvent) event.getPayload())
                                                        .setMediaId("hit")
                                                        .build())
                                        .build()));
            }
            insert(db, Tables.MEDIA_JOBS, pipeline);
            insert(
                    db,
                    Tables.QOE_RENDITION_MINUTE,
                    List.of(
                            played("hit", "500k", 0, 120_000, 0, 0),
                            played("hit", "2000k", 0, 60_000, 9_000, 3),
                            played("hit", "2000k", 1, 60_000, 3_000, 1),
                            played("hit", "4000k", 1, 60_000, 0, 0),
                            played("draft", "500k", 0, 60_000, 30_000, 5)));
            Map<String, List<Object>> rows = new HashMap<>();
            try (Statement statement = db.createStatement();
                    ResultSet result =
                            statement.executeQuery(
                                    "SELECT title_id, rendition_id, in_published_ladder, bitrate_kbps, cdn_url, watch_hours, rebuffer_ratio, "
                                            + "rebuffer_ratio_vs_title, downshifts_per_watch_hour FROM rendition_qoe_by_published_title")) {
                while (result.next()) {
                    rows.put(
                            result.getString(1) + "/" + result.getString(2),
                            List.of(
                                    result.getBoolean(3),
                                    String.valueOf(result.getObject(4)),
                                    result.getString(5),
                                    result.getDouble(6),
                                    result.getDouble(7),
                                    result.getDouble(8),
                                    result.getDouble(9)));
                }
            }
            // hit: 12 s buffering over 300 s watched = 0.04 overall; 2000k: 12 s over 120 s = 0.1,
            // 2.5 x the title.
            assertThat(rows).containsOnlyKeys("hit/500k", "hit/2000k", "hit/4000k");
            assertThat(rows.get("hit/2000k"))
                    .containsExactly(
                            true,
                            "2000",
                            "https://cdn.example/media-0",
                            120_000 / 3_600_000.0,
                            0.1,
                            2.5,
                            4 * 3_600_000.0 / 120_000);
            assertThat(rows.get("hit/500k"))
                    .containsExactly(
                            true,
                            "500",
                            "https://cdn.example/media-0",
                            120_000 / 3_600_000.0,
                            0.0,
                            0.0,
                            0.0);
            assertThat(rows.get("hit/4000k").subList(0, 2)).containsExactly(false, "null");
        }
    }

    private static QoeRenditionMinute played(
            String title,
            String rendition,
            int minute,
            long watchMs,
            long bufferingMs,
            long downshifts) {
        return QoeRenditionMinute.newBuilder(SampleRecords.qoeRendition(0, 1))
                .setTitleId(title)
                .setRenditionId(rendition)
                .setWindowStart(SampleRecords.T0.plusSeconds(60L * minute))
                .setWindowEnd(SampleRecords.T0.plusSeconds(60L * minute + 60))
                .setWatchTimeMs(watchMs)
                .setBufferingMs(bufferingMs)
                .setRebufferRatio((double) bufferingMs / watchMs)
                .setDownshifts(downshifts)
                .build();
    }

    @Test
    void anOlderRevisionNeverOverwritesANewerOneAndAReplayChangesNothing() throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, PostgresServer.USER, null)) {
            QoeMinute newer = QoeMinute.newBuilder(SampleRecords.qoe(50, 2)).setPlays(99).build();
            QoeMinute older = QoeMinute.newBuilder(SampleRecords.qoe(50, 1)).setPlays(1).build();
            insert(db, Tables.QOE_MINUTE, List.of(newer, older, newer));
            Alert alert =
                    Alert.newBuilder(SampleRecords.alert(50))
                            .setDetectionTime(java.time.Instant.parse("2026-04-01T00:00:00Z"))
                            .build();
            insert(db, Tables.ALERTS, List.of(alert, alert));
            try (Statement statement = db.createStatement()) {
                ResultSet qoe =
                        statement.executeQuery(
                                "SELECT revision, plays FROM qoe_minute WHERE title_id = 'title-50'");
                assertThat(qoe.next()).isTrue();
                assertThat(qoe.getInt(1)).isEqualTo(2);
                assertThat(qoe.getLong(2)).isEqualTo(99);
                assertThat(qoe.next()).isFalse();
                ResultSet alerts =
                        statement.executeQuery(
                                "SELECT count(*) FROM alerts WHERE alert_id = '"
                                        + alert.getAlertId()
                                        + "'");
                alerts.next();
                assertThat(alerts.getInt(1)).isEqualTo(1);
            }
        }
    }

    private static <T> void insert(Connection db, TableSpec<T> table, List<T> records)
            throws Exception {
        try (PreparedStatement statement = db.prepareStatement(table.upsertSql())) {
            for (T record : records) {
                table.binder().accept(statement, record);
                statement.executeUpdate();
            }
        }
    }
}
