-- GoTo calls per connection and minute, for the admin console's chart of the last hour against the rate limit.
-- goto_call keeps only the current window; this keeps a day (housekeeping deletes older minutes).
CREATE TABLE goto_call_minute (
    connection text        NOT NULL,
    minute     timestamptz NOT NULL,
    calls      integer     NOT NULL,
    PRIMARY KEY (connection, minute)
);
