/**
 * Indicator computation time on the Yvelines: every FINESS establishment of the 78 (bare store: no validator, no
 * search index), the authorisation fixture, the demo generator's offers for its sites; then the population rows,
 * every quality rule, and both snapshots, on PostgreSQL (throw-away database) and optionally PGlite.
 *   node --import tsx bench/indicators.ts [pglite]
 * National: the real national FINESS ndjson (95,333 establishments) through the FINESS importer into a kept PostgreSQL
 * database `ror_bench_indicators` (loaded once, reused by later runs; bare store: no validator, no search index, which
 * the indicator queries do not read), the demo generator's offers for every site of the demo categories, then the
 * same timings, and the whole computation (population + quality + both snapshots) as one figure.
 *   node --import tsx bench/indicators.ts national [--reload] [--sites]
 * --read-only: another engineer's database (ROR_BENCH_DB, e.g. ror_national) left untouched: no migration (refused
 * when one is pending), no load, no snapshot stored; the computation of the week (population rows + rules) and the
 * population rows of the quarter's end (what the population snapshot computes), in temporary tables only.
 * --sites: instead of the whole computation, one site's units (the referent tree's to-do list) for 20 sites with
 * offers — what a referent's page pays per site.
 */
import type { Database } from '../src/db/database.ts';
import { allMigrations, migrate } from '../src/db/migrate.ts';
import { PGliteDatabase } from '../src/db/pglite.ts';
import { PostgresDatabase } from '../src/db/postgres.ts';
import { buildSiteOffers, type DemoSite } from '../src/demo/establishment-offers.ts';
import type { Resource } from '../src/fhir/types.ts';
import { computeIndicators } from '../src/indicators/compute.ts';
import { unitStatuses } from '../src/indicators/population.ts';
import { quarterEnd, takePopulationSnapshot, takeQualitySnapshot } from '../src/indicators/snapshots.ts';
import { AUTHORISATIONS_FIXTURE, DEP78, importYvelines, TEST_CONTEXT } from '../src/indicators/test-fixtures.ts';
import { importFinessAuthorisations } from '../src/indicators/finess-authorisations.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { importFiness } from '../src/ingest/finess/import-finess.ts';
import { defaultFinessDir } from '../src/ingest/reference-data.ts';
import { ResourceStore } from '../src/store/resource-store.ts';

async function time<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  const r = await fn();
  console.log(`${label.padEnd(44)} ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(2)} s`);
  return r;
}

