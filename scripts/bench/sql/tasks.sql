-- /api/me/tasks: the open requests in the exact res-8 cover of a volunteer's reach (computed by
-- the app's domain and stored by bench-data), of the volunteer's skills.
\set i random(1, :tasks)
SELECT lo, hi, skills FROM bench_tasks WHERE id = :i \gset
SELECT r.id, r.category, r.urgency, r.needed_by, r.cell
FROM unnest(:lo::bigint[], :hi::bigint[]) AS c(lo, hi)
JOIN help_requests r ON r.cell BETWEEN c.lo AND c.hi
WHERE r.status = 'open' AND r.category = ANY (:skills::text[]);
