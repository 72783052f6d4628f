import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import type { Resource } from '../../fhir/types.ts';
import type { RequestContext } from '../../store/context.ts';
import { ResourceStore } from '../../store/resource-store.ts';
import { describeWithDatabases } from '../../testing/suite.ts';
import { CommuneIndex } from '../geo/commune-index.ts';
import { defaultFinessDir } from '../reference-data.ts';
import { toEtalabRecord, writeEtalabFile } from './etalab-writer.ts';
import type { FinessEstablishment } from './establishment.ts';
import { importFiness, type FinessImportOptions } from './import-finess.ts';
import { EXTENSIONS, SYSTEMS } from './mapping.ts';
import { loadFinessNos } from './nos-reference.ts';
import { readFiness } from './read-finess.ts';
import { VERIFICATION_STATUS_SYSTEM, verificationStatusOf, withVerificationStatus } from '../verification-status.ts';

const DEP78 = path.join(defaultFinessDir(), 'finess-etablissements-20210108-wgs84-dep78.csv');
const [HEADER, ...ROWS] = fs.readFileSync(DEP78, 'utf8').split(/\r?\n/).filter((l) => l !== '');
const communes = CommuneIndex.load();
const nos = loadFinessNos();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-finess-import-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const REFERENT: RequestContext = { actor: { id: 'referent-78', kind: 'user' }, source: 'form', validation: 'lenient' };

function writeRows(name: string, rows: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, [HEADER, ...rows].join('\r\n') + '\r\n');
  return file;
}

const cells = (row: string) => row.split(';');
const periodOf = (r: Resource) => (r.extension as { url: string; valuePeriod?: { start?: string; end?: string } }[]).find((e) => e.url === EXTENSIONS.period)?.valuePeriod;

