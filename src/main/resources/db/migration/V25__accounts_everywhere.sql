-- Several GoTo accounts at once: each is polled on its own, so each event, each poll's cursor and each dead letter
-- says which account it belongs to. An event key is unique across GoTo, so it stays the event's key; its account says
-- which connection polls it, registers people for it, and may call it cancelled when its listing no longer shows it.

-- Until now one connection polled everything: goto.refresh-token's (`default`) when set, else the account connected
-- last. Rows from then are given that account; the next poll of the account that really lists an event corrects it.
ALTER TABLE event ADD COLUMN account text;
UPDATE event SET account = coalesce(
    (SELECT name FROM goto_account WHERE refresh_token IS NOT NULL ORDER BY connected_at DESC, name LIMIT 1), 'default');

ALTER TABLE sync_cursor ADD COLUMN account text NOT NULL DEFAULT 'default';
ALTER TABLE sync_cursor DROP CONSTRAINT sync_cursor_pkey;
ALTER TABLE sync_cursor ADD PRIMARY KEY (product, scope, account);
ALTER TABLE sync_cursor ALTER COLUMN account DROP DEFAULT;

-- null when the work concerns no one account (a Mautic request for an event no account has polled yet)
ALTER TABLE dead_letter ADD COLUMN account text;
