-- Coarse grid cell of Location.position (src/search/geo/geo-cell.ts). `near` selects the cells
-- of its bounding box through this index, then tests the exact distance: unlike the cube index,
-- the column has statistics, so the planner knows how many places a radius holds and picks the
-- right side to start from (activity first for a wide radius, places first for a narrow one).
ALTER TABLE location ADD COLUMN geo_cell integer;
CREATE INDEX location_geo_cell_idx ON location (geo_cell);
