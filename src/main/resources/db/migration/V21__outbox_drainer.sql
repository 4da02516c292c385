-- The one drainer of the outbox, as a lease rather than a lock held in an open transaction, so no transaction stays
-- open while the push calls Mautic. A lease is free when claimed_by is NULL or names a process that has no
-- connection any more (application_name, as the inbox claims), and the holder releases it after each drain.
CREATE TABLE outbox_drainer (
    id         integer PRIMARY KEY CHECK (id = 1),
    claimed_by text,
    claimed_at timestamptz
);
INSERT INTO outbox_drainer (id) VALUES (1);
