-- Pull sync: per-session attendance on each registration, the outbox row's link to its registration,
-- and the ids of the managed Mautic segments so they are looked up once.

ALTER TABLE registration ADD COLUMN seconds_by_session jsonb NOT NULL DEFAULT '{}';

ALTER TABLE outbox ADD COLUMN registration_id bigint REFERENCES registration (id);
-- set before a per-contact call that Mautic cannot deduplicate (UTM row, note), so a retry after a crash
-- first checks whether the call already took effect
ALTER TABLE outbox ADD COLUMN detail_attempted_at timestamptz;

CREATE TABLE mautic_segment (
    name       text   PRIMARY KEY,
    segment_id bigint NOT NULL
);

-- The options last written to Mautic's event select fields (goto_webinar, goto_training), so an unchanged
-- list costs no call.
CREATE TABLE mautic_field_options (
    alias   text PRIMARY KEY,
    options jsonb NOT NULL
);
