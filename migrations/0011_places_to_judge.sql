-- The places whose "open now" a tile cannot judge in SQL: hours that are not the same every
-- week, or live reports. Few; with this index a tile finds them without walking every place
-- under it a second time.
CREATE INDEX places_to_judge_gist ON places USING gist ((location::geometry))
    WHERE (opening_hours IS NOT NULL AND open_week IS NULL) OR last_report_at IS NOT NULL;
