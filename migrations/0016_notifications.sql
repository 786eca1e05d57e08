-- Notifications (README "Notifications"): each account's channels and quiet hours, Web Push
-- subscriptions, kitchens a neighbour follows, the outbox, and the schedule of rounds.
-- On Citus these stay on the coordinator, like sessions (migration 0015).
--
-- The whole migration is one DO block for Citus. It sends the DDL of a table in its metadata
-- (help_requests, and each new table once it references accounts) to the other nodes as the
-- statement's text, and a migration's text is all of its statements, which a node refuses in
-- one command; in a DO block each statement has a text of its own. This transaction also
-- changes accounts (a reference table there) after help_requests, which Citus allows only one
-- shard at a time.
DO $migration$
BEGIN
IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
END IF;


-- A requester may leave an email to hear when their request is taken, done or expired. Only the
-- sender reads it (no view shows it), and the retention purge erases it with the phone.
-- Citus wants each constraint named, and added apart from its column.
ALTER TABLE help_requests ADD COLUMN contact_email text;
ALTER TABLE help_requests ADD COLUMN contact_language text NOT NULL DEFAULT 'es';
ALTER TABLE help_requests ADD CONSTRAINT help_requests_contact_email_check
    CHECK (length(contact_email) <= 254);
ALTER TABLE help_requests ADD CONSTRAINT help_requests_contact_language_check
    CHECK (contact_language IN ('es', 'en'));

CREATE TABLE notification_settings (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    language    text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
    by_push     boolean NOT NULL DEFAULT false,
    by_email    boolean NOT NULL DEFAULT false,
    -- The deployment's SMS or WhatsApp gateway, behind the signed webhook, writes to this number.
    by_webhook  boolean NOT NULL DEFAULT false,
    webhook_to  text,
    -- Local times of day (the deployment's zone), minutes after midnight; may wrap midnight.
    quiet_from  smallint CHECK (quiet_from BETWEEN 0 AND 1439),
    quiet_to    smallint CHECK (quiet_to BETWEEN 0 AND 1439),
    -- The one-click unsubscribe link in mails (RFC 8058); it can do nothing but turn mail off.
    unsubscribe_token text NOT NULL UNIQUE,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL)),
    CHECK (NOT by_webhook OR webhook_to IS NOT NULL)
);

CREATE TABLE push_subscriptions (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint    text NOT NULL UNIQUE CHECK (length(endpoint) <= 1024),
    p256dh      text NOT NULL CHECK (length(p256dh) <= 128),
    auth        text NOT NULL CHECK (length(auth) <= 64),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

-- Neighbours who asked to hear when a kitchen lacks supplies.
CREATE TABLE kitchen_followers (
    place_id    bigint NOT NULL,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (place_id, account_id)
);
CREATE INDEX kitchen_followers_account ON kitchen_followers (account_id);

-- The outbox. A row is written in the transaction of the event that causes it, and holds the
-- facts of the message, never an address: the sender reads the recipient's channels when it
-- sends, so a purge or an unsubscribe also stops what is queued.
CREATE TABLE notifications (
    id              bigserial PRIMARY KEY,
    -- One message per event, recipient and channel, however often the event is processed.
    dedupe_key      text NOT NULL UNIQUE,
    -- NULL for the requester, who has no account; the request holds their email.
    account_id      bigint REFERENCES accounts (id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('push', 'email', 'webhook')),
    kind            text NOT NULL
                    CHECK (kind IN ('request', 'shift', 'supplies', 'unclaimed', 'request_status')),
    request_id      uuid,
    need_id         bigint,
    round           smallint,
    facts           jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_request ON notifications (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX notifications_need ON notifications (need_id) WHERE need_id IS NOT NULL;
CREATE INDEX notifications_account_recent ON notifications (account_id, created_at);

-- The next round of a request or shift: who else to tell if nobody has taken it by `due_at`.
CREATE TABLE notification_rounds (
    subject_kind text NOT NULL CHECK (subject_kind IN ('request', 'shift')),
    subject      text NOT NULL,
    round        smallint NOT NULL,
    due_at       timestamptz NOT NULL,
    PRIMARY KEY (subject_kind, subject)
);
CREATE INDEX notification_rounds_due ON notification_rounds (due_at);
END
$migration$;
