import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { importNos } from '../terminology/import-nos.ts';
import { defaultNosDir, NosTerminology } from '../terminology/terminology.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { completedHealthcareService, errorsOf } from './fixtures.ts';
import { createRorValidator } from './index.ts';

/**
 * A NOS update retires a code still used by an offer: the offer stays valid (accepted) and the code is
 * flagged. The update is the real TRE_R213 file with an end date on 28 « Hospitalisation complète ».
 */

const FILE = 'TRE_R213-ModePriseEnCharge.tabs';

function withEndDate(code: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-nos-retired-'));
  const lines = fs.readFileSync(path.join(defaultNosDir(), FILE), 'utf8').split('\n');
  const edited = lines.map((l, i) => {
    const f = l.split(';');
    if (i < 3 || f[1] !== code) return l;
    f[6] = '20251231120000';
    return f.join(';');
  });
  fs.writeFileSync(path.join(dir, FILE), edited.join('\n'));
  return dir;
}

await describeWithDatabases('validation with retired NOS codes', (db) => {
  test('a care mode retired by a NOS update is a warning, not an error', async () => {
    await importNos(db(), withEndDate('28'));
    const validator = createRorValidator(await NosTerminology.load(db()));
    const issues = await validator.validate(completedHealthcareService());
    assert.deepEqual(errorsOf(issues), []);
    const warnings = issues.filter((i) => i.severity === 'warning');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].expression, 'HealthcareService.characteristic[2].coding[0].code');
    assert.match(warnings[0].fr, /« 28 » \(Hospitalisation complète \(HC\)\) du mode de prise en charge est obsolète/);
    assert.match(warnings[0].fr, /JDV_J19-ModePriseEnCharge-ROR/);

    // Back to the published file: no warning.
    await importNos(db(), defaultNosDir());
    const again = await createRorValidator(await NosTerminology.load(db())).validate(completedHealthcareService());
    assert.deepEqual(again.filter((i) => i.severity !== 'information'), []);
  });
});
