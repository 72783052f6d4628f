/**
 * Indicator computation time on the Yvelines: every FINESS establishment of the 78 (bare store: no validator, no
 * search index), the authorisation fixture, the demo generator's offers for its sites; then the population rows,
 * every quality rule, and both snapshots, on PostgreSQL (throw-away database) and optionally PGlite.
 *   node --import tsx bench/indicators.ts [pglite]
 */
import type { Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { PGliteDatabase } from '../src/db/pglite.ts';
import { PostgresDatabase } from '../src/db/postgres.ts';
import { buildSiteOffers, type DemoSite } from '../src/demo/establishment-offers.ts';
import type { Resource } from '../src/fhir/types.ts';
import { populationRows } from '../src/indicators/population.ts';
import { qualityResults } from '../src/indicators/quality.ts';
import { takePopulationSnapshot, takeQualitySnapshot } from '../src/indicators/snapshots.ts';
import { DEP78, importYvelines, writeAll } from '../src/indicators/test-fixtures.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';
import fs from 'node:fs';

async function time<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  const r = await fn();
  console.log(`${label.padEnd(44)} ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(2)} s`);
  return r;
}

async function run(db: Database): Promise<void> {
  await migrate(db);
  const all = fs.readFileSync(DEP78, 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.slice(0, 9));
  const store = await time(`import ${all.length} FINESS establishments`, () => importYvelines(db, all));
  const sites = await db.query<{ id: string; content: Resource; loc: Resource; region: string | null }>(
    `SELECT o.id, o.content, l.content AS loc, o.region FROM organization o JOIN location l ON l.id = 'finess-loc-' || substr(o.id, 11) WHERE o.id LIKE 'finess-eg-%'`);
  const resources = sites.rows.flatMap((row) => {
    const category = (row.content.type as { coding: { code: string }[] }[] | undefined)?.[0]?.coding[0]?.code ?? '';
    const site: DemoSite = { nofinesset: row.id.slice(10), category, name: String(row.content.name), organizationId: row.id, location: row.loc, region: row.region ?? undefined };
    return buildSiteOffers(site, [], new Date().toISOString());
  });
  for (let i = 0; i < resources.length; i += 500) await writeAll(store, resources.slice(i, i + 500));
  console.log(`demo offers and places: ${resources.length}`);
  const rows = await time('population rows (ET × field, statuses)', () => populationRows(db));
  const results = await time('quality rules (15, per object)', () => qualityResults(db));
  await time('population snapshot (compute + store)', () => takePopulationSnapshot(db));
  await time('quality snapshot (compute + store)', () => takeQualitySnapshot(db));
  console.log(`rows ${rows.length}, rule results ${results.length}, écarts ${results.filter((r) => r.status === 'ecart').length}`);
}

const useLite = process.argv.includes('pglite');
if (useLite) {
  const db = await PGliteDatabase.open();
  console.log('— PGlite');
  await run(db);
  await db.close();
} else {
  const t = await createPostgresTestDatabase();
  const db = new PostgresDatabase(t.url, 4);
  console.log('— PostgreSQL');
  try {
    await run(db);
  } finally {
    await db.close();
    await t.drop();
  }
}
