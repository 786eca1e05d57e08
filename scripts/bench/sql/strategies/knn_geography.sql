-- Nearby strategy: GiST nearest-neighbour walk on geography (what the app uses).
\set i random(1, :points)
SELECT lat, lon FROM bench_points WHERE id = :i \gset
SELECT p.id, ST_Distance(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, false) AS distance_m
FROM places p
WHERE ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 1500, false)
  AND p.status = 'active'
ORDER BY p.location <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography
LIMIT 20;
