-- A managed segment is the bridge's by its event and state, not by its name, so a new bridge.mautic.segment-name or
-- an event renamed in GoTo renames the segment in Mautic instead of orphaning it. Rows from before keep only their
-- name (product NULL) until the push meets their event and takes them over.
ALTER TABLE mautic_segment DROP CONSTRAINT mautic_segment_pkey;
ALTER TABLE mautic_segment ADD COLUMN product text, ADD COLUMN event_key text, ADD COLUMN state text;
CREATE UNIQUE INDEX mautic_segment_event_state ON mautic_segment (product, event_key, state);
CREATE INDEX mautic_segment_unclaimed ON mautic_segment (name) WHERE product IS NULL;
