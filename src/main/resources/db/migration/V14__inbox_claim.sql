-- The inbox worker claims an entry and commits before it calls GoTo, so no transaction or row lock is held across
-- the call: the claim names the process (its connections' application_name). A claim whose process has no
-- connection left died with it, and the entry is claimed again (registering is idempotent by GoTo's 409, sessions by
-- side_effect_intent).
ALTER TABLE inbox ADD COLUMN claimed_by text, ADD COLUMN claimed_at timestamptz;
