-- The minutes of the week a place is open (Monday 00:00 local is 0), when its opening_hours say
-- the same every week; NULL when they do not (dates, holidays, unknown states) or were not
-- computed yet, and then the opening-hours crate decides. Lets `open_now` filter in SQL.
ALTER TABLE places ADD COLUMN open_week int4multirange;
