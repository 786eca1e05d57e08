-- Places: shops and community kitchens. Public points, shown exactly.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE places (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('shop', 'kitchen')),
    name          text NOT NULL,
    category      text NOT NULL,
    location      geography(Point, 4326) NOT NULL,
    -- Resolution-9 H3 cell of `location`; descendants of a coarser cell form one integer range.
    cell          bigint NOT NULL,
    opening_hours text,
    address       text,
    phone         text,
    description   text,
    -- `node/123`, `way/45` for OpenStreetMap rows, `demo/...` for demo rows, NULL for hand-made ones.
    source        text UNIQUE,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending_review')),
    meals_per_day integer CHECK (meals_per_day >= 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX places_location_gist ON places USING gist (location);
CREATE INDEX places_cell_btree ON places (cell);
CREATE INDEX places_kind_category ON places (kind, category);
-- Map views ask for lon/lat boxes, which are exact on the planar cast.
CREATE INDEX places_location_geom_gist ON places USING gist ((location::geometry));
