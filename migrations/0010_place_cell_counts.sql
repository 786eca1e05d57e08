-- Active places counted per H3 cell at resolutions 0 to 8, for the map tiles below zoom 13:
-- a country view reads a few hundred of these rows rather than every place under it.
-- Rebuilt after an import and by the maintenance run when places changed.
CREATE TABLE place_cell_counts (
    res         smallint NOT NULL,
    cell        bigint NOT NULL,
    places      integer NOT NULL,
    -- {"pharmacy": 12, "kiosk": 40}
    by_category jsonb NOT NULL,
    -- The mean point of the cell's places, where the map draws its count.
    point       geometry(Point, 4326) NOT NULL,
    PRIMARY KEY (res, cell)
);
CREATE INDEX place_cell_counts_point ON place_cell_counts USING gist (point);

-- When the counts were last rebuilt; places changed after that call for a rebuild.
CREATE TABLE place_cell_counts_state (
    only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    refreshed_at timestamptz NOT NULL
);
INSERT INTO place_cell_counts_state (refreshed_at) VALUES ('-infinity');

CREATE INDEX places_updated_at ON places (updated_at);
