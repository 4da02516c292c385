-- The inbox keeps order per person and event only: an entry waiting for its retry holds back the later entries of
-- the same person and event, and no one else's. The worker fills these in from the payload before it claims.
ALTER TABLE inbox ADD COLUMN order_person text, ADD COLUMN order_event text;
CREATE INDEX inbox_pending_order ON inbox (order_person, id) WHERE status = 'pending';
CREATE INDEX inbox_unordered ON inbox (id) WHERE status = 'pending' AND order_person IS NULL;
