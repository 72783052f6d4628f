/**
 * Store benchmark: writes/s and reads/s through ResourceStore (validation, index rows, history and
 * audit included, as in production), on embedded PGlite (data folder) and on the PostgreSQL server.
 *   node --import tsx bench/store.ts [--n 2000] [--concurrency 8]
 * Prints one table; results go to bench/RESULTS.md with the machine and the date.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { openDatabase } from '../src/db/open.ts';
import type { Resource } from '../src/fhir/types.ts';
import type { RequestContext } from '../src/store/context.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('n', 2000);
const CONCURRENCY = arg('concurrency', 8);
const BATCH = 500;
const ctx: RequestContext = { actor: { id: 'bench', kind: 'system' }, source: 'cli', validation: 'lenient' };
const TRE = (name: string) => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

/** A realistic offer: an SMR unit with its activity, care mode, public, zone and contact. */
function offer(i: number): Resource {
  return {
    resourceType: 'HealthcareService',
    meta: { tag: [{ system: TRE('TRE_R30-RegionOM'), code: '11' }] },
    extension: [
      { url: `${SD}ror-healthcareservice-sensitive-unit`, valueBoolean: false },
      { url: `${SD}ror-healthcareservice-patient-type`, extension: [{ url: 'ageRange', valueRange: { low: { value: 18, code: 'a' }, high: { value: 120, code: 'a' } } }] },
      { url: `${SD}ror-territorial-division`, extension: [
        { url: 'typeTerritorialDivision', valueCodeableConcept: { coding: [{ system: TRE('TRE_R201-TypeDivisionTerritoriale'), code: '3' }] } },
        { url: 'codeTerritorialDivision', valueCodeableConcept: { coding: [{ system: TRE('TRE_R13-Commune'), code: '78335' }] } },
      ] },
    ],
    identifier: [{ system: 'https://ror.esante.gouv.fr/offre', value: `bench-${i}` }],
    name: `Soins médicaux et de réadaptation polyvalents ${i}`,
    providedBy: { reference: 'Organization/finess-780000311' },
    type: [{ coding: [{ system: TRE('TRE_R227-ChampActivite'), code: '02' }] }],
    specialty: [{ coding: [{ system: TRE('TRE_R211-ActiviteOperationnelle'), code: '227' }] }],
    characteristic: [{ coding: [{ system: TRE('TRE_R213-ModePriseEnCharge'), code: '07' }] }],
  };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function pool<T>(items: T[], concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

async function run(name: string, db: Database): Promise<Record<string, string>> {
  const services = await createServices({ ...loadConfig({ ROR_DEMO: '0' }) }, { db });
  const { store } = services;
  const ids: string[] = [];
  const single = await timed(() => pool([...Array(N).keys()], name === 'pglite' ? 1 : CONCURRENCY, async (i) => {
    ids.push((await store.create(offer(i), ctx)).id);
  }));
  const batched = await timed(async () => {
    for (let b = 0; b < N; b += BATCH) {
      await store.transaction(async (tx) => {
        for (let i = b; i < Math.min(N, b + BATCH); i++) await tx.create(offer(N + i), ctx);
      });
    }
  });
  const updates = await timed(() => pool(ids.slice(0, N / 2), name === 'pglite' ? 1 : CONCURRENCY, async (id) => {
    const cur = await store.read('HealthcareService', id);
    await store.update({ ...cur.resource, name: `${cur.resource.name as string} (mis à jour)` }, ctx, { ifMatch: cur.versionId });
  }));
  const reads = await timed(() => pool([...Array(N * 2).keys()], CONCURRENCY, async (i) => {
    await store.read('HealthcareService', ids[i % ids.length]);
  }));
  await services.close();
  return {
    engine: name,
    'create, 1 per transaction (/s)': (N / single).toFixed(0),
    'create, 500 per transaction (/s)': (N / batched).toFixed(0),
    'read-modify-update with If-Match (/s)': (N / 2 / updates).toFixed(0),
    'read by id (/s)': ((N * 2) / reads).toFixed(0),
  };
}

const results: Record<string, string>[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-bench-'));
try {
  results.push(await run('pglite', await openDatabase({ dataDir: dir })));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const pg = await createPostgresTestDatabase();
try {
  results.push(await run('postgres', await openDatabase({ databaseUrl: pg.url })));
} finally {
  await pg.drop();
}
console.log(`store benchmark — N=${N}, concurrency ${CONCURRENCY} (PGlite: writes sequential, one connection), ${os.cpus().length} cores, ${os.cpus()[0]?.model}, node ${process.version}, ${new Date().toISOString()}`);
console.table(results);
