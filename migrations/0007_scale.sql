-- National scale.
-- A volunteer's reach as a lon/lat box around the public point of their home cell (never the
-- exact home), holding every point within their radius: matching finds the volunteers whose
-- box holds a request's public point through this index instead of reading every home within
-- the largest radius. NULL until computed (`antes migrate` fills rows from before this).
ALTER TABLE volunteer_profiles ADD COLUMN reach geometry(Polygon, 4326);
CREATE INDEX volunteer_profiles_reach_gist ON volunteer_profiles USING gist (reach);
CREATE INDEX volunteer_profiles_reach_missing ON volunteer_profiles (account_id) WHERE reach IS NULL;

-- `open_now` walks only the places that have hours.
CREATE INDEX places_with_hours_gist ON places USING gist (location) WHERE opening_hours IS NOT NULL;
