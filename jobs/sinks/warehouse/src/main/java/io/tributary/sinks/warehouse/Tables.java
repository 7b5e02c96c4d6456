package io.tributary.sinks.warehouse;

import static io.tributary.sinks.warehouse.Column.of;
import static io.tributary.sinks.warehouse.Column.text;
import static io.tributary.sinks.warehouse.ColumnType.BIGINT;
import static io.tributary.sinks.warehouse.ColumnType.BOOLEAN;
import static io.tributary.sinks.warehouse.ColumnType.BYTEA;
import static io.tributary.sinks.warehouse.ColumnType.DOUBLE;
import static io.tributary.sinks.warehouse.ColumnType.INTEGER;
import static io.tributary.sinks.warehouse.ColumnType.JSONB;
import static io.tributary.sinks.warehouse.ColumnType.TEXT;
import static io.tributary.sinks.warehouse.ColumnType.TEXT_ARRAY;
import static io.tributary.sinks.warehouse.ColumnType.TIMESTAMP;
import static io.tributary.sinks.warehouse.ColumnType.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tributary.schemas.DeadLetter;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.QoeRenditionMinute;
import io.tributary.schemas.aggregates.RankedTitle;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.alerts.Alert;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The warehouse: which record goes to which table (V1__tables.sql declares the same columns).
 * Aggregates keep their highest revision, alerts and dead letters never change once stored, media
 * jobs keep their newest event (see {@link MediaJobRow#step}).
 */
public final class Tables {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String HIGHER_REVISION = "t.revision < excluded.revision";

    private Tables() {}

    public static final TableSpec<Alert> ALERTS =
            new TableSpec<>(
                    "alerts",
                    Alert.class,
                    List.of("alert_id"),
                    List.of(
                            of("alert_id", UUID, Alert::getAlertId),
                            text("rule_id", 128, Alert::getRuleId),
                            of("rule_version", INTEGER, Alert::getRuleVersion),
                            text("severity", 16, a -> a.getSeverity().name()),
                            text("owner", 128, Alert::getOwner),
                            text("alert_key", 512, Alert::getKey),
                            text("summary", 2000, Alert::getSummary),
                            of("details", JSONB, a -> json(a.getDetails())),
                            of("matched_event_ids", TEXT_ARRAY, Alert::getMatchedEventIds),
                            of("matched_event_count", INTEGER, Alert::getMatchedEventCount),
                            of("partial_matches_cut", BIGINT, Alert::getPartialMatchesCut),
                            of("first_event_time", TIMESTAMP, Alert::getFirstEventTime),
                            of("last_event_time", TIMESTAMP, Alert::getLastEventTime),
                            of("detection_time", TIMESTAMP, Alert::getDetectionTime)),
                    null);

    public static final TableSpec<QoeMinute> QOE_MINUTE =
            new TableSpec<>(
                    "qoe_minute",
                    QoeMinute.class,
                    List.of("window_start", "title_id", "cdn", "region", "device_class"),
                    List.of(
                            of("window_start", TIMESTAMP, QoeMinute::getWindowStart),
                            of("window_end", TIMESTAMP, QoeMinute::getWindowEnd),
                            text("title_id", 128, QoeMinute::getTitleId),
                            text("cdn", 64, QoeMinute::getCdn),
                            text("region", 64, QoeMinute::getRegion),
                            text("device_class", 16, q -> q.getDeviceClass().name()),
                            of("revision", INTEGER, QoeMinute::getRevision),
                            of("plays", BIGINT, QoeMinute::getPlays),
                            of("play_failures", BIGINT, QoeMinute::getPlayFailures),
                            of("startup_time_avg_ms", DOUBLE, QoeMinute::getStartupTimeAvgMs),
                            of("startup_time_p95_ms", DOUBLE, QoeMinute::getStartupTimeP95Ms),
                            of("rebuffer_count", BIGINT, QoeMinute::getRebufferCount),
                            of("buffering_ms", BIGINT, QoeMinute::getBufferingMs),
                            of("watch_time_ms", BIGINT, QoeMinute::getWatchTimeMs),
                            of("rebuffer_ratio", DOUBLE, QoeMinute::getRebufferRatio),
                            of("avg_bitrate_kbps", DOUBLE, QoeMinute::getAvgBitrateKbps),
                            of("bitrate_switches", BIGINT, QoeMinute::getBitrateSwitches),
                            of("errors", BIGINT, QoeMinute::getErrors),
                            of("error_rate", DOUBLE, QoeMinute::getErrorRate),
                            of("active_sessions", BIGINT, QoeMinute::getActiveSessions)),
                    HIGHER_REVISION);

    public static final TableSpec<QoeRenditionMinute> QOE_RENDITION_MINUTE =
            new TableSpec<>(
                    "qoe_rendition_minute",
                    QoeRenditionMinute.class,
                    List.of("window_start", "title_id", "rendition_id"),
                    List.of(
                            of("window_start", TIMESTAMP, QoeRenditionMinute::getWindowStart),
                            of("window_end", TIMESTAMP, QoeRenditionMinute::getWindowEnd),
                            text("title_id", 128, QoeRenditionMinute::getTitleId),
                            text("rendition_id", 64, QoeRenditionMinute::getRenditionId),
                            of("revision", INTEGER, QoeRenditionMinute::getRevision),
                            of("watch_time_ms", BIGINT, QoeRenditionMinute::getWatchTimeMs),
                            of("rebuffer_count", BIGINT, QoeRenditionMinute::getRebufferCount),
                            of("buffering_ms", BIGINT, QoeRenditionMinute::getBufferingMs),
                            of("rebuffer_ratio", DOUBLE, QoeRenditionMinute::getRebufferRatio),
                            of("downshifts", BIGINT, QoeRenditionMinute::getDownshifts),
                            of("errors", BIGINT, QoeRenditionMinute::getErrors),
                            of("fatal_errors", BIGINT, QoeRenditionMinute::getFatalErrors)),
                    HIGHER_REVISION);

    public static final TableSpec<TrendingTitles> TRENDING_TITLES =
            new TableSpec<>(
                    "trending_titles",
                    TrendingTitles.class,
                    List.of("region", "window_start"),
                    List.of(
                            text("region", 64, TrendingTitles::getRegion),
                            of("window_start", TIMESTAMP, TrendingTitles::getWindowStart),
                            of("window_end", TIMESTAMP, TrendingTitles::getWindowEnd),
                            of("revision", INTEGER, TrendingTitles::getRevision),
                            of("titles", JSONB, t -> rankingJson(t.getTitles()))),
                    HIGHER_REVISION);

    public static final TableSpec<ViewerSession> VIEWER_SESSIONS =
            new TableSpec<>(
                    "viewer_sessions",
                    ViewerSession.class,
                    List.of("viewer_id", "session_start"),
                    List.of(
                            text("viewer_id", 128, ViewerSession::getViewerId),
                            of("session_start", TIMESTAMP, ViewerSession::getSessionStart),
                            of("session_end", TIMESTAMP, ViewerSession::getSessionEnd),
                            text("account_id", 128, ViewerSession::getAccountId),
                            of("revision", INTEGER, ViewerSession::getRevision),
                            of("events", BIGINT, ViewerSession::getEvents),
                            of("length_ms", BIGINT, ViewerSession::getLengthMs),
                            of("watch_time_ms", BIGINT, ViewerSession::getWatchTimeMs),
                            of("titles_watched", TEXT_ARRAY, ViewerSession::getTitlesWatched),
                            of("buffering_ms", BIGINT, ViewerSession::getBufferingMs),
                            of("buffering_share", DOUBLE, ViewerSession::getBufferingShare),
                            text("exit_reason", 64, ViewerSession::getExitReason)),
                    HIGHER_REVISION);

    public static final TableSpec<CommerceMinute> COMMERCE_MINUTE =
            new TableSpec<>(
                    "commerce_minute",
                    CommerceMinute.class,
                    List.of("window_start", "country", "currency"),
                    List.of(
                            of("window_start", TIMESTAMP, CommerceMinute::getWindowStart),
                            of("window_end", TIMESTAMP, CommerceMinute::getWindowEnd),
                            text("country", 16, CommerceMinute::getCountry),
                            text("currency", 8, CommerceMinute::getCurrency),
                            of("revision", INTEGER, CommerceMinute::getRevision),
                            of("orders_created", BIGINT, CommerceMinute::getOrdersCreated),
                            of("orders_paid", BIGINT, CommerceMinute::getOrdersPaid),
                            of("revenue_minor", BIGINT, CommerceMinute::getRevenueMinor),
                            of(
                                    "average_order_value_minor",
                                    DOUBLE,
                                    CommerceMinute::getAverageOrderValueMinor),
                            of("payment_attempts", BIGINT, CommerceMinute::getPaymentAttempts),
                            of("payment_failures", BIGINT, CommerceMinute::getPaymentFailures),
                            of(
                                    "payment_failure_rate",
                                    DOUBLE,
                                    CommerceMinute::getPaymentFailureRate)),
                    HIGHER_REVISION);

    public static final TableSpec<IotDevice5m> IOT_DEVICE_5M =
            new TableSpec<>(
                    "iot_device_5m",
                    IotDevice5m.class,
                    List.of("window_start", "device_id", "metric"),
                    List.of(
                            of("window_start", TIMESTAMP, IotDevice5m::getWindowStart),
                            of("window_end", TIMESTAMP, IotDevice5m::getWindowEnd),
                            text("device_id", 128, IotDevice5m::getDeviceId),
                            text("metric", 64, IotDevice5m::getMetric),
                            text("unit", 32, IotDevice5m::getUnit),
                            of("revision", INTEGER, IotDevice5m::getRevision),
                            of("readings", BIGINT, IotDevice5m::getReadings),
                            of("min", DOUBLE, IotDevice5m::getMin),
                            of("max", DOUBLE, IotDevice5m::getMax),
                            of("mean", DOUBLE, IotDevice5m::getMean),
                            of("stddev", DOUBLE, IotDevice5m::getStddev),
                            of("anomaly", BOOLEAN, IotDevice5m::getAnomaly)),
                    HIGHER_REVISION);

    public static final TableSpec<MediaJobRow> MEDIA_JOBS =
            new TableSpec<>(
                    "media_jobs",
                    MediaJobRow.class,
                    List.of("media_id", "stage", "part"),
                    List.of(
                            text("media_id", 128, r -> r.mediaId),
                            text("stage", 16, r -> r.stage),
                            text("part", 64, r -> r.part),
                            text("state", 32, r -> r.state),
                            of("event_time", TIMESTAMP, r -> r.eventTime),
                            of("step", INTEGER, r -> r.step),
                            text("event_id", 128, r -> r.eventId),
                            text("upload_id", 128, r -> r.uploadId),
                            text("rendition", 64, r -> r.rendition),
                            of("bitrate_kbps", INTEGER, r -> r.bitrateKbps),
                            text("worker_id", 128, r -> r.workerId),
                            of("attempt", INTEGER, r -> r.attempt),
                            of("progress_percent", DOUBLE, r -> r.progressPercent),
                            text("failure_reason", 2000, r -> r.failureReason),
                            text("packaging_format", 16, r -> r.packagingFormat),
                            text("manifest_uri", 2048, r -> r.manifestUri),
                            text("cdn_url", 2048, r -> r.cdnUrl)),
                    "(t.event_time, t.step, t.event_id) < (excluded.event_time, excluded.step, excluded.event_id)");

    public static final TableSpec<DeadLetter> DEAD_LETTERS =
            new TableSpec<>(
                    "dead_letters",
                    DeadLetter.class,
                    List.of("job", "source_topic", "source_partition", "source_offset"),
                    List.of(
                            of("job", TEXT, d -> withoutNul(d.getJob())),
                            of("source_topic", TEXT, d -> withoutNul(d.getSourceTopic())),
                            of("source_partition", INTEGER, DeadLetter::getSourcePartition),
                            of("source_offset", BIGINT, DeadLetter::getSourceOffset),
                            of("reason", TEXT, d -> d.getReason().name()),
                            of("message", TEXT, d -> withoutNul(d.getMessage())),
                            of("field", TEXT, d -> withoutNul(d.getField())),
                            of("source_timestamp", TIMESTAMP, DeadLetter::getSourceTimestamp),
                            of("dead_lettered_at", TIMESTAMP, DeadLetter::getDeadLetteredAt),
                            of("original_key", BYTEA, d -> bytes(d.getOriginalKey())),
                            of("original_value", BYTEA, d -> bytes(d.getOriginalValue())),
                            of("original_key_size", INTEGER, DeadLetter::getOriginalKeySize),
                            of("original_key_sha256", TEXT, DeadLetter::getOriginalKeySha256),
                            of("original_value_size", INTEGER, DeadLetter::getOriginalValueSize),
                            of("original_value_sha256", TEXT, DeadLetter::getOriginalValueSha256)),
                    null);

    /** The tables fed straight from an Avro topic, with the topics' default names. */
    public static List<TableSpec<?>> all() {
        return List.of(
                ALERTS,
                QOE_MINUTE,
                QOE_RENDITION_MINUTE,
                TRENDING_TITLES,
                VIEWER_SESSIONS,
                COMMERCE_MINUTE,
                IOT_DEVICE_5M,
                MEDIA_JOBS,
                DEAD_LETTERS);
    }

    static String json(Map<String, String> map) {
        ObjectNode node = JSON.createObjectNode();
        map.forEach(node::put);
        return node.toString();
    }

    static String rankingJson(List<RankedTitle> titles) {
        ArrayNode array = JSON.createArrayNode();
        for (RankedTitle title : titles) {
            array.addObject()
                    .put("rank", title.getRank())
                    .put("title_id", title.getTitleId())
                    .put("plays", title.getPlays());
        }
        return array.toString();
    }

    /**
     * A dead letter must always be storable: PostgreSQL text cannot hold NUL, so it is shown as
     * U+FFFD.
     */
    private static String withoutNul(String text) {
        return text == null ? null : text.replace('\0', '\uFFFD');
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
