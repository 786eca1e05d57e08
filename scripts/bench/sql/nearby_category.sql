-- /api/places/nearby with one category: the same walk, filtered as it goes.
\set i random(1, :points)
SELECT lat, lon, category FROM bench_points WHERE id = :i \gset
SELECT p.id, p.kind, p.name, p.category, ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lon, p.cell, p.opening_hours, p.address, p.phone, p.description, p.source, p.status, p.meals_per_day, ST_Distance(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, false) AS distance_m
FROM places p
WHERE ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 1500, false)
  AND p.status = 'active' AND p.category = :category
ORDER BY p.location <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography
LIMIT 20;
