-- /api/requests/{id}/matches with limit 20: per radius class, the 24 on-duty volunteers with
-- the skill whose public home is nearest the request's public point, kept within the class's
-- bound, with their load. (The app reads more only when a class could hide a better one.)
\set i random(1, :matches)
SELECT lat, lon, category FROM bench_matches WHERE id = :i \gset
SELECT a.id AS account_id, a.display_name, a.role, a.verified,
       a.suspended_at IS NOT NULL AS suspended, v.on_duty, v.skills, v.radius_m,
       v.max_open, v.home_cell, near.reach_class,
       (SELECT count(*) FROM help_requests o
          WHERE o.assignee = a.id AND o.status = 'assigned') AS open_assignments,
       (SELECT count(*) FROM request_events e WHERE e.account_id = a.id
          AND e.action = 'claimed' AND e.created_at > now() - interval '7 days') AS recent_assignments
FROM (
  (SELECT w.account_id, 0::int2 AS reach_class FROM (
     SELECT v.account_id, v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS d
     FROM volunteer_profiles v
     WHERE v.on_duty AND v.reach_class = 0 AND :category = ANY (v.skills)
     ORDER BY v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography LIMIT 24) w
   WHERE w.d <= 1001)
  UNION ALL
  (SELECT w.account_id, 1::int2 AS reach_class FROM (
     SELECT v.account_id, v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS d
     FROM volunteer_profiles v
     WHERE v.on_duty AND v.reach_class = 1 AND :category = ANY (v.skills)
     ORDER BY v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography LIMIT 24) w
   WHERE w.d <= 2001)
  UNION ALL
  (SELECT w.account_id, 2::int2 AS reach_class FROM (
     SELECT v.account_id, v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS d
     FROM volunteer_profiles v
     WHERE v.on_duty AND v.reach_class = 2 AND :category = ANY (v.skills)
     ORDER BY v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography LIMIT 24) w
   WHERE w.d <= 5001)
  UNION ALL
  (SELECT w.account_id, 3::int2 AS reach_class FROM (
     SELECT v.account_id, v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS d
     FROM volunteer_profiles v
     WHERE v.on_duty AND v.reach_class = 3 AND :category = ANY (v.skills)
     ORDER BY v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography LIMIT 24) w
   WHERE w.d <= 10001)
  UNION ALL
  (SELECT w.account_id, 4::int2 AS reach_class FROM (
     SELECT v.account_id, v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS d
     FROM volunteer_profiles v
     WHERE v.on_duty AND v.reach_class = 4 AND :category = ANY (v.skills)
     ORDER BY v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography LIMIT 24) w
   WHERE w.d <= 20001)
  UNION ALL
  (SELECT w.account_id, 5::int2 AS reach_class FROM (
     SELECT v.account_id, v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS d
     FROM volunteer_profiles v
     WHERE v.on_duty AND v.reach_class = 5 AND :category = ANY (v.skills)
     ORDER BY v.public_home <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography LIMIT 24) w
   WHERE w.d <= 50001)
) AS near
JOIN volunteer_profiles v ON v.account_id = near.account_id
JOIN accounts a ON a.id = v.account_id;
