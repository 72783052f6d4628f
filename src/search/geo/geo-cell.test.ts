import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earthDistanceMeters } from '../bundle/searchset.ts';
import { cellsAround, geoCell } from './geo-cell.ts';

test('every point within the radius lies in one of the cells around the centre', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 300; i++) {
    const lat = 41 + rnd() * 10;
    const lon = -5 + rnd() * 14;
    const meters = [500, 5000, 30_000, 100_000][i % 4];
    const cells = new Set(cellsAround(lat, lon, meters));
    for (let j = 0; j < 200; j++) {
      const p = { lat: lat + (rnd() - 0.5) * 2 * (meters / 111_000) * 1.2, lon: lon + (rnd() - 0.5) * 2 * (meters / 70_000) * 1.2 };
      if (earthDistanceMeters(lat, lon, p.lat, p.lon) <= meters) assert.ok(cells.has(geoCell(p.lat, p.lon)), `${p.lat},${p.lon} within ${meters} m of ${lat},${lon}`);
    }
  }
});

test('a few cells for a town radius, none (cube index instead) for a huge one', () => {
  assert.ok(cellsAround(48.8, 2.1, 10_000)!.length <= 12);
  assert.equal(cellsAround(48.8, 2.1, 2_000_000), undefined);
});
