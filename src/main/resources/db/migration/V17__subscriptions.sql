-- Subscriptions (bridge:changes/<name>): each reads every committed change of the outbox from its own position, and
-- has its own queue of deliveries, so a failing subscriber holds back no one: not the Mautic push, not another
-- subscriber. seen_at: its last poll; the outbox keeps the changes a recently seen subscription has not read yet.
CREATE TABLE subscription (
    name       text        PRIMARY KEY,
    position   bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    seen_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE subscription_delivery (
    id              bigserial   PRIMARY KEY,
    subscription    text        NOT NULL REFERENCES subscription (name) ON DELETE CASCADE,
    outbox_id       bigint      NOT NULL,
    payload         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    done_at         timestamptz,
    -- order is kept per person and event, as in the outbox
    order_person    text GENERATED ALWAYS AS (lower(payload ->> 'email')) STORED,
    order_event     text GENERATED ALWAYS AS ((payload ->> 'product') || ':' || (payload ->> 'eventKey')) STORED,
    UNIQUE (subscription, outbox_id)
);
CREATE INDEX subscription_delivery_pending ON subscription_delivery (subscription, id) WHERE status = 'pending';
CREATE INDEX subscription_delivery_order ON subscription_delivery (subscription, order_person, id) WHERE status = 'pending';
