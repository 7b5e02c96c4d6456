package io.tributary.schemas;

import java.util.List;

/**
 * The suite's default topic names, in one place: every job's options take their defaults from here
 * (as compile-time constants, so picocli's {@code defaultValue} can name them), and so do the demo,
 * the tests, the benchmarks and the deployment tests. An operator renames a topic with the job's
 * option; the project renames one here.
 */
public final class Topics {
    // Raw input, as gateways and devices write it (JSON, or Avro in the Confluent wire format).
    public static final String RAW_PLAYER = "raw.player";
    public static final String RAW_MEDIA = "raw.media";
    public static final String RAW_COMMERCE = "raw.commerce";
    public static final String RAW_IOT = "raw.iot";
    public static final String RAW_ALL =
            RAW_PLAYER + "," + RAW_MEDIA + "," + RAW_COMMERCE + "," + RAW_IOT;

    // Canonical events (Envelope), written by ingest.
    public static final String EVENTS_PLAYER = "events.player";
    public static final String EVENTS_MEDIA = "events.media";
    public static final String EVENTS_COMMERCE = "events.commerce";
    public static final String EVENTS_IOT = "events.iot";
    public static final String EVENTS_ALL =
            EVENTS_PLAYER + "," + EVENTS_MEDIA + "," + EVENTS_COMMERCE + "," + EVENTS_IOT;

    /** What the aggregations read: every canonical topic but media's. */
    public static final String EVENTS_AGGREGATED =
            EVENTS_PLAYER + "," + EVENTS_COMMERCE + "," + EVENTS_IOT;

    // The media pipeline's decisions (Envelope of pipeline-only event types).
    public static final String MEDIA_PIPELINE = "media.pipeline";
    public static final String MEDIA_ALL = EVENTS_MEDIA + "," + MEDIA_PIPELINE;

    // CEP.
    public static final String CEP_ALERTS = "cep.alerts";
    public static final String CEP_LATE_EVENTS = "cep.late-events";

    /**
     * Published rule sets: compacted, one partition, so not in {@link #all()}; {@code rules
     * publish} and the CEP job create it.
     */
    public static final String CEP_RULE_SETS = "cep.rule-sets";

    /** What the CEP job made of each published rule set. */
    public static final String CEP_RULE_STATUS = "cep.rule-status";

    // Aggregations.
    public static final String AGG_QOE_MINUTE = "agg.qoe-minute";
    public static final String AGG_QOE_RENDITION_MINUTE = "agg.qoe-rendition-minute";
    public static final String AGG_COMMERCE_MINUTE = "agg.commerce-minute";
    public static final String AGG_IOT_DEVICE_5M = "agg.iot-device-5m";
    public static final String AGG_VIEWER_SESSIONS = "agg.viewer-sessions";
    public static final String AGG_TRENDING_TITLES = "agg.trending-titles";
    public static final String AGG_LATE_EVENTS = "agg.late-events";

    // Dead letters, one topic per job that writes them.
    public static final String INGEST_DEAD_LETTERS = "ingest.dead-letters";
    public static final String MEDIA_DEAD_LETTERS = "media.dead-letters";
    public static final String CEP_DEAD_LETTERS = "cep.dead-letters";
    public static final String AGG_DEAD_LETTERS = "agg.dead-letters";
    public static final String SINKS_DEAD_LETTERS = "sinks.dead-letters";
    public static final String DEAD_LETTERS_ALL =
            INGEST_DEAD_LETTERS
                    + ","
                    + MEDIA_DEAD_LETTERS
                    + ","
                    + CEP_DEAD_LETTERS
                    + ","
                    + AGG_DEAD_LETTERS
                    + ","
                    + SINKS_DEAD_LETTERS;

    private Topics() {}

    /** A comma-separated list of the constants above, as a list. */
    public static List<String> list(String commaSeparated) {
        return List.of(commaSeparated.split(","));
    }

    /** Every topic the suite uses, for tools that create them. */
    public static List<String> all() {
        return List.of(
                RAW_PLAYER,
                RAW_MEDIA,
                RAW_COMMERCE,
                RAW_IOT,
                EVENTS_PLAYER,
                EVENTS_MEDIA,
                EVENTS_COMMERCE,
                EVENTS_IOT,
                MEDIA_PIPELINE,
                CEP_ALERTS,
                CEP_LATE_EVENTS,
                AGG_QOE_MINUTE,
                AGG_QOE_RENDITION_MINUTE,
                AGG_COMMERCE_MINUTE,
                AGG_IOT_DEVICE_5M,
                AGG_VIEWER_SESSIONS,
                AGG_TRENDING_TITLES,
                AGG_LATE_EVENTS,
                INGEST_DEAD_LETTERS,
                MEDIA_DEAD_LETTERS,
                CEP_DEAD_LETTERS,
                AGG_DEAD_LETTERS,
                SINKS_DEAD_LETTERS);
    }
}
