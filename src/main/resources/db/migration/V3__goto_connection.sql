-- One GoTo connection = one OAuth client. Its rate limit is shared by every thread of every instance
-- through these tables, so no arrangement of routes or instances can exceed it.

-- Calls made in the current window (a sliding log: the limit holds in every window, not on average).
CREATE TABLE goto_call (
    connection text        NOT NULL,
    called_at  timestamptz NOT NULL
);
CREATE INDEX goto_call_window ON goto_call (connection, called_at);

-- A pause GoTo asked for (429 + Retry-After) applies to every caller of the connection.
CREATE TABLE goto_pause (
    connection   text        PRIMARY KEY,
    paused_until timestamptz NOT NULL
);

-- The refresh token in use: GoTo may issue a new one on refresh, and the old one then stops working, so the
-- current one must survive a restart. configured_hash tells whether the operator has since configured another.
CREATE TABLE goto_credential (
    client_id       text        PRIMARY KEY,
    configured_hash text        NOT NULL,
    refresh_token   text        NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
