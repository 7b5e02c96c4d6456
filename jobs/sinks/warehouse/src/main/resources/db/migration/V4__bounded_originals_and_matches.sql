-- A dead letter whose original key or value was too large for the dead-letter topic keeps only
-- its first bytes; these say how long the original was and let it be matched by hash.
ALTER TABLE dead_letters
    ADD COLUMN original_key_size     integer,
    ADD COLUMN original_key_sha256   text,
    ADD COLUMN original_value_size   integer,
    ADD COLUMN original_value_sha256 text;

-- An alert of a long match lists its first and last ten event ids; this says how many matched.
ALTER TABLE alerts ADD COLUMN matched_event_count integer NOT NULL DEFAULT 0;
