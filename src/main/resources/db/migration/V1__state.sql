-- State of the bridge. GoTo keys are kept as text: they are 64-bit, may be negative, and arrive as JSON
-- strings or numbers depending on the endpoint.

-- GoTo events (webinars, trainings, meetings, assist sessions) as last seen.
CREATE TABLE event (
    product      text        NOT NULL CHECK (product IN ('webinar', 'training', 'meeting', 'assist')),
    event_key    text        NOT NULL,
    title        text        NOT NULL,
    starts_at    timestamptz,
    ends_at      timestamptz,
    -- [{"sessionKey": "...", "startTime": "...", "endTime": "..."}], one per session of a recurring event
    sessions     jsonb       NOT NULL DEFAULT '[]',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product, event_key)
);

-- One person in one event: what GoTo said and what was pushed to Mautic.
CREATE TABLE registration (
    id                bigserial   PRIMARY KEY,
    product           text        NOT NULL,
    event_key         text        NOT NULL,
    email             text        NOT NULL,
    first_name        text,
    last_name         text,
    registrant_key    text,
    state             text        NOT NULL CHECK (state IN ('registered', 'attended', 'no-show', 'cancelled')),
    join_url          text,
    minutes_attended  integer     NOT NULL DEFAULT 0,
    mautic_contact_id bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX registration_person ON registration (product, event_key, lower(email));

-- Every inbound request (Mautic webhook delivery, campaign call), stored before it is acknowledged.
CREATE TABLE inbox (
    id              bigserial   PRIMARY KEY,
    source          text        NOT NULL,
    -- unique per delivered event, so a redelivery is stored once and processed once
    delivery_key    text        NOT NULL,
    payload         text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    received_at     timestamptz NOT NULL DEFAULT now(),
    done_at         timestamptz,
    UNIQUE (source, delivery_key)
);
CREATE INDEX inbox_due ON inbox (next_attempt_at, id) WHERE status = 'pending';

-- Every change to push to Mautic, written in the same transaction as the state it comes from.
CREATE TABLE outbox (
    id              bigserial   PRIMARY KEY,
    kind            text        NOT NULL,
    payload         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);
CREATE INDEX outbox_due ON outbox (id) WHERE status = 'pending';

-- Last sync of each product (and each single event, for one-shot syncs): when, how it ended, how far it got.
CREATE TABLE sync_cursor (
    product       text        NOT NULL,
    scope         text        NOT NULL DEFAULT '',
    started_at    timestamptz,
    finished_at   timestamptz,
    outcome       text        CHECK (outcome IN ('ok', 'partial', 'failed')),
    message       text,
    position      jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (product, scope)
);

-- Work that cannot succeed as it is, with the reason; replayed by hand once the cause is fixed.
CREATE TABLE dead_letter (
    id          bigserial   PRIMARY KEY,
    source      text        NOT NULL,
    reference   text,
    payload     text        NOT NULL,
    reason      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);
CREATE INDEX dead_letter_open ON dead_letter (created_at) WHERE replayed_at IS NULL;
