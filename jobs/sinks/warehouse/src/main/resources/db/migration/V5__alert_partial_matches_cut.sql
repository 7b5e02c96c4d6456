-- Partial matches the CEP job cut for the alert's key since its previous alert (--max-partial-matches):
-- an alert with a count above 0 may have missed matches that started before the cut.
ALTER TABLE alerts ADD COLUMN partial_matches_cut bigint NOT NULL DEFAULT 0;
