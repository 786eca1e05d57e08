-- The distribution key for Citus (SCALING.md section 2), kept on a single PostgreSQL too, so
-- that one schema and one set of queries serve both: `shard_cell` is the resolution-5 H3
-- parent of a row's cell. Places take it from `cell`, help requests from `area_cell` (which
-- survives the purge), and the rows that hang off them copy their parent's, because Citus
-- wants the distribution column in every key and foreign key between distributed tables.

-- The resolution-5 parent of a resolution-5-or-finer H3 index: resolution field (bits 52-55)
-- set to 5, digits 6 to 15 (bits 0-29) set to the unused digit 7. `domain::cells::Cell::shard`
-- is the same in Rust; a test holds them equal.
CREATE FUNCTION antes_shard_cell(cell bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (cell & ~((15::bigint << 52) | 1073741823)) | (5::bigint << 52) | 1073741823 $$;

ALTER TABLE places ADD COLUMN shard_cell bigint;
UPDATE places SET shard_cell = antes_shard_cell(cell);
ALTER TABLE places ALTER COLUMN shard_cell SET NOT NULL,
    ADD CONSTRAINT places_shard_id_key UNIQUE (shard_cell, id),
    ADD CONSTRAINT places_shard_source_key UNIQUE (shard_cell, source);

ALTER TABLE help_requests ADD COLUMN shard_cell bigint;
UPDATE help_requests SET shard_cell = antes_shard_cell(area_cell);
ALTER TABLE help_requests ALTER COLUMN shard_cell SET NOT NULL,
    ADD CONSTRAINT help_requests_shard_id_key UNIQUE (shard_cell, id);

-- Children: copy the parent's shard_cell, then point the foreign key at (shard_cell, id).
-- ON UPDATE CASCADE lets a place that moves into another parent cell take its rows along on a
-- single PostgreSQL; Citus cannot move a row between shards (see 0015).
ALTER TABLE place_organizers ADD COLUMN shard_cell bigint;
UPDATE place_organizers o SET shard_cell = p.shard_cell FROM places p WHERE p.id = o.place_id;
ALTER TABLE place_organizers ALTER COLUMN shard_cell SET NOT NULL,
    DROP CONSTRAINT place_organizers_place_id_fkey,
    ADD CONSTRAINT place_organizers_place_fkey FOREIGN KEY (shard_cell, place_id)
        REFERENCES places (shard_cell, id) ON DELETE CASCADE ON UPDATE CASCADE,
    DROP CONSTRAINT place_organizers_pkey,
    ADD PRIMARY KEY (shard_cell, place_id, account_id);

ALTER TABLE needs ADD COLUMN shard_cell bigint;
UPDATE needs n SET shard_cell = p.shard_cell FROM places p WHERE p.id = n.place_id;
ALTER TABLE needs ALTER COLUMN shard_cell SET NOT NULL,
    DROP CONSTRAINT needs_place_id_fkey,
    ADD CONSTRAINT needs_place_fkey FOREIGN KEY (shard_cell, place_id)
        REFERENCES places (shard_cell, id) ON DELETE CASCADE ON UPDATE CASCADE,
    ADD CONSTRAINT needs_shard_id_key UNIQUE (shard_cell, id);

ALTER TABLE pledges ADD COLUMN shard_cell bigint;
UPDATE pledges x SET shard_cell = n.shard_cell FROM needs n WHERE n.id = x.need_id;
ALTER TABLE pledges ALTER COLUMN shard_cell SET NOT NULL,
    DROP CONSTRAINT pledges_need_id_fkey,
    ADD CONSTRAINT pledges_need_fkey FOREIGN KEY (shard_cell, need_id)
        REFERENCES needs (shard_cell, id) ON DELETE CASCADE ON UPDATE CASCADE,
    ADD CONSTRAINT pledges_shard_id_key UNIQUE (shard_cell, id);

ALTER TABLE shift_signups ADD COLUMN shard_cell bigint;
UPDATE shift_signups x SET shard_cell = n.shard_cell FROM needs n WHERE n.id = x.need_id;
ALTER TABLE shift_signups ALTER COLUMN shard_cell SET NOT NULL,
    DROP CONSTRAINT shift_signups_need_id_fkey,
    ADD CONSTRAINT shift_signups_need_fkey FOREIGN KEY (shard_cell, need_id)
        REFERENCES needs (shard_cell, id) ON DELETE CASCADE ON UPDATE CASCADE,
    DROP CONSTRAINT shift_signups_pkey,
    ADD PRIMARY KEY (shard_cell, need_id, account_id);

ALTER TABLE place_reports ADD COLUMN shard_cell bigint;
UPDATE place_reports r SET shard_cell = p.shard_cell FROM places p WHERE p.id = r.place_id;
ALTER TABLE place_reports ALTER COLUMN shard_cell SET NOT NULL,
    DROP CONSTRAINT place_reports_place_id_fkey,
    ADD CONSTRAINT place_reports_place_fkey FOREIGN KEY (shard_cell, place_id)
        REFERENCES places (shard_cell, id) ON DELETE CASCADE ON UPDATE CASCADE,
    ADD CONSTRAINT place_reports_shard_id_key UNIQUE (shard_cell, id);

ALTER TABLE request_events ADD COLUMN shard_cell bigint;
UPDATE request_events e SET shard_cell = r.shard_cell FROM help_requests r WHERE r.id = e.request_id;
ALTER TABLE request_events ALTER COLUMN shard_cell SET NOT NULL,
    DROP CONSTRAINT request_events_request_id_fkey,
    ADD CONSTRAINT request_events_request_fkey FOREIGN KEY (shard_cell, request_id)
        REFERENCES help_requests (shard_cell, id) ON DELETE CASCADE,
    ADD CONSTRAINT request_events_shard_id_key UNIQUE (shard_cell, id);
