-- Calls GoTo cannot deduplicate (creating a meeting or an assist session), recorded before they are made and removed
-- with the outcome: a record left behind by a crash says a later attempt must look for the session (by its reference)
-- before creating another.
CREATE TABLE side_effect_intent (
    key text PRIMARY KEY,
    reference text NOT NULL,
    began_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 1
);
