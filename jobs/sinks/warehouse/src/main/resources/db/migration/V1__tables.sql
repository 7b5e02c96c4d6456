-- Tributary warehouse: one table per stream the suite produces. Every table has the natural key
-- of its records as primary key, so the sink job's at-least-once writes are upserts that a
-- replay cannot duplicate. Column lengths are the limits the sink checks before writing
-- (io.tributary.sinks.warehouse.Tables); a record that does not fit goes to the dead letters.

CREATE TABLE alerts (
    alert_id          uuid          PRIMARY KEY,
    rule_id           varchar(128)  NOT NULL,
    rule_version      integer       NOT NULL,
    severity          varchar(16)   NOT NULL,
    owner             varchar(128)  NOT NULL,
    alert_key         varchar(512)  NOT NULL,
    summary           varchar(2000) NOT NULL,
    details           jsonb         NOT NULL,
    matched_event_ids text[]        NOT NULL,
    first_event_time  timestamptz   NOT NULL,
    last_event_time   timestamptz   NOT NULL,
    detection_time    timestamptz   NOT NULL
);
CREATE INDEX alerts_rule_time ON alerts (rule_id, detection_time);

-- Aggregates: a late event re-fires a window with a higher revision; the highest one wins.
CREATE TABLE qoe_minute (
    window_start        timestamptz  NOT NULL,
    window_end          timestamptz  NOT NULL,
    title_id            varchar(128) NOT NULL,
    cdn                 varchar(64)  NOT NULL,
    region              varchar(64)  NOT NULL,
    device_class        varchar(16)  NOT NULL,
    revision            integer      NOT NULL,
    plays               bigint       NOT NULL,
    play_failures       bigint       NOT NULL,
    startup_time_avg_ms double precision,
    startup_time_p95_ms double precision,
    rebuffer_count      bigint       NOT NULL,
    buffering_ms        bigint       NOT NULL,
    watch_time_ms       bigint       NOT NULL,
    rebuffer_ratio      double precision,
    avg_bitrate_kbps    double precision,
    bitrate_switches    bigint       NOT NULL,
    errors              bigint       NOT NULL,
    error_rate          double precision,
    active_sessions     bigint       NOT NULL,
    PRIMARY KEY (window_start, title_id, cdn, region, device_class)
);

CREATE TABLE trending_titles (
    region       varchar(64) NOT NULL,
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    revision     integer     NOT NULL,
    titles       jsonb       NOT NULL,
    PRIMARY KEY (region, window_start)
);

CREATE TABLE viewer_sessions (
    viewer_id       varchar(128) NOT NULL,
    session_start   timestamptz  NOT NULL,
    session_end     timestamptz  NOT NULL,
    account_id      varchar(128) NOT NULL,
    revision        integer      NOT NULL,
    events          bigint       NOT NULL,
    length_ms       bigint       NOT NULL,
    watch_time_ms   bigint       NOT NULL,
    titles_watched  text[]       NOT NULL,
    buffering_ms    bigint       NOT NULL,
    buffering_share double precision,
    exit_reason     varchar(64)  NOT NULL,
    PRIMARY KEY (viewer_id, session_start)
);

CREATE TABLE commerce_minute (
    window_start              timestamptz NOT NULL,
    window_end                timestamptz NOT NULL,
    country                   varchar(16) NOT NULL,
    currency                  varchar(8)  NOT NULL,
    revision                  integer     NOT NULL,
    orders_created            bigint      NOT NULL,
    orders_paid               bigint      NOT NULL,
    revenue_minor             bigint      NOT NULL,
    average_order_value_minor double precision,
    payment_attempts          bigint      NOT NULL,
    payment_failures          bigint      NOT NULL,
    payment_failure_rate      double precision,
    PRIMARY KEY (window_start, country, currency)
);

CREATE TABLE iot_device_5m (
    window_start timestamptz      NOT NULL,
    window_end   timestamptz      NOT NULL,
    device_id    varchar(128)     NOT NULL,
    metric       varchar(64)      NOT NULL,
    unit         varchar(32)      NOT NULL,
    revision     integer          NOT NULL,
    readings     bigint           NOT NULL,
    min          double precision NOT NULL,
    max          double precision NOT NULL,
    mean         double precision NOT NULL,
    stddev       double precision NOT NULL,
    anomaly      boolean          NOT NULL,
    PRIMARY KEY (window_start, device_id, metric)
);

-- The latest state of each part of each media item's pipeline: the upload, each rendition's
-- transcode, each packaging format, the publication. The newest event (time, then id) wins.
CREATE TABLE media_jobs (
    media_id          varchar(128)  NOT NULL,
    stage             varchar(16)   NOT NULL,
    part              varchar(64)   NOT NULL,
    state             varchar(32)   NOT NULL,
    event_time        timestamptz   NOT NULL,
    event_id          varchar(128)  NOT NULL,
    upload_id         varchar(128),
    rendition         varchar(64),
    bitrate_kbps      integer,
    worker_id         varchar(128),
    attempt           integer,
    progress_percent  double precision,
    failure_reason    varchar(2000),
    packaging_format  varchar(16),
    manifest_uri      varchar(2048),
    cdn_url           varchar(2048),
    PRIMARY KEY (media_id, stage, part)
);

-- Everything any job of the suite refused, from every dead-letter topic. Unbounded text: a dead
-- letter must always fit, or it would have nowhere left to go.
CREATE TABLE dead_letters (
    job              text        NOT NULL,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    reason           text        NOT NULL,
    message          text        NOT NULL,
    field            text,
    source_timestamp timestamptz NOT NULL,
    dead_lettered_at timestamptz NOT NULL,
    original_key     bytea,
    original_value   bytea,
    PRIMARY KEY (job, source_topic, source_partition, source_offset)
);
CREATE INDEX dead_letters_reason_time ON dead_letters (reason, dead_lettered_at);
