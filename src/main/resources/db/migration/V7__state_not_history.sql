-- Mautic shows GoTo's state, not the history of pushes.

-- The managed segments (by state label: registered, attended, no-show, cancelled) that may hold the person's
-- contact: widened before the push adds the contact to the segments of its current state, narrowed to those
-- once the push is done, so a later state removes exactly these and nothing costs a call per contact for
-- nothing. Pushed rows start from every state their delivered changes carried (the old push kept them all).
ALTER TABLE registration ADD COLUMN mautic_segments text[] NOT NULL DEFAULT '{}';
UPDATE registration r SET mautic_segments = ARRAY(
    SELECT DISTINCT seg FROM (
        SELECT o.payload->>'state' AS s FROM outbox o WHERE o.registration_id = r.id AND o.status = 'delivered'
        UNION SELECT r.state) states,
    LATERAL (VALUES (states.s), (CASE WHEN r.product IN ('webinar', 'training') AND states.s <> 'cancelled'
                                      THEN 'registered' END)) segments (seg)
    WHERE seg IS NOT NULL ORDER BY seg)
WHERE r.mautic_contact_id IS NOT NULL;

-- Since when a registered person has been missing from GoTo's registrant listings (which lag by up to two
-- hours): cancelled once missing for bridge.cancel-after; NULL again as soon as a listing shows them.
ALTER TABLE registration ADD COLUMN absent_since timestamptz;
