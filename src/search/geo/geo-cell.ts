/**
 * A coarse grid cell (0.1° × 0.1°, ≈ 11 × 7 km in France) kept beside each Location position.
 * `near` adds `geo_cell = ANY(cells of the search box)` to the exact earth-distance test: the
 * result is unchanged, but the planner now estimates how many places lie in the circle from the
 * column statistics, instead of a fixed guess for the cube index — so it starts from the most
 * selective criterion (activity vs. radius).
 */
const CELL_DEG = 0.1;
/** Guards the box against floating-point rounding at cell borders. */
const EPS = 1e-6;
const ROWS = Math.ceil(360 / CELL_DEG);
const KM_PER_DEG_LAT = 111.2;
/** Beyond this many cells (radius ≈ 200 km) the cube index is used instead. */
const MAX_CELLS = 2500;

export function geoCell(lat: number, lon: number): number {
  return Math.floor((lat + 90) / CELL_DEG) * ROWS + Math.floor((lon + 180) / CELL_DEG);
}

/** Every cell a circle may touch (its bounding box), or undefined if too many. */
export function cellsAround(lat: number, lon: number, meters: number): number[] | undefined {
  const dLat = meters / 1000 / KM_PER_DEG_LAT;
  const cos = Math.cos((Math.min(89, Math.abs(lat) + dLat) * Math.PI) / 180);
  const dLon = dLat / Math.max(cos, 0.01);
  const lat0 = Math.max(-90, lat - dLat - EPS);
  const lat1 = Math.min(89.999999, lat + dLat + EPS);
  const lon0 = lon - dLon - EPS;
  const lon1 = lon + dLon + EPS;
  if (lon1 - lon0 >= 360) return undefined;
  const rows = Math.floor((lat1 + 90) / CELL_DEG) - Math.floor((lat0 + 90) / CELL_DEG) + 1;
  const cols = Math.floor((lon1 + 180) / CELL_DEG) - Math.floor((lon0 + 180) / CELL_DEG) + 1;
  if (rows * cols > MAX_CELLS) return undefined;
  const cells: number[] = [];
  const r0 = Math.floor((lat0 + 90) / CELL_DEG);
  const c0 = Math.floor((lon0 + 180) / CELL_DEG);
  for (let r = r0; r < r0 + rows; r++) {
    for (let c = c0; c < c0 + cols; c++) cells.push(r * ROWS + (((c % ROWS) + ROWS) % ROWS));
  }
  return [...new Set(cells)];
}
