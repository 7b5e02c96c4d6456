package io.tributary.sinks.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jobs.deadletters.Violation;
import io.tributary.schemas.Envelope;
import io.tributary.schemas.EventType;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.alerts.Alert;
import io.tributary.sinks.SampleRecords;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableSpecTest {

    @Test
    void aggregatesUpsertOnlyANewerRevision() {
        assertThat(Tables.QOE_MINUTE.upsertSql())
                .startsWith("INSERT INTO qoe_minute AS t (window_start, window_end, title_id,")
                .contains(
                        "ON CONFLICT (window_start, title_id, cdn, region, device_class) DO UPDATE SET window_end = excluded.window_end,")
                .doesNotContain("title_id = excluded.title_id")
                .endsWith(" WHERE t.revision < excluded.revision");
    }

    @Test
    void alertsAndDeadLettersAreWrittenOnceAndNeverChanged() {
        assertThat(Tables.ALERTS.upsertSql())
                .contains("VALUES (?::uuid, ")
                .endsWith("ON CONFLICT (alert_id) DO NOTHING");
        assertThat(Tables.DEAD_LETTERS.upsertSql())
                .endsWith(
                        "ON CONFLICT (job, source_topic, source_partition, source_offset) DO NOTHING");
    }

    @Test
    void aStorableRecordPasses() {
        assertThat(Tables.QOE_MINUTE.check().check(SampleRecords.qoe(1, 0))).isEmpty();
        assertThat(Tables.ALERTS.check().check(SampleRecords.alert(1))).isEmpty();
    }

    @Test
    void aStringLongerThanItsColumnIsNamedWithBothLengths() {
        QoeMinute tooLong =
                QoeMinute.newBuilder(SampleRecords.qoe(1, 0)).setCdn("c".repeat(65)).build();
        assertThat(Tables.QOE_MINUTE.check().check(tooLong))
                .contains(new Violation("cdn", "cdn is 65 characters long; at most 64 fit"));
    }

    @Test
    void notANumberAndInfinityAreRefused() {
        QoeMinute nan =
                QoeMinute.newBuilder(SampleRecords.qoe(1, 0)).setAvgBitrateKbps(Double.NaN).build();
        assertThat(Tables.QOE_MINUTE.check().check(nan))
                .map(Violation::field)
                .contains("avg_bitrate_kbps");
        IotDevice5m infinite =
                IotDevice5m.newBuilder(SampleRecords.iot(1, 0))
                        .setMax(Double.POSITIVE_INFINITY)
                        .build();
        assertThat(Tables.IOT_DEVICE_5M.check().check(infinite))
                .map(Violation::message)
                .contains("max is Infinity; only finite numbers are stored");
    }

    @Test
    void aTimestampOutsideWhatEveryTierStoresIsRefused() {
        IotDevice5m farFuture =
                IotDevice5m.newBuilder(SampleRecords.iot(1, 0))
                        .setWindowEnd(Instant.parse("+10000-01-01T00:00:00Z"))
                        .build();
        assertThat(Tables.IOT_DEVICE_5M.check().check(farFuture))
                .map(Violation::field)
                .contains("window_end");
    }

    @Test
    void anAlertIdThatIsNoUuidAndANulInJsonAreRefused() {
        Alert badId = Alert.newBuilder(SampleRecords.alert(1)).setAlertId("nope").build();
        assertThat(Tables.ALERTS.check().check(badId))
                .contains(new Violation("alert_id", "alert_id 'nope' is not a UUID"));
        Alert nul =
                Alert.newBuilder(SampleRecords.alert(1)).setDetails(Map.of("x", "a\0b")).build();
        assertThat(Tables.ALERTS.check().check(nul)).map(Violation::field).contains("details");
        Alert nulInList =
                Alert.newBuilder(SampleRecords.alert(1)).setMatchedEventIds(List.of("a\0")).build();
        assertThat(Tables.ALERTS.check().check(nulInList))
                .map(Violation::field)
                .contains("matched_event_ids");
    }

    @Test
    void mediaEventsBecomeOneRowPerPipelinePart() {
        List<Envelope> pipeline = SampleRecords.mediaPipeline(3);
        assertThat(
                        pipeline.stream()
                                .map(MediaJobRow::of)
                                .map(r -> r.stage + ":" + r.part + ":" + r.state)
                                .toList())
                .containsExactly(
                        "upload:upload-3:UPLOAD_COMPLETED",
                        "upload:upload-3:UPLOADED",
                        "transcode:500k:TRANSCODE_REQUESTED",
                        "transcode:500k:TRANSCODE_STARTED",
                        "transcode:500k:TRANSCODE_COMPLETED",
                        "transcode:2000k:TRANSCODE_REQUESTED",
                        "transcode:2000k:TRANSCODE_STARTED",
                        "transcode:2000k:TRANSCODE_COMPLETED",
                        "package:HLS:PACKAGED",
                        "publish::PUBLISHED");
        assertThatThrownBy(() -> MediaJobRow.of(SampleRecords.playerEvent()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a media pipeline event");
    }

    @Test
    void ofTwoEventsOfAPartAtOneTimeTheLaterAttemptThenTheLaterStepWins() {
        assertThat(MediaJobRow.step(EventType.UPLOADED, null))
                .isGreaterThan(MediaJobRow.step(EventType.UPLOAD_COMPLETED, null));
        assertThat(MediaJobRow.step(EventType.UPLOAD_COMPLETED, null))
                .isGreaterThan(MediaJobRow.step(EventType.UPLOAD_CHUNK, null));
        assertThat(MediaJobRow.step(EventType.TRANSCODE_COMPLETED, 1))
                .isGreaterThan(MediaJobRow.step(EventType.TRANSCODE_PROGRESS, 1));
        assertThat(MediaJobRow.step(EventType.TRANSCODE_FAILED, 1))
                .isGreaterThan(MediaJobRow.step(EventType.TRANSCODE_STARTED, 1));
        assertThat(MediaJobRow.step(EventType.TRANSCODE_REQUESTED, 2))
                .isGreaterThan(MediaJobRow.step(EventType.TRANSCODE_FAILED, 1));
    }
}
