-- Secrets the bridge made itself (the Mautic webhook secret `setup mautic` generates when mautic.webhook-secret is
-- empty), sealed like the GoTo tokens (SecretBox). A key set in the configuration wins over the stored one.
CREATE TABLE stored_secret (
    name       text PRIMARY KEY,
    value      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
