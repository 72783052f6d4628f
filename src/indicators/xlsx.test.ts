import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { command } from '../cli/commands/indicators.ts';
import { migrate } from '../db/migrate.ts';
import { PGliteDatabase } from '../db/pglite.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { takePopulationSnapshot } from './snapshots.ts';
import { complete, importYvelines, offer, writeAll } from './test-fixtures.ts';
import { readXlsx, toXlsx, XLSX_CONTENT_TYPE } from './xlsx.ts';

const FINESS = ['780000204', '780001442', '780000287'];
const completeEhpad = () => offer({ ...complete('ehpad', 'finess-eg-780000204', '04', '288', '46', 'finess-loc-780000204'), organisationCategory: undefined });

describe('XLSX writer', () => {
  test('numbers stay numbers, rates get a percentage format, several sheets, empty tables', async () => {
    const bytes = await toXlsx([
      { name: 'Peuplement', rows: [{ region: '11', perimeterCount: 3, finalised: 1, rate: 1 / 3 }, { region: '93', perimeterCount: 0, finalised: 0, rate: null }] },
      { name: 'Écarts: [vides]', rows: [] },
    ]);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip container');
    const sheets = await readXlsx(bytes);
    assert.deepEqual([...sheets.keys()], ['Peuplement', 'Écarts   vides ']);
    assert.deepEqual(sheets.get('Peuplement'), [
      { region: '11', perimeterCount: 3, finalised: 1, rate: 1 / 3 },
      { region: '93', perimeterCount: 0, finalised: 0, rate: '' },
    ]);
    assert.deepEqual(sheets.get('Écarts   vides '), []);
  });
});

await describeWithDatabases('indicators XLSX exports (API)', (db) => {
  let server: TestServer;
  let admin: Record<string, string>;
  const xlsx = async (p: string) => {
    const res = await fetch(`${server.origin}${p}`, { headers: admin });
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('content-type'), XLSX_CONTENT_TYPE);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename=".+\.xlsx"/);
    return readXlsx(Buffer.from(await res.arrayBuffer()));
  };

  before(async () => {
    const store = await importYvelines(db(), FINESS);
    await writeAll(store, [completeEhpad()]);
    server = await startTestServer(db());
    admin = await server.adminHeaders();
  });
  after(() => server?.close());

  test('format=xlsx gives the same rows as the JSON', async () => {
    const json = (await (await fetch(`${server.origin}/api/indicators?by=region,field`, { headers: admin })).json()) as { rows: Record<string, unknown>[] };
    const book = await xlsx('/api/indicators?by=region,field&format=xlsx');
    assert.deepEqual(book.get('indicateurs-population'), json.rows);
    const dev = await xlsx('/api/indicators/deviations?rule=CP4&finess=780000287&format=xlsx');
    assert.deepEqual(dev.get('ecarts')!.map((r) => [r.objectId, r.reason]), [['780000287|MCO', 'aucune offre décrite'], ['780000287|SMR', 'aucune offre décrite']]);
  });

  test('trend: the population of each kept snapshot at the asked grain', async () => {
    const empty = (await (await fetch(`${server.origin}/api/indicators/trend?by=field`, { headers: admin })).json()) as { points: unknown[] };
    await takePopulationSnapshot(db());
    const r = await fetch(`${server.origin}/api/indicators/trend?by=field`, { headers: admin });
    assert.equal(r.status, 200);
    const { points } = (await r.json()) as { points: { referenceDate: string; rows: { field: string; finalised: number; perimeterCount: number }[] }[] };
    assert.equal(points.length, empty.points.length + 1);
    const last = points[points.length - 1];
    assert.deepEqual(last.rows.find((x) => x.field === 'PA'), { field: 'PA', perimeterCount: 1, finalised: 1, inProgress: 0, toDo: 0, rate: 1 });
    assert.equal((await fetch(`${server.origin}/api/indicators/trend?by=nope`, { headers: admin })).status, 400);
  });

  test('the dashboard workbook: one sheet per table', async () => {
    const book = await xlsx('/api/indicators/workbook');
    assert.deepEqual([...book.keys()], ['Peuplement par région', 'Peuplement par département', 'Peuplement par secteur', 'Qualité par exigence', 'Objectifs SEGUR', 'Écarts']);
    assert.deepEqual(book.get('Peuplement par région'), [{ region: '11', perimeterCount: 4, finalised: 1, inProgress: 0, toDo: 3, rate: 0.25 }]);
    assert.ok(book.get('Peuplement par secteur')!.some((r) => r.field === 'PA' && r.finalised === 1), JSON.stringify(book.get('Peuplement par secteur')));
    assert.ok(book.get('Écarts')!.length > 0);
    const anonymous = await fetch(`${server.origin}/api/indicators/workbook`);
    assert.equal(anonymous.status, 401);
  });
});

describe('ror indicators --format xlsx --out', () => {
  let dir: string;
  const env = { ...process.env };
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-ind-xlsx-'));
    const db = await PGliteDatabase.open(path.join(dir, 'db'));
    await migrate(db);
    const store = await importYvelines(db, FINESS);
    await writeAll(store, [completeEhpad()]);
    await db.close();
    Object.assign(process.env, { ROR_DATA_DIR: path.join(dir, 'db'), ROR_DEMO: '0' });
    delete process.env.DATABASE_URL;
  });
  after(() => {
    process.env = env;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('writes the population figures as a workbook; refuses xlsx without --out', async () => {
    const out = path.join(dir, 'peuplement.xlsx');
    assert.equal(await command.run(['--format', 'xlsx', '--out', out, '--by', 'region']), 0);
    const book = await readXlsx(fs.readFileSync(out));
    assert.deepEqual(book.get('Peuplement'), [{ region: '11', perimeterCount: 4, finalised: 1, inProgress: 0, toDo: 3, rate: 0.25 }]);
    assert.equal(await command.run(['--format', 'xlsx']), 2);
  });
});
