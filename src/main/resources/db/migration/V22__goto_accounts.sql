-- GoTo organizer accounts connected in the browser (/connect/goto) or with a Personal Access Token (`connect goto
-- --pat`). The refresh token is stored sealed with bridge.secret-key when that is set ('gcm:' + base64 of IV and
-- AES-GCM ciphertext), else as 'plain:' + the token; it is never shown back. A disconnected account keeps its row
-- (its history stays attributed) without a token.
CREATE TABLE goto_account (
    name            text PRIMARY KEY,
    organizer_key   text NOT NULL UNIQUE,
    email           text NOT NULL,
    refresh_token   text,
    connected_at    timestamptz NOT NULL DEFAULT now(),
    disconnected_at timestamptz
);

-- One authorization in progress: the state sent to GoTo (its hash), the browser it belongs to (the hash of its
-- cookie, or 'cli' for `connect goto`), and the PKCE verifier. Used once; stale after ten minutes.
CREATE TABLE goto_connect (
    state_hash  text PRIMARY KEY,
    browser     text NOT NULL,
    verifier    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
