import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { describeWithDatabases } from '../testing/suite.ts';
import { importNos } from './import-nos.ts';
import { nosCanonicalUrl } from './nos-files.ts';
import { defaultIgDir, defaultNosDir, loadTerminologyFromFiles, NosTerminology } from './terminology.ts';

const NOS = defaultNosDir();
const J17 = nosCanonicalUrl('JDV_J17-ActiviteOperationnelle-ROR');
const J19 = nosCanonicalUrl('JDV_J19-ModePriseEnCharge-ROR');
const J29 = nosCanonicalUrl('JDV_J29-PublicPrisEnCharge-ROR');
const J30 = nosCanonicalUrl('JDV_J30-TemporaliteAccueil-ROR');
const R211 = nosCanonicalUrl('TRE_R211-ActiviteOperationnelle');
const R213 = nosCanonicalUrl('TRE_R213-ModePriseEnCharge');
const R239 = nosCanonicalUrl('TRE_R239-PublicPrisEnCharge');
const R240 = nosCanonicalUrl('TRE_R240-TemporaliteAccueil');

/** A folder holding a copy of one NOS file, changed by `edit` (line-wise). */
function editedCopy(file: string, edit: (lines: string[]) => string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-nos-'));
  const lines = fs.readFileSync(path.join(NOS, file), 'utf8').split('\n');
  fs.writeFileSync(path.join(dir, file), edit(lines).join('\n'));
  return dir;
}

function field(line: string, i: number): string {
  return line.split(';')[i];
}

await describeWithDatabases('NOS terminology in the database', (db) => {
  test('migration 011 loads the same content as the files', async () => {
    const fromDb = await NosTerminology.load(db());
    const fromFiles = await loadTerminologyFromFiles(NOS, defaultIgDir());
    assert.equal(fromDb.data.valueSets.length, fromFiles.data.valueSets.length);
    assert.equal(fromDb.data.concepts.length, fromFiles.data.concepts.length);
    assert.equal(fromDb.valueSet(J17)?.members.length, 449);
    assert.equal(fromDb.valueSet(J19)?.members.length, 37);
    assert.deepEqual(fromDb.validateCode(J17, R211, '227'), fromFiles.validateCode(J17, R211, '227'));
    for (const code of ['06', '07', '08']) assert.equal(fromDb.validateCode(J29, R239, code).result, 'valid');
    const r213 = fs.readFileSync(path.join(NOS, 'TRE_R213-ModePriseEnCharge.tabs'), 'utf8').split('\n').slice(3).filter(Boolean);
    for (const line of r213) assert.equal(fromDb.lookup(R213, field(line, 1))?.retired, field(line, 6) !== '');
    assert.equal(fromDb.concept(R213, field(r213.find((l) => field(l, 6) !== '')!, 1))?.validTo?.length, 10);
  });

  test('re-importing the same files changes nothing', async () => {
    const report = await importNos(db(), [NOS, defaultIgDir()]);
    const changed = report.files.filter((f) => f.added || f.updated || f.retired);
    assert.deepEqual(changed, []);
    const j17 = report.files.find((f) => f.url === J17);
    assert.equal(j17?.read, 449);
    assert.equal(j17?.unchanged, 449);
    assert.equal(report.files.find((f) => f.file.startsWith('ASS_X10'))?.kind, 'skipped');
    assert.deepEqual(report.notes.filter((n) => n.valueSet.startsWith('JDV_J29')).map((n) => n.code).sort(), ['06', '07', '08']);
  });

  test('a refreshed TRE file: label updated, end date and missing code retired, nothing deleted', async () => {
    const original = fs.readFileSync(path.join(NOS, 'TRE_R213-ModePriseEnCharge.tabs'), 'utf8').split('\n');
    const active = original.slice(3).filter((l) => l && field(l, 6) === '');
    const [gone, relabelled, ended] = active.map((l) => field(l, 1));
    const dir = editedCopy('TRE_R213-ModePriseEnCharge.tabs', (lines) =>
      lines
        .filter((l, i) => i < 3 || field(l, 1) !== gone)
        .map((l, i) => {
          if (i < 3 || !l) return l;
          const f = l.split(';');
          if (f[1] === relabelled) f[2] = `${f[2]} (libellé modifié)`;
          if (f[1] === ended) f[6] = '20251231120000';
          return f.join(';');
        }),
    );
    const report = await importNos(db(), dir);
    const r = report.files.find((f) => f.url === R213);
    assert.deepEqual(
      { read: r?.read, added: r?.added, updated: r?.updated, retired: r?.retired, unchanged: r?.unchanged },
      // `read` lacks the code gone from the file; `retired` counts it and the end-dated one.
      { read: original.slice(3).filter(Boolean).length - 1, added: 0, updated: 1, retired: 2, unchanged: original.slice(3).filter(Boolean).length - 3 },
    );
    const t = await NosTerminology.load(db());
    assert.equal(t.lookup(R213, gone)?.retired, true, 'a code gone from the file is kept, retired');
    assert.equal(t.lookup(R213, ended)?.retired, true);
    assert.equal(t.concept(R213, ended)?.validTo, '2025-12-31');
    assert.match(t.lookup(R213, relabelled)!.display, /\(libellé modifié\)$/);
    // J19 carries R213 codes: the retirement shows through the value set.
    assert.ok(t.valueSet(J19)!.members.some((m) => m.code === ended), `J19 has R213 ${ended}`);
    const check = t.validateCode(J19, R213, ended);
    assert.ok(check.result === 'valid' && check.concept.retired);
    const searchRow = await db().query<{ retired: boolean }>(
      'SELECT retired FROM terminology_value_set_member WHERE value_set = $1 AND code = $2',
      [J19, ended],
    );
    assert.equal(searchRow.rows[0].retired, true);

    // Back to the published file: the codes come back.
    const back = await importNos(db(), NOS);
    const b = back.files.find((f) => f.url === R213);
    assert.equal(b?.updated, 3);
    const t2 = await NosTerminology.load(db());
    assert.equal(t2.lookup(R213, gone)?.retired, false);
    assert.equal(t2.lookup(R213, ended)?.retired, false);
  });

  test('a value set row gone from its file is kept and flagged retired; a lost row is added back', async () => {
    const j30 = fs.readFileSync(path.join(NOS, 'JDV_J30-TemporaliteAccueil-ROR.tabs'), 'utf8').split('\n');
    const lastCode = field(j30.filter(Boolean).at(-1)!, 1);
    const dir = editedCopy('JDV_J30-TemporaliteAccueil-ROR.tabs', (lines) => lines.filter((l, i) => i < 3 || field(l, 1) !== lastCode));
    const report = await importNos(db(), dir);
    const r = report.files.find((f) => f.url === J30);
    assert.equal(r?.retired, 1);
    assert.equal(r?.read, j30.filter(Boolean).length - 4);
    const t = await NosTerminology.load(db());
    const check = t.validateCode(J30, R240, lastCode);
    assert.ok(check.result === 'valid');
    assert.equal(check.concept.retired, true);

    await db().query('DELETE FROM terminology_value_set_member WHERE value_set = $1 AND code = $2', [J30, lastCode]);
    const again = await importNos(db(), NOS);
    const a = again.files.find((f) => f.url === J30);
    assert.equal(a?.added, 1);
    const t2 = await NosTerminology.load(db());
    const ok = t2.validateCode(J30, R240, lastCode);
    assert.ok(ok.result === 'valid' && !ok.concept.retired);
  });
});
