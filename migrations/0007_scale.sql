-- National scale.
-- Matching walks volunteers' public home points (the centre of their res-8 home cell, never the
-- exact home) nearest first in lon/lat degrees, one walk per class of radius
-- (`matching::REACH_CLASSES_M`); the domain turns degrees into a safe lower bound in metres.
-- NULL until computed: `antes migrate` fills rows from before this migration.
ALTER TABLE volunteer_profiles
    ADD COLUMN public_home geography(Point, 4326),
    ADD COLUMN reach_class smallint;
CREATE INDEX volunteer_profiles_near_0 ON volunteer_profiles USING gist ((public_home::geometry))
    WHERE on_duty AND reach_class = 0;
CREATE INDEX volunteer_profiles_near_1 ON volunteer_profiles USING gist ((public_home::geometry))
    WHERE on_duty AND reach_class = 1;
CREATE INDEX volunteer_profiles_near_2 ON volunteer_profiles USING gist ((public_home::geometry))
    WHERE on_duty AND reach_class = 2;
CREATE INDEX volunteer_profiles_near_3 ON volunteer_profiles USING gist ((public_home::geometry))
    WHERE on_duty AND reach_class = 3;
CREATE INDEX volunteer_profiles_near_4 ON volunteer_profiles USING gist ((public_home::geometry))
    WHERE on_duty AND reach_class = 4;
CREATE INDEX volunteer_profiles_near_5 ON volunteer_profiles USING gist ((public_home::geometry))
    WHERE on_duty AND reach_class = 5;
CREATE INDEX volunteer_profiles_unplaced ON volunteer_profiles (account_id) WHERE reach_class IS NULL;

-- `open_now` walks only the places that have hours.
CREATE INDEX places_with_hours_gist ON places USING gist (location) WHERE opening_hours IS NOT NULL;

-- Task lists and public counts read the open requests in ranges of cells: this index holds only
-- open ones, with what a task list shows, so most of those reads never touch the table.
CREATE INDEX help_requests_open_cell ON help_requests (cell, category)
    INCLUDE (urgency, needed_by, id) WHERE status = 'open';
