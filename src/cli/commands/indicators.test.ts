import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { migrate } from '../../db/migrate.ts';
import { PostgresDatabase } from '../../db/postgres.ts';
import { complete, importYvelines, offer, writeAll } from '../../indicators/test-fixtures.ts';
import { createPostgresTestDatabase, testBackends } from '../../testing/databases.ts';
import { command } from './indicators.ts';

/** `ror indicators` end to end on a PostgreSQL test database (DATABASE_URL), output captured. */
const pg = (await testBackends()).find((b) => b.name === 'postgres')!;

describe('ror indicators', { skip: pg.unavailable }, () => {
  let drop: () => Promise<void>;
  const savedUrl = process.env.DATABASE_URL;

  async function run(...args: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const log = console.log;
    const err = console.error;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    console.error = () => undefined;
    try {
      return { code: Number((await command.run(args)) ?? 0), out: lines.join('\n') };
    } finally {
      console.log = log;
      console.error = err;
    }
  }

  before(async () => {
    const t = await createPostgresTestDatabase();
    drop = t.drop;
    const db = new PostgresDatabase(t.url, 2);
    await migrate(db);
    const store = await importYvelines(db, ['780000204', '780001442', '780000287']);
    await writeAll(store, [offer({ ...complete('ehpad', 'finess-eg-780000204', '04', '288', '46', 'finess-loc-780000204'), organisationCategory: undefined })]);
    await db.close();
    process.env.DATABASE_URL = t.url;
  });
  after(async () => {
    if (savedUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedUrl;
    await drop?.();
  });

  test('population as CSV by région × champ', async () => {
    const r = await run('--format', 'csv');
    assert.equal(r.code, 0);
    assert.deepEqual(r.out.split('\n'), [
      'region;field;perimeterCount;finalised;inProgress;toDo;rate',
      '11;Domicile;1;0;0;1;0', '11;MCO;1;0;0;1;0', '11;PA;1;1;0;0;1', '11;SMR;1;0;0;1;0',
    ]);
  });

  test('quality as JSON, a table of écarts, and a bad option', async () => {
    const q = JSON.parse((await run('--quality', '--rule', 'CP4', '--by', 'rule', '--format', 'json')).out) as { rows: unknown[] };
    assert.deepEqual(q.rows, [{ rule: 'CP4', perimeterCount: 4, deviations: 3, conformity: 0.25 }]);
    const d = await run('--deviations', '--rule', 'CP4', '--region', '11');
    assert.match(d.out, /780000287\|MCO .* aucune offre décrite/);
    assert.equal((await run('--format', 'xml')).code, 2);
    assert.equal((await run('--rule', 'ZZ1', '--quality')).code, 2);
  });

  test('--segur: objectives per région × champ (no 2023-06-30 baseline here: 85 %)', async () => {
    const r = await run('--segur', '--format', 'csv');
    assert.deepEqual(r.out.split('\n'), [
      'region;indicateur;reference;objectif;perimetre;finalises;taux;resteAFaire',
      '11;ES MCO;;0.8500;1;0;0;1',
      '11;ESMS PA;;0.8500;1;1;1;0',
    ]);
  });

  test('--snapshot stores both snapshots and publishes the FHIR measures', async () => {
    const r = await run('--snapshot', '--format', 'json');
    const out = JSON.parse(r.out) as { population: { summary: { perimeter: number; finalised: number } }; fhir: string[] };
    assert.deepEqual([out.population.summary.perimeter, out.population.summary.finalised], [4, 1]);
    assert.ok(out.fhir.includes('Measure/ror-peuplement'));
    const s = await run('--source', 'snapshot', '--by', 'region', '--format', 'csv');
    assert.deepEqual(s.out.split('\n'), ['region;perimeterCount;finalised;inProgress;toDo;rate', '11;4;1;0;3;0.2500']);
  });
});