describeWithDatabases('FINESS import of the real Yvelines extract', (db) => {
  let store: ResourceStore;
  // The whole file (1,623 rows) on PostgreSQL; PGlite (single-threaded WASM) gets the first 300 real rows.
  let rows: string[];
  let file: string;
  const opts: FinessImportOptions = { communes, nos };

  before(() => {
    store = new ResourceStore(db());
    rows = db().kind === 'postgres' ? ROWS : ROWS.slice(0, 300);
    file = writeRows(`dep78-${db().kind}.csv`, rows);
  });

  const count = async (table: string) => Number((await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);

  test('imports every row: EJ and EG Organizations, Locations, counts matching the file', async () => {
    const report = await importFiness(store, file, opts);
    const ets = rows.length;
    const ejs = new Set(rows.map((r) => cells(r)[1])).size;
    assert.equal(report.read, ets);
    assert.equal(report.establishments, ets);
    assert.equal(report.rejected, 0);
    assert.equal(report.created, 2 * ets + ejs);
    assert.equal(report.updated + report.unchanged + report.closed, 0);
    assert.equal(await count('organization'), ets + ejs);
    assert.equal(await count('location'), ets);
    assert.ok(report.resourcesPerSecond > 0);
    console.log(`[${db().kind}] ${ets} rows, ${report.created} resources in ${report.elapsedMs} ms: ${report.resourcesPerSecond} resources/s`);

    const eg = (await store.read('Organization', 'finess-eg-780000048')).resource;
    assert.deepEqual(eg.partOf, { reference: 'Organization/finess-ej-920002003' });
    const ids = eg.identifier as { system: string; value: string }[];
    assert.deepEqual(ids.map((i) => [i.system, i.value]), [
      [SYSTEMS.finess, '780000048'], [SYSTEMS.idNatSt, '1780000048'], [SYSTEMS.sirene, '22920050600215'],
    ]);
    const types = (eg.type as { coding: { system: string; code: string }[] }[]).map((t) => [t.coding[0]!.system, t.coding[0]!.code]);
    assert.deepEqual(types, [[SYSTEMS.categorie, '236'], [SYSTEMS.agregat, '4501']]);
    assert.deepEqual(eg.meta?.tag?.map((t) => [t.system, t.code]), [[SYSTEMS.region, '11'], [VERIFICATION_STATUS_SYSTEM, 'a-verifier']]);
    assert.equal(periodOf(eg)?.start, '1904-04-04');
    const phone = (eg.telecom as { value: string; extension: { url: string }[] }[])[0]!;
    assert.equal(phone.value, '0134855878');
    assert.deepEqual(phone.extension.map((e) => e.url), [EXTENSIONS.telecomChannel, EXTENSIONS.telecomConfidentiality]);

    const loc = (await store.read('Location', 'finess-loc-780000048')).resource;
    assert.deepEqual(loc.position, { latitude: 48.640425, longitude: 1.830352 });
    const cog = (loc.extension as { url: string; valueCodeableConcept?: { coding: { code: string }[] } }[]).find((e) => e.url === EXTENSIONS.communeCog);
    assert.equal(cog?.valueCodeableConcept?.coding[0]?.code, '78517'); // Rambouillet
    assert.equal(loc.meta?.tag?.[0]?.code, '11');
    const ej = (await store.read('Organization', 'finess-ej-920002003')).resource;
    assert.equal(ej.meta?.tag?.[0]?.code, '11'); // Hauts-de-Seine, Île-de-France
  });

  test('a second run of the same file writes nothing', async () => {
    const history = await count('resource_history');
    const report = await importFiness(store, file, opts);
    assert.equal(report.created, 0);
    assert.equal(report.updated, 0);
    assert.equal(report.closed, 0);
    assert.equal(report.unchanged, report.establishments * 2 + new Set(rows.map((r) => cells(r)[1])).size);
    assert.equal(await count('resource_history'), history);
  });

  test('a dry run counts the changes and writes nothing', async () => {
    const changed = [...rows];
    const c = cells(changed[2]!);
    c[6] = '0139000000';
    changed[2] = c.join(';');
    const history = await count('resource_history');
    const runs = await count('import_run');
    // Only the changed row, nothing closed: the other establishments are not the subject here.
    const report = await importFiness(store, writeRows('dry.csv', [changed[2]!]), { ...opts, dryRun: true, closeMissing: false });
    assert.equal(report.updated, 1);
    assert.equal(report.created, 0);
    assert.equal(await count('resource_history'), history);
    assert.equal(await count('import_run'), runs);
  });

  test("a referent's edit survives a re-import; the fields still as imported follow the file", async () => {
    const [target] = cells(rows[3]!);
    const id = `finess-eg-${target}`;
    await store.patch('Organization', id, (r) => ({ ...r, name: 'Nom corrigé par le référent' }), REFERENT);
    const changed = [...rows];
    const c = cells(changed[3]!);
    c[2] = 'NOUVELLE RAISON SOCIALE';
    c[6] = '0139999999';
    changed[3] = c.join(';');
    const report = await importFiness(store, writeRows('edited.csv', [changed[3]!]), { ...opts, closeMissing: false });
    assert.equal(report.referentFieldsKept, 1);
    const eg = (await store.read('Organization', id)).resource;
    assert.equal(eg.name, 'Nom corrigé par le référent');
    assert.equal((eg.telecom as { value: string }[])[0]!.value, '0139999999');
    // The Location's name was not touched by the referent: it follows FINESS.
    assert.equal((await store.read('Location', `finess-loc-${target}`)).resource.name, 'NOUVELLE RAISON SOCIALE');
    assert.equal(report.updated, 2);
    // And it still survives the next import of the original row.
    await importFiness(store, writeRows('original.csv', [rows[3]!]), { ...opts, closeMissing: false });
    assert.equal((await store.read('Organization', id)).resource.name, 'Nom corrigé par le référent');
  });

  test('a structure a referent marked verified stays verified through re-imports, and filters by its tag', async () => {
    const [target] = cells(rows[7]!);
    const id = `finess-eg-${target}`;
    await store.patch('Organization', id, (r) => withVerificationStatus(r, 'verifie'), REFERENT);
    await importFiness(store, writeRows('verified.csv', [rows[7]!]), { ...opts, closeMissing: false });
    const eg = (await store.read('Organization', id)).resource;
    assert.equal(verificationStatusOf(eg), 'verifie');
    assert.equal(eg.meta?.tag?.find((t) => t.system === SYSTEMS.region)?.code, '11');
    const byTag = await db().query<{ id: string }>(
      `SELECT id FROM organization WHERE content -> 'meta' -> 'tag' @> $1::jsonb`, [JSON.stringify([{ system: VERIFICATION_STATUS_SYSTEM, code: 'verifie' }])],
    );
    assert.deepEqual(byTag.rows.map((r) => r.id), [id]);
  });

  test('a line with a broken field is rejected with its line number; its establishment is not closed', async () => {
    const broken = [...rows];
    const c = cells(broken[4]!);
    c[16] = '2005-02-31';
    broken[4] = c.join(';');
    broken.push(rows[0]!); // the first establishment again, on the last line
    const report = await importFiness(store, writeRows('broken.csv', broken), opts);
    assert.equal(report.rejected, 2);
    assert.deepEqual(report.rejectedLines.map((p) => p.line), [6, rows.length + 2]);
    assert.match(report.rejectedLines[1]!.fr, /en double \(déjà lu ligne 2\)/);
    assert.equal(report.rejectedLines[0]!.nofinesset, c[0]);
    assert.match(report.rejectedLines[0]!.fr, /dateouv/);
    assert.equal(report.establishments, rows.length - 1);
    assert.equal(report.closed, 0);
    assert.equal((await store.read('Organization', `finess-eg-${c[0]}`)).resource.active, true);
  });

  test('establishments absent from a new file are closed, not deleted, and reopen when they come back', async () => {
    // Drop the establishments of one EJ that has a single site in the file.
    const perEj = new Map<string, string[]>();
    for (const r of rows) perEj.set(cells(r)[1]!, [...(perEj.get(cells(r)[1]!) ?? []), r]);
    const [ej, [gone]] = [...perEj].find(([, list]) => list.length === 1)!;
    const et = cells(gone!)[0]!;
    const report = await importFiness(store, writeRows('without.csv', rows.filter((r) => r !== gone)), opts);
    assert.equal(report.closed, 2);
    assert.deepEqual(report.closedIds.sort(), [`finess-eg-${et}`, `finess-ej-${ej}`].sort());
    const eg = (await store.read('Organization', `finess-eg-${et}`)).resource;
    assert.equal(eg.active, false);
    assert.equal(periodOf(eg)?.end, new Date().toISOString().slice(0, 10));
    const closing = (eg.extension as { url: string; valueCodeableConcept?: { coding: { code: string }[] } }[]).find((e) => e.url === EXTENSIONS.closingType);
    assert.equal(closing?.valueCodeableConcept?.coding[0]?.code, 'DEF');
    assert.equal(((await store.read('Location', `finess-loc-${et}`)).resource.operationalStatus as { code: string }).code, '1');
    assert.equal((await store.read('Organization', `finess-ej-${ej}`)).resource.active, false);
    // Closing again is a no-op; the full file reopens them.
    assert.equal((await importFiness(store, writeRows('without.csv', rows.filter((r) => r !== gone)), opts)).closed, 0);
    const back = await importFiness(store, file, opts);
    assert.equal(back.updated, 3);
    const reopened = (await store.read('Organization', `finess-eg-${et}`)).resource;
    assert.equal(reopened.active, true);
    assert.equal(periodOf(reopened)?.end, undefined);
    assert.equal((reopened.extension as { url: string }[]).some((e) => e.url === EXTENSIONS.closingType), false);
  });

  test('the FHIR ndjson shape (gzip) imports too', async () => {
    const lines: string[] = [];
    for await (const line of readline.createInterface({ input: fs.createReadStream(path.join(defaultFinessDir(), 'finess-fhir-etablissements-20210108.ndjson.gz')).pipe(zlib.createGunzip()) })) {
      lines.push(line);
      if (lines.length === 40) break;
    }
    const slice = path.join(dir, `slice-${db().kind}.ndjson.gz`);
    fs.writeFileSync(slice, zlib.gzipSync(lines.join('\n') + '\n'));
    const report = await importFiness(store, slice, { ...opts, closeMissing: false });
    assert.equal(report.format, 'ndjson');
    assert.equal(report.rejected, 0);
    assert.equal(report.establishments, 20);
    const eg = (await store.read('Organization', 'finess-eg-010000024')).resource;
    assert.equal(eg.name, 'CH DE FLEYRIAT');
    assert.equal(eg.meta?.tag?.[0]?.code, '84');
    const loc = (await store.read('Location', 'finess-loc-010000024')).resource;
    assert.deepEqual(loc.position, { latitude: 46.2227448, longitude: 5.2085961 });
  });

  test('a file that cannot be read stops the import, and its run is marked failed', async () => {
    const bad = path.join(dir, 'bad-header.csv');
    fs.writeFileSync(bad, 'nofinesset;nofinessej;rs\n780000048;920002003;X\n');
    await assert.rejects(importFiness(store, bad, opts), /Colonnes absentes/);
    const run = await db().query<{ status: string; report: { error: string } }>(`SELECT status, report FROM import_run ORDER BY id DESC LIMIT 1`);
    assert.equal(run.rows[0]!.status, 'failed');
    assert.match(run.rows[0]!.report.error, /Colonnes absentes/);
  });

  test('the etalab shape in Windows-1252 imports the same establishments, with their accents', async () => {
    const records: FinessEstablishment[] = [];
    for await (const item of readFiness(file)) if (item.kind === 'establishment') records.push(toEtalabRecord(item.record, communes));
    const etalab = path.join(dir, `etalab-${db().kind}.csv`);
    writeEtalabFile(etalab, records.slice(0, 50), { encoding: 'win1252', snapshotDate: '2021-01-08' });
    const report = await importFiness(store, etalab, { ...opts, closeMissing: false });
    assert.equal(report.format, 'etalab');
    assert.equal(report.encoding, 'win1252');
    assert.equal(report.snapshotDate, '2021-01-08');
    assert.equal(report.rejected, 0);
    assert.equal(report.establishments, 50);
    assert.equal(report.created, 0);
    const ehpa = records.slice(0, 50).find((r) => r.libcategagretab?.includes('Âgées'))!;
    const eg = (await store.read('Organization', `finess-eg-${ehpa.nofinesset}`)).resource;
    const agr = (eg.type as { coding: { system: string; display?: string }[] }[]).find((t) => t.coding[0]!.system === SYSTEMS.agregat);
    assert.equal(agr?.coding[0]?.display, "Etablissements d'Hébergement pour Personnes Âgées");
  });
});
