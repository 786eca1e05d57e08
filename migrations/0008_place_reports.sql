-- Live reports by neighbours on places: open or closed now, the queue, and the stock of a few
-- items. A report stores no location of the reporter and no account: `reporter` is a keyed
-- digest of the account or the client address (see operations/report_place.rs), kept only
-- long enough to replace a report and to hide a reporter, then erased by the maintenance run.
CREATE TABLE place_reports (
    id          bigserial PRIMARY KEY,
    place_id    bigint NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    reporter    text,
    tier        text NOT NULL CHECK (tier IN ('anonymous', 'registered', 'verified')),
    reported_at timestamptz NOT NULL DEFAULT now(),
    open        boolean,
    queue       text CHECK (queue IN ('none', 'short', 'long')),
    -- {"harina": "none", "leche": "little"}
    stock       jsonb NOT NULL DEFAULT '{}',
    -- "Open" when the hours say closed, or the reverse: it weighs half.
    doubtful    boolean NOT NULL DEFAULT false,
    CHECK (open IS NOT NULL OR queue IS NOT NULL OR stock <> '{}'::jsonb)
);

CREATE INDEX place_reports_by_place ON place_reports (place_id, reported_at DESC);
CREATE INDEX place_reports_by_reporter ON place_reports (reporter, place_id, reported_at DESC)
    WHERE reporter IS NOT NULL;
CREATE INDEX place_reports_by_time ON place_reports (reported_at);

-- Reporters a coordinator hid: their reports, past and future, do not count and are not shown.
CREATE TABLE hidden_reporters (
    reporter  text PRIMARY KEY,
    hidden_by bigint REFERENCES accounts (id) ON DELETE SET NULL,
    hidden_at timestamptz NOT NULL DEFAULT now()
);

-- The key of the reporter digests: random per deployment, so a digest cannot be reversed by
-- hashing every account id or address.
CREATE TABLE report_key (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    secret   text NOT NULL
);
INSERT INTO report_key (secret)
VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

-- The latest report on a place, so that lists read reports only for places that have some.
ALTER TABLE places ADD COLUMN last_report_at timestamptz;
CREATE INDEX places_reported_gist ON places USING gist (location)
    WHERE last_report_at IS NOT NULL;
