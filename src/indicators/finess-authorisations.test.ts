import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import iconv from 'iconv-lite';
import { describeWithDatabases } from '../testing/suite.ts';
import { AUTHORISATION_FIELDS, importFinessAuthorisations } from './finess-authorisations.ts';
import { AUTHORISATIONS_FIXTURE } from './test-fixtures.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-autorisations-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

await describeWithDatabases('FINESS authorisations import', (db) => {
  test('the fixture: 20 authorisations kept, 4 lines rejected with their line numbers', async () => {
    const r = await importFinessAuthorisations(db(), AUTHORISATIONS_FIXTURE);
    assert.equal(r.encoding, 'utf8');
    assert.equal(r.read, 24);
    assert.equal(r.imported, 20);
    assert.deepEqual(r.rejectedLines.map((p) => p.line), [22, 23, 24, 25]);
    assert.match(r.rejectedLines[0]!.fr, /numéro FINESS ET invalide « 78000028X »/);
    assert.match(r.rejectedLines[1]!.fr, /date datefin invalide/);
    assert.match(r.rejectedLines[2]!.fr, /déjà lue ligne 2/);
    assert.match(r.rejectedLines[3]!.fr, /3 champs au lieu de 27/);
    const rows = (await db().query<{ nofinesset: string; activite: string; modalite: string; forme: string; datefin: unknown; source_line: number }>(
      `SELECT nofinesset, activite, modalite, forme, datefin, source_line FROM finess_authorisation WHERE nofinesset = '780000378' ORDER BY source_line`,
    )).rows;
    assert.deepEqual(rows.map((x) => [x.activite, x.modalite, x.forme, x.source_line]), [['01', '', '', 14], ['51', '', '', 15], ['02', '', '05', 16]]);
    const noEnd = await db().query(`SELECT 1 FROM finess_authorisation WHERE nofinesset = '780018727' AND datefin IS NULL`);
    assert.equal(noEnd.rowCount, 1);
  });

  test('a new file replaces the stock; a dry run writes nothing', async () => {
    const file = path.join(dir, 'one.csv');
    const line = Object.fromEntries(AUTHORISATION_FIELDS.map((f) => [f, '']));
    Object.assign(line, { nofinesset: '780000295', nofinessej: '780002697', activite: '01', datefin: '2028-01-31', rsej: 'CHI DE MEULAN — Hôpital' });
    // Legacy FINESS exports are Windows-1252.
    fs.writeFileSync(file, iconv.encode(`${AUTHORISATION_FIELDS.join(';')}\r\n${AUTHORISATION_FIELDS.map((f) => line[f]).join(';')}\r\n`, 'win1252'));
    const dry = await importFinessAuthorisations(db(), file, { dryRun: true });
    assert.equal(dry.imported, 1);
    assert.equal(dry.encoding, 'windows-1252');
    assert.equal(Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM finess_authorisation')).rows[0]!.n), 20);
    const r = await importFinessAuthorisations(db(), file);
    assert.equal(r.imported, 1);
    const rows = (await db().query<{ nofinesset: string; datefin: unknown }>('SELECT nofinesset, datefin::text AS datefin FROM finess_authorisation')).rows;
    assert.deepEqual(rows, [{ nofinesset: '780000295', datefin: '2028-01-31' }]);
  });

  test('a header without the required fields is refused before anything is replaced', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'numero;code\n780000295;01\n');
    await assert.rejects(importFinessAuthorisations(db(), file), /Colonnes absentes de l'en-tête : nofinesset, activite/);
    assert.equal(Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM finess_authorisation')).rows[0]!.n), 1);
  });
});
