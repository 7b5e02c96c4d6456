-- Views for analysts; docs/queries.md in this module shows how to use them.

-- Trending rankings as rows: one per (region, window, rank).
CREATE VIEW trending_ranked AS
SELECT t.region, t.window_start, t.window_end, t.revision, r.rank, r.title_id, r.plays
FROM trending_titles t,
     jsonb_to_recordset(t.titles) AS r(rank integer, title_id text, plays bigint);

-- QoE per title and day, from the per-minute windows.
CREATE VIEW daily_qoe_by_title AS
SELECT date_trunc('day', window_start) AS day,
       title_id,
       sum(plays)                                                  AS plays,
       sum(play_failures)                                          AS play_failures,
       sum(play_failures)::double precision / nullif(sum(plays), 0) AS play_failure_rate,
       sum(rebuffer_count)                                         AS rebuffers,
       sum(buffering_ms)::double precision / nullif(sum(watch_time_ms), 0) AS rebuffer_ratio,
       sum(startup_time_avg_ms * plays) / nullif(sum(plays) FILTER (WHERE startup_time_avg_ms IS NOT NULL), 0)
                                                                   AS startup_time_avg_ms,
       sum(avg_bitrate_kbps * watch_time_ms) / nullif(sum(watch_time_ms) FILTER (WHERE avg_bitrate_kbps IS NOT NULL), 0)
                                                                   AS avg_bitrate_kbps,
       sum(watch_time_ms) / 3600000.0                              AS watch_hours
FROM qoe_minute
GROUP BY 1, 2;

-- CDNs by share of watch time spent buffering, worst first, per region and day.
CREATE VIEW worst_cdns_by_rebuffer_ratio AS
SELECT date_trunc('day', window_start) AS day,
       cdn,
       region,
       sum(buffering_ms)::double precision / nullif(sum(watch_time_ms), 0) AS rebuffer_ratio,
       sum(rebuffer_count)  AS rebuffers,
       sum(watch_time_ms) / 3600000.0 AS watch_hours
FROM qoe_minute
GROUP BY 1, 2, 3
ORDER BY rebuffer_ratio DESC NULLS LAST;

CREATE VIEW alerts_by_rule_and_severity AS
SELECT date_trunc('day', detection_time) AS day,
       rule_id,
       severity,
       count(*)              AS alerts,
       count(DISTINCT alert_key) AS distinct_keys,
       min(first_event_time) AS first_seen,
       max(last_event_time)  AS last_seen
FROM alerts
GROUP BY 1, 2, 3;

CREATE VIEW dead_letters_by_reason AS
SELECT date_trunc('day', dead_lettered_at) AS day,
       job,
       source_topic,
       reason,
       count(*)             AS records,
       max(dead_lettered_at) AS latest,
       (array_agg(message ORDER BY dead_lettered_at DESC))[1] AS latest_message
FROM dead_letters
GROUP BY 1, 2, 3, 4;
