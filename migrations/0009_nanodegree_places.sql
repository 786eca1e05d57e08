-- Coordinates are now kept to a billionth of a degree (`domain::geo::LatLon`). A place stored
-- before with a subnormal coordinate (a fuzzer's, next to 0°) broke PostGIS's nearest-first
-- index walk ("index returned tuples in wrong order"); such coordinates become 0.
UPDATE places
SET location = ST_SetSRID(ST_MakePoint(
        CASE WHEN abs(ST_X(location::geometry)) < 1e-9 THEN 0 ELSE ST_X(location::geometry) END,
        CASE WHEN abs(ST_Y(location::geometry)) < 1e-9 THEN 0 ELSE ST_Y(location::geometry) END),
        4326)::geography
WHERE (ST_X(location::geometry) <> 0 AND abs(ST_X(location::geometry)) < 1e-9)
   OR (ST_Y(location::geometry) <> 0 AND abs(ST_Y(location::geometry)) < 1e-9);
