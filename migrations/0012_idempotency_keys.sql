-- Idempotency keys of the POSTs that create something: a retried write gets its first answer.
-- Rows are found by a digest of the client's key, and the answer is sealed under another
-- digest of it, so the database alone cannot read an answer (which may hold a manage token).
CREATE TABLE idempotency_keys (
    lookup      bytea PRIMARY KEY,
    fingerprint bytea NOT NULL,
    status      smallint,
    nonce       bytea,
    answer      bytea,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
