-- An event GoTo stopped listing before it started was cancelled (or deleted) there: when, so its event-cancelled
-- change is written once, and a form no longer offers it. Listed again, it is back (and changed).
ALTER TABLE event ADD COLUMN cancelled_at timestamptz;
