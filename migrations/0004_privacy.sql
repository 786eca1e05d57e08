-- Privacy against a determined adversary (issue 8): suspension, a volunteer's home history
-- (claims reach from the home as it stood before the claim window), an account audit log,
-- and a purge that keeps only what statistics need.

ALTER TABLE accounts
    ADD COLUMN suspended_at timestamptz,
    ADD COLUMN suspended_by bigint REFERENCES accounts (id) ON DELETE SET NULL;

-- Every home a volunteer set, as its resolution-9 cell: reach is measured from the centre of the
-- home's resolution-8 cell, so nothing finer is kept. Also counts home changes per day.
CREATE TABLE volunteer_home_changes (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    cell        bigint NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX volunteer_home_changes_account ON volunteer_home_changes (account_id, changed_at);

-- Who did what to an account, and alerts for coordinators: home changes, verification,
-- suspension, bursts of releases. `actor_id` NULL means the system.
CREATE TABLE account_events (
    id          bigserial PRIMARY KEY,
    account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    actor_id    bigint REFERENCES accounts (id) ON DELETE SET NULL,
    action      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_events_account ON account_events (account_id, action, created_at);
CREATE INDEX account_events_alerts ON account_events (created_at) WHERE action LIKE 'alert_%';

-- After the purge a request keeps its category, status, urgency, a resolution-7 cell and its
-- dates to the day; the resolution-9 cell, the token hash and the link to an account go.
ALTER TABLE help_requests
    ALTER COLUMN cell DROP NOT NULL,
    ALTER COLUMN manage_token_hash DROP NOT NULL,
    ADD COLUMN area_cell bigint;
-- The resolution-7 parent of a resolution-9 H3 index: resolution field (bits 52-55) set to 7,
-- digits 8 and 9 (bits 18-23) set to the unused digit 7.
UPDATE help_requests
SET area_cell = ((cell & ~(15::bigint << 52)) | (7::bigint << 52)) | (63::bigint << 18)
WHERE cell IS NOT NULL;
ALTER TABLE help_requests ALTER COLUMN area_cell SET NOT NULL;
-- Requests purged before this migration lose the rest of their trail too.
UPDATE help_requests
SET cell = NULL, manage_token_hash = NULL, created_by = NULL, on_behalf_of = false,
    needed_by = date_trunc('day', needed_by), created_at = date_trunc('day', created_at),
    updated_at = date_trunc('day', updated_at), closed_at = date_trunc('day', closed_at),
    purged_at = date_trunc('day', purged_at)
WHERE purged_at IS NOT NULL;
ALTER TABLE help_requests ADD CONSTRAINT help_requests_cell_until_purged
    CHECK ((purged_at IS NULL) = (cell IS NOT NULL));
CREATE INDEX request_events_account ON request_events (account_id, action, created_at);

-- The resolution-9 cell of a volunteer's current home, which is all matching reads of it.
ALTER TABLE volunteer_profiles ADD COLUMN home_cell bigint;
CREATE INDEX volunteer_profiles_home_cell ON volunteer_profiles (home_cell);

-- Assignments made under the old rules by organizers or unverified accounts go back to open.
WITH freed AS (
    UPDATE help_requests r SET status = 'open', assignee = NULL, assigned_at = NULL,
        updated_at = now()
    FROM accounts a
    WHERE a.id = r.assignee AND r.status = 'assigned'
      AND (a.role = 'organizer' OR NOT a.verified)
    RETURNING r.id)
INSERT INTO request_events (request_id, actor, action) SELECT id, 'system', 'released' FROM freed;
