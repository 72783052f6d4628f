import type { CommunePlace } from '../geo/commune-directory.ts';
import { distanceKm } from '../geo/distance.ts';

const CELL = 0.1; // degrees: ≈ 11 km north-south, 7–8 km east-west in metropolitan France

/**
 * The communes in 0.1° cells, so that "communes within r km of a point" looks at a few cells instead of
 * 35,000 communes (the generator asks it for every cabinet and home-care site).
 */
export class CommuneGrid {
  private readonly cells = new Map<string, CommunePlace[]>();

  constructor(communes: readonly CommunePlace[]) {
    for (const c of communes) {
      const key = this.key(Math.floor(c.lat / CELL), Math.floor(c.lon / CELL));
      const list = this.cells.get(key) ?? [];
      list.push(c);
      this.cells.set(key, list);
    }
  }

  private key(i: number, j: number): string {
    return `${i}:${j}`;
  }

  /** Communes whose centroid lies within `km` of the point, nearest first, at most `limit`. */
  within(point: { lat: number; lon: number }, km: number, limit = Infinity): CommunePlace[] {
    const di = Math.ceil(km / 111 / CELL);
    const dj = Math.ceil(km / (111 * Math.max(0.2, Math.cos((point.lat * Math.PI) / 180))) / CELL);
    const i0 = Math.floor(point.lat / CELL);
    const j0 = Math.floor(point.lon / CELL);
    const found: { c: CommunePlace; d: number }[] = [];
    for (let i = i0 - di; i <= i0 + di; i++) {
      for (let j = j0 - dj; j <= j0 + dj; j++) {
        for (const c of this.cells.get(this.key(i, j)) ?? []) {
          const d = distanceKm(point, c);
          if (d <= km) found.push({ c, d });
        }
      }
    }
    found.sort((a, b) => a.d - b.d || a.c.code.localeCompare(b.c.code));
    return found.slice(0, limit).map((f) => f.c);
  }
}
