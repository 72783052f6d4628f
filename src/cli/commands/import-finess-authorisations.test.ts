import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AUTHORISATIONS_FIXTURE } from '../../indicators/test-fixtures.ts';
import { createPostgresTestDatabase, testBackends } from '../../testing/databases.ts';
import { command } from './import-finess-authorisations.ts';

/** `ror import finess-authorisations` end to end on a PostgreSQL test database (DATABASE_URL), output captured. */
const pg = (await testBackends()).find((b) => b.name === 'postgres')!;

describe('ror import finess-authorisations', { skip: pg.unavailable }, () => {
  let drop: () => Promise<void>;
  const savedUrl = process.env.DATABASE_URL;
  before(async () => {
    const t = await createPostgresTestDatabase();
    drop = t.drop;
    process.env.DATABASE_URL = t.url;
  });
  after(async () => {
    if (savedUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = savedUrl;
    await drop?.();
  });

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const [log, error] = [console.log, console.error];
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    console.error = (...a: unknown[]) => void err.push(a.join(' '));
    try {
      return { code: Number((await command.run(args)) ?? 0), out: out.join('\n'), err: err.join('\n') };
    } finally {
      console.log = log;
      console.error = error;
    }
  }

  test('imports the fixture and reports the rejected lines by number', async () => {
    const r = await run(AUTHORISATIONS_FIXTURE);
    assert.equal(r.code, 0);
    assert.match(r.out, /lignes lues 24, autorisations enregistrées 20, rejetées 4/);
    assert.match(r.out, /ligne 22 : numéro FINESS ET invalide « 78000028X »/);
    const json = JSON.parse((await run(AUTHORISATIONS_FIXTURE, '--dry-run', '--json')).out) as { dryRun: boolean; imported: number };
    assert.deepEqual([json.dryRun, json.imported], [true, 20]);
  });

  test('a missing file is a usage error', async () => {
    const r = await run('/nonexistent/autorisations.csv');
    assert.equal(r.code, 2);
    assert.match(r.err, /Fichier introuvable/);
  });
});
