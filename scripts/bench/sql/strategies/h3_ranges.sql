-- Nearby strategy (the old one): B-tree range scans on the res-9 cell over the H3 cover of the
-- circle (computed by the app's domain, stored by bench-data), then exact distance and sort.
\set i random(1, :points)
SELECT lat, lon, lo, hi FROM bench_points WHERE id = :i \gset
SELECT p.id, ST_Distance(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, false) AS distance_m
FROM unnest(:lo::bigint[], :hi::bigint[]) AS r(lo, hi)
JOIN places p ON p.cell BETWEEN r.lo AND r.hi
WHERE ST_DWithin(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 1500, false)
  AND p.status = 'active'
ORDER BY distance_m, p.id
LIMIT 20;
