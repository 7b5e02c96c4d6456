package io.tributary.sinks.search;

import io.tributary.jobs.deadletters.RecordCheck;
import io.tributary.schemas.aggregates.CommerceMinute;
import io.tributary.schemas.aggregates.IotDevice5m;
import io.tributary.schemas.aggregates.QoeMinute;
import io.tributary.schemas.aggregates.TrendingTitles;
import io.tributary.schemas.aggregates.ViewerSession;
import io.tributary.schemas.alerts.Alert;
import io.tributary.sinks.Checks;
import java.io.Serializable;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.util.function.SerializableFunction;

/**
 * One index of the hot tier: the record type it holds, the document id (the record's natural key,
 * so a replay overwrites instead of adding) and whether documents carry revisions.
 *
 * @param name the index name after the configured prefix, e.g. {@code alerts}
 */
public record SearchIndex<T extends SpecificRecord>(
        String name,
        Class<T> type,
        SerializableFunction<T, String> id,
        SerializableFunction<T, Integer> revision,
        RecordCheck<T> check)
        implements Serializable {

    public static final SearchIndex<Alert> ALERTS =
            new SearchIndex<>(
                    "alerts",
                    Alert.class,
                    Alert::getAlertId,
                    null,
                    a ->
                            Checks.of()
                                    .time("firstEventTime", a.getFirstEventTime())
                                    .time("lastEventTime", a.getLastEventTime())
                                    .time("detectionTime", a.getDetectionTime())
                                    .first());

    public static final SearchIndex<QoeMinute> QOE_MINUTE =
            new SearchIndex<>(
                    "qoe-minute",
                    QoeMinute.class,
                    q ->
                            key(
                                    q.getWindowStart().toEpochMilli(),
                                    q.getTitleId(),
                                    q.getCdn(),
                                    q.getRegion(),
                                    q.getDeviceClass()),
                    QoeMinute::getRevision,
                    q ->
                            Checks.of()
                                    .time("windowStart", q.getWindowStart())
                                    .finite("startupTimeAvgMs", q.getStartupTimeAvgMs())
                                    .finite("startupTimeP95Ms", q.getStartupTimeP95Ms())
                                    .finite("rebufferRatio", q.getRebufferRatio())
                                    .finite("avgBitrateKbps", q.getAvgBitrateKbps())
                                    .finite("errorRate", q.getErrorRate())
                                    .first());

    public static final SearchIndex<TrendingTitles> TRENDING_TITLES =
            new SearchIndex<>(
                    "trending-titles",
                    TrendingTitles.class,
                    t -> key(t.getRegion(), t.getWindowStart().toEpochMilli()),
                    TrendingTitles::getRevision,
                    t -> Checks.of().time("windowStart", t.getWindowStart()).first());

    public static final SearchIndex<ViewerSession> VIEWER_SESSIONS =
            new SearchIndex<>(
                    "viewer-sessions",
                    ViewerSession.class,
                    s -> key(s.getViewerId(), s.getSessionStart().toEpochMilli()),
                    ViewerSession::getRevision,
                    s ->
                            Checks.of()
                                    .time("sessionStart", s.getSessionStart())
                                    .finite("bufferingShare", s.getBufferingShare())
                                    .first());

    public static final SearchIndex<CommerceMinute> COMMERCE_MINUTE =
            new SearchIndex<>(
                    "commerce-minute",
                    CommerceMinute.class,
                    c -> key(c.getWindowStart().toEpochMilli(), c.getCountry(), c.getCurrency()),
                    CommerceMinute::getRevision,
                    c ->
                            Checks.of()
                                    .time("windowStart", c.getWindowStart())
                                    .finite("averageOrderValueMinor", c.getAverageOrderValueMinor())
                                    .finite("paymentFailureRate", c.getPaymentFailureRate())
                                    .first());

    public static final SearchIndex<IotDevice5m> IOT_DEVICE_5M =
            new SearchIndex<>(
                    "iot-device-5m",
                    IotDevice5m.class,
                    r -> key(r.getWindowStart().toEpochMilli(), r.getDeviceId(), r.getMetric()),
                    IotDevice5m::getRevision,
                    r ->
                            Checks.of()
                                    .time("windowStart", r.getWindowStart())
                                    .finite("min", r.getMin())
                                    .finite("max", r.getMax())
                                    .finite("mean", r.getMean())
                                    .finite("stddev", r.getStddev())
                                    .first());

    public static List<SearchIndex<?>> all() {
        return List.of(
                ALERTS,
                QOE_MINUTE,
                TRENDING_TITLES,
                VIEWER_SESSIONS,
                COMMERCE_MINUTE,
                IOT_DEVICE_5M);
    }

    public SearchDocument document(String indexPrefix, T record) {
        return new SearchDocument(
                indexPrefix + name,
                id.apply(record),
                JsonDocuments.toJson(record),
                revision == null ? SearchDocument.UNREVISIONED : revision.apply(record));
    }

    /**
     * Natural keys joined with '|', which no key part of the suite contains at a boundary that
     * matters.
     */
    static String key(Object... parts) {
        StringBuilder key = new StringBuilder();
        for (Object part : parts) {
            if (key.length() > 0) {
                key.append('|');
            }
            key.append(part);
        }
        return key.toString();
    }
}
