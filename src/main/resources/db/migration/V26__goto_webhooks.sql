-- Each GoTo account's subscription to GoToWebinar's webhooks as the bridge last made or checked it (at start and
-- hourly), for status: active, failing (with why), or removed by `webhooks remove`.
CREATE TABLE goto_webhook (
    account    text        PRIMARY KEY,
    state      text        NOT NULL CHECK (state IN ('active', 'failing', 'removed')),
    message    text,
    checked_at timestamptz NOT NULL
);
