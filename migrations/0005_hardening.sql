-- Rate limits shared by every server instance: one row per (action, address or account) key,
-- holding the GCRA's theoretical arrival time. Keys are SHA-256 digests, so the table holds
-- no addresses or emails. Unlogged: after a crash the limits simply start afresh.
CREATE UNLOGGED TABLE rate_limits (
    key  text PRIMARY KEY,
    tat  timestamptz NOT NULL
);

-- Sessions end after `session_idle_days` without use, as well as at `expires_at`.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- One-time password reset links that a coordinator issues. Only the token's digest is kept.
CREATE TABLE password_resets (
    token_hash  text PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_by  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_account ON password_resets (account_id);
