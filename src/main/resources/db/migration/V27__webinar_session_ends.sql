-- The scheduled end of each session of a webinar (GoTo's times[]), as the latest listing or webhook told it: with
-- GoTo's webhooks active an account's webinar poll runs right after each of them, not only after the last.
CREATE TABLE webinar_session_end (
    account     text        NOT NULL,
    webinar_key text        NOT NULL,
    ends_at     timestamptz NOT NULL,
    PRIMARY KEY (webinar_key, ends_at)
);
CREATE INDEX webinar_session_end_account ON webinar_session_end (account, ends_at);
