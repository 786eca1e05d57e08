-- Help requests, accounts, volunteers and the audit log (issue 4).

CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL,
    password_hash text NOT NULL,
    display_name  text NOT NULL,
    phone         text,
    role          text NOT NULL DEFAULT 'volunteer'
                  CHECK (role IN ('volunteer', 'organizer', 'coordinator')),
    verified      boolean NOT NULL DEFAULT false,
    verified_at   timestamptz,
    verified_by   bigint REFERENCES accounts (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Emails compare case-insensitively; the API maps this constraint to 409 email_taken.
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));
CREATE INDEX accounts_unverified ON accounts (created_at) WHERE NOT verified;

-- Server-side sessions, so they can be revoked. Only the SHA-256 of the cookie token is stored.
CREATE TABLE sessions (
    token_hash  text PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- A volunteer's home is private: it is used for matching only and never leaves the database.
CREATE TABLE volunteer_profiles (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    skills      text[] NOT NULL,
    home        geography(Point, 4326) NOT NULL,
    radius_m    double precision NOT NULL CHECK (radius_m > 0),
    on_duty     boolean NOT NULL DEFAULT false,
    max_open    integer NOT NULL CHECK (max_open >= 1),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX volunteer_profiles_home_gist ON volunteer_profiles USING gist (home);

CREATE TABLE help_requests (
    -- Random, so that ids cannot be walked to collect every request's public cell.
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    category          text NOT NULL
                      CHECK (category IN ('groceries', 'medicine', 'company', 'errand', 'meal', 'other')),
    description       text,
    -- Exact point; NULL once the retention purge has erased it.
    location          geography(Point, 4326),
    -- Resolution-9 H3 cell, kept after the purge so that counts stay.
    cell              bigint NOT NULL,
    address_detail    text,
    contact_name      text,
    contact_phone     text,
    on_behalf_of      boolean NOT NULL DEFAULT false,
    needed_by         timestamptz,
    urgency           text NOT NULL CHECK (urgency IN ('low', 'normal', 'high')),
    status            text NOT NULL
                      CHECK (status IN ('pending_review', 'open', 'assigned', 'done', 'cancelled',
                                        'expired', 'rejected')),
    -- SHA-256 (hex) of the private manage token; the token itself is shown once.
    manage_token_hash text NOT NULL,
    created_by        bigint REFERENCES accounts (id) ON DELETE SET NULL,
    assignee          bigint REFERENCES accounts (id) ON DELETE SET NULL,
    assigned_at       timestamptz,
    -- When the request reached done, cancelled, expired or rejected; the retention clock.
    closed_at         timestamptz,
    purged_at         timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'assigned') = (assignee IS NOT NULL))
);
CREATE INDEX help_requests_location_gist ON help_requests USING gist (location);
CREATE INDEX help_requests_location_geom_gist ON help_requests USING gist ((location::geometry));
CREATE INDEX help_requests_cell_btree ON help_requests (cell);
CREATE INDEX help_requests_status ON help_requests (status, created_at);
CREATE INDEX help_requests_assignee ON help_requests (assignee) WHERE assignee IS NOT NULL;

-- Who did or saw what, and when: lifecycle actions and every reveal of the full view.
CREATE TABLE request_events (
    id          bigserial PRIMARY KEY,
    request_id  uuid NOT NULL REFERENCES help_requests (id) ON DELETE CASCADE,
    account_id  bigint REFERENCES accounts (id) ON DELETE SET NULL,
    -- 'account', 'requester' (through the manage link) or 'system' (expiry, purge).
    actor       text NOT NULL CHECK (actor IN ('account', 'requester', 'system')),
    action      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_events_request ON request_events (request_id, id);
CREATE INDEX request_events_claims ON request_events (account_id, created_at) WHERE action = 'claimed';
