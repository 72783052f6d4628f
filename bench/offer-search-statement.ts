/**
 * The coordinator search statement alone (`searchOffers`, what GET /api/search runs before reading the page's
 * resources) on an existing database: Limay, Mantes-la-Jolie and Paris 15e (commune centroids of the COG file,
 * their intervention zones matched), radius 10 km with widening, for three needs (none, masseur-kinésithérapeute
 * by profession, SMR by field), p50 / p95 over N runs after 2 warm-up runs. The database is only read.
 * Usage: node --import tsx bench/offer-search-statement.ts <postgres://… | pglite-dir> [runs]
 */
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/open.ts';
import { CommuneDirectory } from '../src/geo/commune-directory.ts';
import { geoDataDir } from '../src/geo/shared-data.ts';
import { searchOffers, type OfferQuery } from '../src/web/offer-search.ts';

const target = process.argv[2];
if (!target) throw new Error('usage: bench/offer-search-statement.ts <postgres://… | pglite-dir> [runs]');
const runs = Number(process.argv[3] ?? 20);
const db = await openDatabase(/^postgres(ql)?:\/\//.test(target) ? { databaseUrl: target } : { dataDir: target });
const communes = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));
const needs: Record<string, Partial<OfferQuery>> = { none: {}, 'kiné (profession 70)': { profession: ['70'] }, 'SMR (field 02)': { field: ['02'] } };
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
console.log(`| commune | need | total | radius km | p50 ms | p95 ms |\n|---|---|---|---|---|---|`);
try {
  for (const code of ['78335', '78361', '75115']) {
    const c = communes.get(code);
    if (!c) throw new Error(`commune ${code} not in the COG file`);
    for (const [need, extra] of Object.entries(needs)) {
      const q: OfferQuery = {
        lat: c.lat, lon: c.lon, commune: code, radiusKm: 10, widen: true, minResults: 5, activity: [], profession: [], careMode: [],
        field: [], publicType: [], homeVisit: false, available: false, limit: 20, offset: 0, capacityAccess: 'none', ...extra,
      };
      const times: number[] = [];
      let last = { total: 0, radiusKm: 0 };
      for (let i = 0; i < runs + 2; i++) {
        const t = performance.now();
        last = await searchOffers(db, q);
        if (i >= 2) times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      console.log(`| ${c.name} | ${need} | ${last.total} | ${last.radiusKm} | ${pct(times, 0.5).toFixed(0)} | ${pct(times, 0.95).toFixed(0)} |`);
    }
  }
  console.log(`${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await db.close();
}
