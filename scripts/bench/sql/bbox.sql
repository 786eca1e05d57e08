-- /api/places?bbox for a city view (0.05 by 0.04 degrees, about 4.6 by 4.4 km).
\set i random(1, :points)
SELECT lat, lon FROM bench_points WHERE id = :i \gset
SELECT p.id, p.kind, p.name, p.category, ST_Y(p.location::geometry) AS lat, ST_X(p.location::geometry) AS lon, p.cell, p.opening_hours, p.address, p.phone, p.description, p.source, p.status, p.meals_per_day FROM places p
WHERE p.location::geometry && ST_MakeEnvelope(:lon - 0.025, :lat - 0.02, :lon + 0.025, :lat + 0.02, 4326)
  AND p.status = 'active'
ORDER BY p.id LIMIT 2001;
