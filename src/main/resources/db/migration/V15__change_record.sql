-- The outbox carries one typed change record (io.gotomautic.bridge.change.Change, documented in the README): rows
-- written before it, in the older form, are rewritten to it, so a queued, dead or replayed change reads the same
-- as a new one. Their event start is the stored event's; they all came from a poll or a registration, told apart
-- no more: 'poll'.
UPDATE outbox o SET payload = (o.payload - 'title' - 'date' - 'state') || jsonb_build_object(
        'id', gen_random_uuid()::text,
        'type', o.payload -> 'state',
        'eventTitle', o.payload -> 'title',
        'eventStart', (SELECT to_char(e.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM event e
                       WHERE e.product = o.payload ->> 'product' AND e.event_key = o.payload ->> 'eventKey'),
        'occurredAt', to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'source', 'poll',
        'details', '{}'::jsonb,
        'answers', '[]'::jsonb)
WHERE o.kind = 'registration' AND o.payload ? 'state';
