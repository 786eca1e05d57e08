-- On Citus, distribute the tables (SCALING.md section 2); on a single PostgreSQL, nothing.
-- This is a migration rather than a separate step so that `antes migrate` works against a
-- Citus coordinator unchanged: the database decides, by whether the citus extension is in it.
-- Register the workers first (scripts/citus does): tables are spread over the nodes known now.
--
-- * Distributed by shard_cell and co-located, so a join on (shard_cell, id) stays on one
--   shard: places and help requests, and the rows that hang off them.
-- * Reference tables, a copy on every node: accounts, read by nearly every query and joined
--   from every distributed table; and volunteer profiles, so that matching (a nearest-first
--   walk over every volunteer's public home) reads one node, whatever the radius, instead of
--   the 5.4 shard cells on average that distributing them would cost (SCALING.md section 3).
--   Profiles change rarely (duty, skills, a move), and each change writes every node.
-- * Reporters a coordinator hid are a reference table too: tiny, and read with reports.
-- * Everything else stays on the coordinator: sessions, rate limits, account events, keys.
--   Citus adds those that reference accounts to its metadata, so their foreign keys stay.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RETURN;
    END IF;

    -- A unique key on a distributed table must hold the distribution column: ids stay unique
    -- per shard cell (ids come from one sequence or are random UUIDs), and lookups by id alone
    -- keep a plain index.
    ALTER TABLE places DROP CONSTRAINT places_pkey, DROP CONSTRAINT places_source_key;
    CREATE INDEX places_id ON places (id);
    CREATE INDEX places_source ON places (source);
    ALTER TABLE help_requests DROP CONSTRAINT help_requests_pkey;
    CREATE INDEX help_requests_id ON help_requests (id);
    ALTER TABLE needs DROP CONSTRAINT needs_pkey;
    CREATE INDEX needs_id ON needs (id);
    ALTER TABLE pledges DROP CONSTRAINT pledges_pkey;
    CREATE INDEX pledges_id ON pledges (id);
    ALTER TABLE place_reports DROP CONSTRAINT place_reports_pkey;
    ALTER TABLE request_events DROP CONSTRAINT request_events_pkey;
    -- Shard moves (citus_rebalance_start) replicate by key.
    ALTER TABLE places REPLICA IDENTITY USING INDEX places_shard_id_key;
    ALTER TABLE help_requests REPLICA IDENTITY USING INDEX help_requests_shard_id_key;
    ALTER TABLE needs REPLICA IDENTITY USING INDEX needs_shard_id_key;
    ALTER TABLE pledges REPLICA IDENTITY USING INDEX pledges_shard_id_key;
    ALTER TABLE place_reports REPLICA IDENTITY USING INDEX place_reports_shard_id_key;
    ALTER TABLE request_events REPLICA IDENTITY USING INDEX request_events_shard_id_key;

    -- A table cannot be distributed while local tables reference it, so the foreign keys
    -- between these tables go first and come back once all are distributed. They come back
    -- without ON UPDATE CASCADE: Citus cannot move a row to another shard, so a place moved
    -- into another shard cell is refused there (see db::places::move_shard).
    ALTER TABLE place_organizers DROP CONSTRAINT place_organizers_place_fkey;
    ALTER TABLE needs DROP CONSTRAINT needs_place_fkey;
    ALTER TABLE pledges DROP CONSTRAINT pledges_need_fkey;
    ALTER TABLE shift_signups DROP CONSTRAINT shift_signups_need_fkey;
    ALTER TABLE place_reports DROP CONSTRAINT place_reports_place_fkey;
    ALTER TABLE request_events DROP CONSTRAINT request_events_request_fkey;

    PERFORM create_reference_table('accounts');
    PERFORM create_reference_table('volunteer_profiles');
    -- Read with every list of live reports, so it goes where the reports are.
    PERFORM create_reference_table('hidden_reporters');
    PERFORM create_distributed_table('places', 'shard_cell');
    PERFORM create_distributed_table('help_requests', 'shard_cell', colocate_with => 'places');
    PERFORM create_distributed_table('request_events', 'shard_cell', colocate_with => 'places');
    PERFORM create_distributed_table('place_organizers', 'shard_cell', colocate_with => 'places');
    PERFORM create_distributed_table('needs', 'shard_cell', colocate_with => 'places');
    PERFORM create_distributed_table('pledges', 'shard_cell', colocate_with => 'places');
    PERFORM create_distributed_table('shift_signups', 'shard_cell', colocate_with => 'places');
    PERFORM create_distributed_table('place_reports', 'shard_cell', colocate_with => 'places');

    ALTER TABLE place_organizers ADD CONSTRAINT place_organizers_place_fkey
        FOREIGN KEY (shard_cell, place_id) REFERENCES places (shard_cell, id) ON DELETE CASCADE;
    ALTER TABLE needs ADD CONSTRAINT needs_place_fkey
        FOREIGN KEY (shard_cell, place_id) REFERENCES places (shard_cell, id) ON DELETE CASCADE;
    ALTER TABLE pledges ADD CONSTRAINT pledges_need_fkey
        FOREIGN KEY (shard_cell, need_id) REFERENCES needs (shard_cell, id) ON DELETE CASCADE;
    ALTER TABLE shift_signups ADD CONSTRAINT shift_signups_need_fkey
        FOREIGN KEY (shard_cell, need_id) REFERENCES needs (shard_cell, id) ON DELETE CASCADE;
    ALTER TABLE place_reports ADD CONSTRAINT place_reports_place_fkey
        FOREIGN KEY (shard_cell, place_id) REFERENCES places (shard_cell, id) ON DELETE CASCADE;
    ALTER TABLE request_events ADD CONSTRAINT request_events_request_fkey
        FOREIGN KEY (shard_cell, request_id) REFERENCES help_requests (shard_cell, id)
        ON DELETE CASCADE;
END
$$;