async function loadYvelines(db: Database): Promise<ResourceStore> {
  const all = fs.readFileSync(DEP78, 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((l) => l.slice(0, 9));
  return time(`import ${all.length} FINESS establishments`, () => importYvelines(db, all));
}

async function loadNational(db: Database): Promise<ResourceStore> {
  const store = new ResourceStore(db);
  const file = path.join(defaultFinessDir(), 'finess-fhir-etablissements-20210108.ndjson.gz');
  const report = await time('import national FINESS ndjson (bare store)', () => importFiness(store, file, {
    onProgress: (p) => { if (p.read % 10000 < 500) process.stdout.write(`  ${p.read} read, ${p.resourcesPerSecond} res/s\r`); },
  }));
  console.log(`establishments ${report.establishments}, created ${report.created}, rejected ${report.rejected}`);
  return store;
}

async function addOffers(db: Database, store: ResourceStore): Promise<void> {
  const sites = await db.query<{ id: string; content: Resource; loc: Resource; region: string | null }>(
    `SELECT o.id, o.content, l.content AS loc, o.region FROM organization o JOIN location l ON l.id = 'finess-loc-' || substr(o.id, 11) WHERE o.id LIKE 'finess-eg-%'`);
  const resources = sites.rows.flatMap((row) => {
    const category = (row.content.type as { coding: { code: string }[] }[] | undefined)?.[0]?.coding[0]?.code ?? '';
    const site: DemoSite = { nofinesset: row.id.slice(10), category, name: String(row.content.name), organizationId: row.id, location: row.loc, region: row.region ?? undefined };
    return buildSiteOffers(site, [], new Date().toISOString());
  });
  await time(`write ${resources.length} demo offers and places`, async () => {
    for (let i = 0; i < resources.length; i += 500) {
      await store.bulkPut(resources.slice(i, i + 500), TEST_CONTEXT);
      if (i % 10000 === 0) process.stdout.write(`  ${i} written\r`);
    }
  });
}

async function compute(db: Database): Promise<void> {
  console.log(`load: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const t0 = process.hrtime.bigint();
  // Population rows and quality rules from one reading of the sources (computeIndicators), with its steps.
  const computed = await time('population rows + quality rules (shared)', () => computeIndicators(db, {
    onStep: (step, s) => console.log(`  ${step.padEnd(42)} ${s.toFixed(2)} s`),
  }));
  // The current quarter's end is not today: the population snapshot computes its own rows (reuses them when it is).
  await time('population snapshot (compute + store)', () => takePopulationSnapshot(db, { computed }));
  // The week's Monday is today on a Monday: the quality snapshot then reuses the results.
  await time('quality snapshot (store; compute unless reused)', () => takeQualitySnapshot(db, { computed }));
  console.log(`whole computation (3 steps above)`.padEnd(44), `${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)} s`);
  console.log(`rows ${computed.rows.length}, rule results ${computed.results.length}, écarts ${computed.results.filter((r) => r.status === 'ecart').length}`);
  console.log(`load: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

/** The computations of `compute` without storing anything (temporary tables only). */
async function computeReadOnly(db: Database): Promise<void> {
  console.log(`load: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const t0 = process.hrtime.bigint();
  const computed = await time('population rows + quality rules (shared)', () => computeIndicators(db, {
    onStep: (step, s) => console.log(`  ${step.padEnd(42)} ${s.toFixed(2)} s`),
  }));
  const end = quarterEnd(computed.referenceDate);
  const rows = end === computed.referenceDate ? computed.rows
    : (await time(`population rows at the quarter's end (${end})`, () => computeIndicators(db, { referenceDate: end, rules: [] }))).rows;
  console.log(`both computations`.padEnd(44), `${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)} s`);
  console.log(`rows ${computed.rows.length} (quarter's end ${rows.length}), rule results ${computed.results.length}, écarts ${computed.results.filter((r) => r.status === 'ecart').length}`);
  console.log(`load: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

async function run(db: Database): Promise<void> {
  await migrate(db);
  const store = await loadYvelines(db);
  await addOffers(db, store);
  await compute(db);
}

/** One site's units (unitStatuses with siteId) for 20 sites that have offers: first and second call each. */
async function timeSites(db: Database): Promise<void> {
  const sites = (await db.query<{ id: string }>(
    `SELECT DISTINCT substr(content->'providedBy'->>'reference', 14) AS id FROM healthcare_service
     WHERE NOT deleted AND content->'providedBy'->>'reference' LIKE 'Organization/finess-eg-%' ORDER BY 1 LIMIT 20`)).rows.map((r) => r.id);
  const ms: number[] = [];
  for (const siteId of sites) {
    for (let i = 0; i < 2; i++) {
      const t = process.hrtime.bigint();
      await unitStatuses(db, { siteId });
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  ms.sort((a, b) => a - b);
  const q = (f: number) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))].toFixed(1);
  console.log(`one site's units, ${sites.length} sites × 2: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms (load ${os.loadavg()[0].toFixed(1)})`);
}

async function printCounts(db: Database, name: string): Promise<void> {
  const counts = await db.query<{ t: string; n: number }>(
    `SELECT 'organization' AS t, count(*)::int AS n FROM organization WHERE NOT deleted UNION ALL SELECT 'location', count(*)::int FROM location WHERE NOT deleted
     UNION ALL SELECT 'healthcare_service', count(*)::int FROM healthcare_service WHERE NOT deleted
     UNION ALL SELECT 'FINESS copy rows', count(*)::int FROM import_provenance WHERE source = 'finess' AND id LIKE 'finess-eg-%'
     UNION ALL SELECT 'finess_authorisation', count(*)::int FROM finess_authorisation`);
  console.log(`${name}: ${counts.rows.map((r) => `${r.t} ${r.n}`).join(', ')}`);
}

/** The kept national database: created when missing, loaded when empty (or with --reload). */
async function runNational(): Promise<void> {
  const admin = new URL(process.env.ROR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  // ROR_BENCH_DB: another kept database (a scratch copy, or another engineer's national data set).
  const name = process.env.ROR_BENCH_DB ?? 'ror_bench_indicators';
  if (!/^[a-z_0-9]+$/.test(name)) throw new Error(`ROR_BENCH_DB: not a plain database name: ${name}`);
  const readOnly = process.argv.includes('--read-only');
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  if (readOnly) {
    const exists = (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
    await c.end();
    if (!exists) throw new Error(`--read-only: no database ${name}`);
    admin.pathname = `/${name}`;
    const db = new PostgresDatabase(admin.toString(), 4);
    try {
      const applied = new Set((await db.query<{ id: string }>('SELECT id FROM schema_migration')).rows.map((r) => r.id));
      const pending = (await allMigrations()).map((m) => m.id).filter((id) => !applied.has(id));
      if (pending.length) throw new Error(`--read-only: ${name} lacks migrations ${pending.join(', ')} (not applied: read-only)`);
      await printCounts(db, name);
      await computeReadOnly(db);
    } finally {
      await db.close();
    }
    return;
  }
  if (process.argv.includes('--reload')) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const exists = (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
  if (!exists) await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  admin.pathname = `/${name}`;
  const db = new PostgresDatabase(admin.toString(), 4);
  console.log(`— PostgreSQL, national (${name})`);
  try {
    // Pending migrations time included (099 backfills the indicator facts of every row once).
    await time('migrate', () => migrate(db));
    const loaded = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM organization WHERE id LIKE 'finess-eg-%'`);
    if (loaded.rows[0].n === 0) {
      const store = await loadNational(db);
      await importFinessAuthorisations(db, AUTHORISATIONS_FIXTURE);
      await addOffers(db, store);
      await db.query('ANALYZE');
    }
    await printCounts(db, name);
    if (process.argv.includes('--sites')) await timeSites(db);
    else await compute(db);
  } finally {
    await db.close();
  }
}

const useLite = process.argv.includes('pglite');
if (process.argv.includes('national')) {
  await runNational();
} else if (useLite) {
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
