-- The meetings and assist sessions the bridge created for a contact. The start link lets whoever holds it host
-- the session, so it goes to the organizer (this table, the log, optionally an email to bridge.organizer-email)
-- and never to the contact, who gets join_url.
CREATE TABLE organizer_link (
    id          bigserial   PRIMARY KEY,
    product     text        NOT NULL CHECK (product IN ('meeting', 'assist')),
    session_key text        NOT NULL,
    join_url    text        NOT NULL,
    start_url   text,
    for_email   text,
    inbox_id    bigint      REFERENCES inbox (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
