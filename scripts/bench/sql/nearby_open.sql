-- /api/places/nearby with open_now at a fixed minute of the week (Wednesday 11:00 local =
-- 3540): the walk over places with hours, filtered by their weekly open minutes.
\set i random(1, :points)
SELECT lat, lon FROM bench_points WHERE id = :i \gset
SELECT p.id, p.kind, p.name, p.category, ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lon, p.cell, p.opening_hours, p.address, p.phone, p.description, p.source, p.status, p.meals_per_day, ST_Distance(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, false) AS distance_m
FROM places p
WHERE ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 1500, false)
  AND p.status = 'active' AND p.opening_hours IS NOT NULL
  AND (p.open_week IS NULL OR p.open_week @> 3540)
ORDER BY p.location <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography
LIMIT 20;
