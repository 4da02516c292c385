-- The process that runs a poll (its connections' application_name): a poll whose process has no connection left
-- was killed with it, and status says interrupted instead of running.
ALTER TABLE sync_cursor ADD COLUMN instance text;
