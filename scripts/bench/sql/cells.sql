-- /api/requests/cells for a city view: the stored cells of the open requests in the box.
\set i random(1, :points)
SELECT lat, lon FROM bench_points WHERE id = :i \gset
SELECT r.cell FROM help_requests r
WHERE r.location::geometry && ST_MakeEnvelope(:lon - 0.025, :lat - 0.02, :lon + 0.025, :lat + 0.02, 4326)
  AND r.status = 'open';
