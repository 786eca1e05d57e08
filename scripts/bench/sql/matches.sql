-- /api/requests/{id}/matches: on-duty volunteers with the skill whose reach box holds the
-- request's public point, with their load.
\set i random(1, :matches)
SELECT lat, lon, category FROM bench_matches WHERE id = :i \gset
SELECT a.id AS account_id, a.display_name, a.role, a.verified,
       a.suspended_at IS NOT NULL AS suspended, v.on_duty, v.skills, v.radius_m,
       v.max_open, v.home_cell,
       (SELECT count(*) FROM help_requests o
          WHERE o.assignee = a.id AND o.status = 'assigned') AS open_assignments,
       (SELECT count(*) FROM request_events e WHERE e.account_id = a.id
          AND e.action = 'claimed' AND e.created_at > now() - interval '7 days') AS recent_assignments
FROM volunteer_profiles v JOIN accounts a ON a.id = v.account_id
WHERE v.reach && ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
  AND v.on_duty AND :category = ANY (v.skills);
