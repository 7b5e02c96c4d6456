-- QoE joined back to the media pipeline: playback quality per title x rendition, and which
-- published renditions hurt playback.

-- Orders the events of one media_jobs part that carry the same time (a decision and the report
-- that caused it); see MediaJobRow.step.
ALTER TABLE media_jobs ADD COLUMN step integer NOT NULL DEFAULT 0;

-- Newest revision of each title x rendition x minute (agg.qoe-rendition-minute).
CREATE TABLE qoe_rendition_minute (
    window_start   timestamptz      NOT NULL,
    window_end     timestamptz      NOT NULL,
    title_id       varchar(128)     NOT NULL,
    rendition_id   varchar(64)      NOT NULL,
    revision       integer          NOT NULL,
    watch_time_ms  bigint           NOT NULL,
    rebuffer_count bigint           NOT NULL,
    buffering_ms   bigint           NOT NULL,
    rebuffer_ratio double precision,
    downshifts     bigint           NOT NULL,
    errors         bigint           NOT NULL,
    fatal_errors   bigint           NOT NULL,
    PRIMARY KEY (window_start, title_id, rendition_id)
);

-- Per day, every rendition viewers played of every title the pipeline published: the pipeline's
-- side (when the title went live, its CDN URL, the rendition's bitrate and transcode attempts) next
-- to the players' side (watch time, stalls, downshifts away from it, errors). rebuffer_ratio_vs_title
-- above 1 means the rendition stalls more than the title's renditions together: the one to look at.
-- in_published_ladder is false for renditions players report but the pipeline never produced.
CREATE VIEW rendition_qoe_by_published_title AS
WITH published AS (
    SELECT media_id AS title_id, event_time AS published_at, cdn_url
    FROM media_jobs
    WHERE stage = 'publish' AND state = 'PUBLISHED'
), transcoded AS (
    SELECT media_id AS title_id, part AS rendition_id, bitrate_kbps, attempt AS transcode_attempts, worker_id
    FROM media_jobs
    WHERE stage = 'transcode' AND part <> '' AND state = 'TRANSCODE_COMPLETED'
), played AS (
    SELECT date_trunc('day', window_start) AS day,
           title_id,
           rendition_id,
           sum(watch_time_ms)  AS watch_time_ms,
           sum(rebuffer_count) AS rebuffers,
           sum(buffering_ms)   AS buffering_ms,
           sum(downshifts)     AS downshifts,
           sum(errors)         AS errors,
           sum(fatal_errors)   AS fatal_errors
    FROM qoe_rendition_minute
    GROUP BY 1, 2, 3
)
SELECT q.day,
       q.title_id,
       q.rendition_id,
       p.published_at,
       p.cdn_url,
       t.bitrate_kbps,
       t.transcode_attempts,
       t.worker_id,
       t.title_id IS NOT NULL                                               AS in_published_ladder,
       q.watch_time_ms / 3600000.0                                          AS watch_hours,
       q.rebuffers,
       q.buffering_ms::double precision / nullif(q.watch_time_ms, 0)        AS rebuffer_ratio,
       (q.buffering_ms::double precision / nullif(q.watch_time_ms, 0))
           / nullif(sum(q.buffering_ms) OVER title_day::double precision
                    / nullif(sum(q.watch_time_ms) OVER title_day, 0), 0)    AS rebuffer_ratio_vs_title,
       q.downshifts,
       q.downshifts * 3600000.0 / nullif(q.watch_time_ms, 0)                AS downshifts_per_watch_hour,
       q.errors,
       q.fatal_errors
FROM played q
JOIN published p ON p.title_id = q.title_id
LEFT JOIN transcoded t ON t.title_id = q.title_id AND t.rendition_id = q.rendition_id
WINDOW title_day AS (PARTITION BY q.day, q.title_id);
