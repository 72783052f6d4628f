/**
 * The coordinator search statement alone (`searchOffers`, what GET /api/search runs before reading the page's
 * resources) on an existing database: Limay, Mantes-la-Jolie and Paris 15e (commune centroids of the COG file,
 * their intervention zones matched), radius 10 km with widening, for three needs (none, masseur-kinésithérapeute
 * by profession, SMR by field), p50 / p95 over N runs after 2 warm-up runs. The database is only read.
 *   node --import tsx bench/offer-search-statement.ts <postgres://… | pglite-dir> [runs] [--against <module>] [--point lat,lon]
 * --against: another version of src/web/offer-search.ts (e.g. `git show 7f7d683:src/web/offer-search.ts >
 *   src/web/offer-search-before.ts`, next to it so that its imports resolve): both run interleaved, each search in
 *   turn (the other first on odd runs), and their outcomes must be equal (on the fields this version returns).
 * --point: one place instead of the three communes, without a commune (no intervention zone), minResults 10.
 * --explain: instead of timing, print the plan (EXPLAIN ANALYZE, BUFFERS) of this version's statement at the requested
 *   radius for each place and need (PostgreSQL only).
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.ts';
import { CommuneDirectory } from '../src/geo/commune-directory.ts';
import { geoDataDir } from '../src/geo/shared-data.ts';
import { searchOffers, searchStatement, type OfferQuery } from '../src/web/offer-search.ts';

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { against: { type: 'string' }, point: { type: 'string' }, explain: { type: 'boolean' } } });
const target = positionals[0];
if (!target) throw new Error('usage: bench/offer-search-statement.ts <postgres://… | pglite-dir> [runs] [--against <module>] [--point lat,lon] [--explain]');
const runs = Number(positionals[1] ?? 20);
type Search = typeof searchOffers;
const versions: [string, Search][] = [['this', searchOffers]];
if (args.against) versions.push(['against', (await import(pathToFileURL(path.resolve(args.against)).href) as { searchOffers: Search }).searchOffers]);

const db = await openDatabase(/^postgres(ql)?:\/\//.test(target) ? { databaseUrl: target } : { dataDir: target });
const places: { name: string; lat: number; lon: number; commune?: string; minResults: number }[] = [];
if (args.point) {
  const [lat, lon] = args.point.split(',').map(Number) as [number, number];
  places.push({ name: `${lat}, ${lon}`, lat, lon, minResults: 10 });
} else {
  const communes = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));
  for (const code of ['78335', '78361', '75115']) {
    const c = communes.get(code);
    if (!c) throw new Error(`commune ${code} not in the COG file`);
    places.push({ name: c.name, lat: c.lat, lon: c.lon, commune: code, minResults: 5 });
  }
}
const needs: Record<string, Partial<OfferQuery>> = { none: {}, 'kiné (profession 70)': { profession: ['70'] }, 'SMR (field 02)': { field: ['02'] } };
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const cell = (t: number[]) => `${pct(t, 0.5).toFixed(0)} / ${pct(t, 0.95).toFixed(0)}`;
console.log(`| place | need | total | radius km | ${versions.map(([v]) => `${v} p50 / p95 ms`).join(' | ')} |\n|---|---|---|---|${versions.map(() => '---|').join('')}`);
try {
  for (const place of places) {
    for (const [need, extra] of Object.entries(needs)) {
      const q: OfferQuery = {
        lat: place.lat, lon: place.lon, commune: place.commune, radiusKm: 10, widen: true, minResults: place.minResults, activity: [],
        profession: [], careMode: [], field: [], publicType: [], homeVisit: false, available: false, limit: 20, offset: 0,
        capacityAccess: 'none', ...extra,
      };
      if (args.explain) {
        const { sql, params } = searchStatement(q, q.radiusKm);
        const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        console.log(`\n### ${place.name}, ${need}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
        continue;
      }
      const times = versions.map(() => [] as number[]);
      let last: Awaited<ReturnType<Search>> | undefined;
      for (let i = 0; i < runs + 2; i++) {
        const order = i % 2 ? [...versions.keys()].reverse() : [...versions.keys()];
        const outcomes: Awaited<ReturnType<Search>>[] = [];
        for (const v of order) {
          const t = performance.now();
          outcomes[v] = await versions[v]![1](db, q);
          if (i >= 2) times[v]!.push(performance.now() - t);
        }
        // Compared on what this version returns (an older one may carry fields since dropped).
        const keys = Object.keys(outcomes[0]!.page[0] ?? {});
        const shown = (o: Awaited<ReturnType<Search>>) => ({ ...o, page: o.page.map((c) => Object.fromEntries(keys.map((k) => [k, c[k as keyof typeof c]]))) });
        for (const o of outcomes.slice(1)) assert.deepEqual(shown(o), shown(outcomes[0]!), `${place.name}, ${need}: the versions disagree`);
        last = outcomes[0];
      }
      console.log(`| ${place.name} | ${need} | ${last!.total} | ${last!.radiusKm} | ${times.map((t) => cell(t.sort((a, b) => a - b))).join(' | ')} |`);
    }
  }
  console.log(`${os.cpus().length} cores, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  await db.close();
}
