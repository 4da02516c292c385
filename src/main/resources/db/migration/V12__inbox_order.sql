-- The inbox keeps order per person and event only: an entry waiting for its retry holds back the later entries of
-- the same person and event, and no one else's. The worker fills these in from the payload before it claims.
ALTER TABLE inbox ADD COLUMN order_person text, ADD COLUMN order_event text;
-- the claim walks the pending entries in order and looks for an older one of the same person: both by index, so a
-- claim costs the same with 5 or 5,000 entries waiting
CREATE INDEX inbox_pending ON inbox (id) WHERE status = 'pending';
CREATE INDEX inbox_pending_order ON inbox (order_person, id) WHERE status = 'pending';
CREATE INDEX inbox_unordered ON inbox (id) WHERE status = 'pending' AND order_person IS NULL;
