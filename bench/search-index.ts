/**
 * Search indexing throughput: FHIRPath extraction alone (in memory), then store writes with and
 * without the search indexer, on PGlite (in memory) and on PostgreSQL when DATABASE_URL is set.
 * Data: every geolocated FINESS Yvelines establishment (EJ, EG, place, offer ≈ 5.5k resources).
 * Run: node --import tsx bench/search-index.ts [writes per engine, default 1000]
 */
import { migrate } from '../src/db/migrate.ts';
import { PGliteDatabase } from '../src/db/pglite.ts';
import { PostgresDatabase } from '../src/db/postgres.ts';
import type { Database } from '../src/db/database.ts';
import type { ResourceType } from '../src/fhir/resource-types.ts';
import { SYSTEM_CONTEXT } from '../src/store/context.ts';
import { ResourceStore } from '../src/store/resource-store.ts';
import { createSearchIndexer } from '../src/search/indexer.ts';
import { buildYvelinesFixture } from '../src/search/testing/yvelines-fixture.ts';

const writes = Number(process.argv[2] ?? 1000);
const fx = await buildYvelinesFixture(100_000, 1);
const resources = fx.resources;
const indexer = createSearchIndexer();

// Warm-up compiles every expression once.
for (const r of resources.slice(0, 50)) indexer.rows(r.resourceType as ResourceType, r);
let t = performance.now();
let rows = 0;
for (let pass = 0; pass < 3; pass++) {
  for (const r of resources) {
    const x = indexer.rows(r.resourceType as ResourceType, r);
    rows += x.token.length + x.string.length + x.reference.length + x.date.length + x.number.length;
  }
}
let s = (performance.now() - t) / 1000;
console.log(`extraction only: ${resources.length * 3} resources in ${s.toFixed(2)} s = ${Math.round((resources.length * 3) / s)} resources/s (${(rows / resources.length / 3).toFixed(1)} index rows per resource)`);

async function writeRate(db: Database, label: string): Promise<void> {
  const sample = resources.slice(0, writes);
  for (const withIndex of [false, true]) {
    const store = new ResourceStore(db, { indexers: withIndex ? [indexer] : [] });
    t = performance.now();
    for (const r of sample) await store.update({ ...r, id: `${withIndex ? 'i' : 'n'}-${r.id}` }, SYSTEM_CONTEXT);
    s = (performance.now() - t) / 1000;
    console.log(`${label} store writes ${withIndex ? 'with' : 'without'} search index: ${sample.length} in ${s.toFixed(2)} s = ${Math.round(sample.length / s)} resources/s`);
  }
}

const lite = await PGliteDatabase.open();
await migrate(lite);
await writeRate(lite, 'PGlite');
await lite.close();
if (process.env.DATABASE_URL) {
  const pg = new PostgresDatabase(process.env.DATABASE_URL, 2);
  await migrate(pg);
  await writeRate(pg, 'PostgreSQL');
  await pg.close();
}
