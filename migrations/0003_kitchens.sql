-- Community kitchens: who runs them, what they need, and who pledged or signed up (issue 5).

ALTER TABLE places ADD COLUMN created_by bigint REFERENCES accounts (id) ON DELETE SET NULL;

CREATE TABLE place_organizers (
    place_id   bigint NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (place_id, account_id)
);
CREATE INDEX place_organizers_account ON place_organizers (account_id);

CREATE TABLE needs (
    id         bigserial PRIMARY KEY,
    place_id   bigint NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('supplies', 'shift')),
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'expired')),
    -- supplies
    item       text,
    quantity   double precision CHECK (quantity > 0),
    unit       text,
    needed_by  timestamptz,
    -- shift
    role       text CHECK (role IN ('cook', 'serve', 'deliver', 'clean')),
    starts_at  timestamptz,
    ends_at    timestamptz,
    slots      integer CHECK (slots > 0),
    created_by bigint REFERENCES accounts (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_at  timestamptz,
    CHECK (kind <> 'supplies' OR (item IS NOT NULL AND quantity IS NOT NULL AND unit IS NOT NULL)),
    CHECK (kind <> 'shift' OR (role IS NOT NULL AND starts_at < ends_at AND slots IS NOT NULL))
);
CREATE INDEX needs_place_open ON needs (place_id) WHERE status = 'open';

CREATE TABLE pledges (
    id          bigserial PRIMARY KEY,
    need_id     bigint NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    quantity    double precision NOT NULL CHECK (quantity > 0),
    status      text NOT NULL DEFAULT 'pledged' CHECK (status IN ('pledged', 'received', 'withdrawn')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pledges_need ON pledges (need_id);
CREATE INDEX pledges_account ON pledges (account_id);

CREATE TABLE shift_signups (
    need_id     bigint NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (need_id, account_id)
);
CREATE INDEX shift_signups_account ON shift_signups (account_id);
