-- Nearby strategy: nearest-neighbour walk on the planar lon/lat index, 80 candidates, then
-- re-ranked by distance on the sphere. Planar degrees stretch east-west by 1/cos(lat), so 80
-- candidates are not guaranteed to hold the 20 nearest: measured, not used.
\set i random(1, :points)
SELECT lat, lon FROM bench_points WHERE id = :i \gset
SELECT id, distance_m FROM (
  SELECT p.id, ST_Distance(p.location, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, false) AS distance_m
  FROM places p
  WHERE p.status = 'active'
    AND p.location::geometry && ST_Expand(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 0.02)
  ORDER BY p.location::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
  LIMIT 80) c
WHERE distance_m <= 1500
ORDER BY distance_m, id
LIMIT 20;
