-- The outbox keeps order per person and event only: a row waiting for its retry holds back the later rows of the
-- same person and event, and no one else's. A link email (order_event NULL) keeps order with every row of its
-- person, so the contact has what the changes before it wrote when it goes. Computed from the payload, so every
-- writer fills them in and rows queued before this migration have them too.
ALTER TABLE outbox
    ADD COLUMN order_person text GENERATED ALWAYS AS (CASE WHEN kind = 'email'
        THEN coalesce(lower(payload ->> 'email'), 'contact:' || (payload ->> 'contactId'))
        ELSE lower(payload ->> 'email') END) STORED,
    ADD COLUMN order_event text GENERATED ALWAYS AS (CASE WHEN kind = 'email' THEN NULL
        ELSE (payload ->> 'product') || ':' || (payload ->> 'eventKey') END) STORED;
CREATE INDEX outbox_pending_order ON outbox (order_person, id) WHERE status = 'pending';
