-- Nearby strategy: every place in the circle by the GiST index, then sorted by distance.
\set i random(1, :points)
SELECT lat, lon FROM bench_points WHERE id = :i \gset
SELECT p.id, ST_Distance(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, false) AS distance_m
FROM places p
WHERE ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 1500, false)
  AND p.status = 'active'
ORDER BY distance_m, p.id
LIMIT 20;
