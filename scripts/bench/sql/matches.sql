-- /api/requests/{id}/matches with limit 20: per radius class, the 24 on-duty volunteers with
-- the skill whose public home is nearest the request's public point (a walk in lon/lat
-- degrees), with their load. The app reads more from a class only when the domain finds that
-- an unread candidate could still rank.
\set i random(1, :matches)
SELECT lat, lon, category FROM bench_matches WHERE id = :i \gset
SELECT a.id AS account_id, a.display_name, a.role, a.verified,
       a.suspended_at IS NOT NULL AS suspended, near.on_duty, near.skills, near.radius_m,
       near.max_open, near.home_cell, near.reach_class, near.planar_deg,
       (SELECT count(*) FROM help_requests o
          WHERE o.assignee = a.id AND o.status = 'assigned') AS open_assignments,
       (SELECT count(*) FROM request_events e WHERE e.account_id = a.id
          AND e.action = 'claimed' AND e.created_at > now() - interval '7 days') AS recent_assignments
FROM (
  (SELECT v.account_id, v.on_duty, v.skills, v.radius_m, v.max_open, v.home_cell,
          0::int2 AS reach_class,
          v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS planar_deg
   FROM volunteer_profiles v
   WHERE v.on_duty AND v.reach_class = 0 AND :category = ANY (v.skills)
   ORDER BY v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 24)
  UNION ALL
  (SELECT v.account_id, v.on_duty, v.skills, v.radius_m, v.max_open, v.home_cell,
          1::int2 AS reach_class,
          v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS planar_deg
   FROM volunteer_profiles v
   WHERE v.on_duty AND v.reach_class = 1 AND :category = ANY (v.skills)
   ORDER BY v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 24)
  UNION ALL
  (SELECT v.account_id, v.on_duty, v.skills, v.radius_m, v.max_open, v.home_cell,
          2::int2 AS reach_class,
          v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS planar_deg
   FROM volunteer_profiles v
   WHERE v.on_duty AND v.reach_class = 2 AND :category = ANY (v.skills)
   ORDER BY v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 24)
  UNION ALL
  (SELECT v.account_id, v.on_duty, v.skills, v.radius_m, v.max_open, v.home_cell,
          3::int2 AS reach_class,
          v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS planar_deg
   FROM volunteer_profiles v
   WHERE v.on_duty AND v.reach_class = 3 AND :category = ANY (v.skills)
   ORDER BY v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 24)
  UNION ALL
  (SELECT v.account_id, v.on_duty, v.skills, v.radius_m, v.max_open, v.home_cell,
          4::int2 AS reach_class,
          v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS planar_deg
   FROM volunteer_profiles v
   WHERE v.on_duty AND v.reach_class = 4 AND :category = ANY (v.skills)
   ORDER BY v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 24)
  UNION ALL
  (SELECT v.account_id, v.on_duty, v.skills, v.radius_m, v.max_open, v.home_cell,
          5::int2 AS reach_class,
          v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS planar_deg
   FROM volunteer_profiles v
   WHERE v.on_duty AND v.reach_class = 5 AND :category = ANY (v.skills)
   ORDER BY v.public_home::geometry <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 24)
) AS near
JOIN accounts a ON a.id = near.account_id;
