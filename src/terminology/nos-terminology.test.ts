import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { buildCatalogue } from './catalogue.ts';
import { nosCanonicalUrl, parseFolder } from './nos-files.ts';
import { defaultIgDir, defaultNosDir, loadTerminologyFromFiles, type NosTerminology } from './terminology.ts';

// Everything here reads the real NOS files of shared/data/nos and the IG folder.
const NOS = defaultNosDir();
const J17 = nosCanonicalUrl('JDV_J17-ActiviteOperationnelle-ROR');
const J19 = nosCanonicalUrl('JDV_J19-ModePriseEnCharge-ROR');
const J20 = nosCanonicalUrl('JDV_J20-ChampActivite-ROR');
const J29 = nosCanonicalUrl('JDV_J29-PublicPrisEnCharge-ROR');
const J34 = nosCanonicalUrl('JDV_J34-CategorieOrganisation-ROR');
const J18 = nosCanonicalUrl('JDV_J18-EquipementSpecifique-ROR');
const R211 = nosCanonicalUrl('TRE_R211-ActiviteOperationnelle');
const R213 = nosCanonicalUrl('TRE_R213-ModePriseEnCharge');
const R227 = nosCanonicalUrl('TRE_R227-ChampActivite');
const R239 = nosCanonicalUrl('TRE_R239-PublicPrisEnCharge');
const R240 = nosCanonicalUrl('TRE_R240-TemporaliteAccueil');
const R244 = nosCanonicalUrl('TRE_R244-CategorieOrganisation');

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(NOS, file), 'utf8'));
}

function tabsRows(file: string): string[][] {
  return fs.readFileSync(path.join(NOS, file), 'utf8').split('\n').slice(3).filter(Boolean).map((l) => l.split(';'));
}

describe('NOS terminology from the files', () => {
  let t: NosTerminology;
  before(async () => {
    t = await loadTerminologyFromFiles(NOS, defaultIgDir());
  });

  test('canonical URL of a value set follows the NOS pattern', () => {
    assert.equal(J17, 'https://mos.esante.gouv.fr/NOS/JDV_J17-ActiviteOperationnelle-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR');
    assert.ok(t.hasValueSet(J17));
    assert.ok(t.hasValueSet(`${J17}|20230127120000`), 'a versioned canonical is accepted');
  });

  test('J17 has the 449 codes of its file, coded with the TRE_R211 system', () => {
    const file = readJson('JDV_J17-ActiviteOperationnelle-ROR-FHIR.json');
    const fileConcepts = file.compose.include.flatMap((i: any) => i.concept);
    assert.equal(t.valueSet(J17)?.members.length, 449);
    assert.equal(fileConcepts.length, 449);
    const r = t.validateCode(J17, R211, '227');
    assert.equal(r.result, 'valid');
    assert.ok(r.result === 'valid');
    assert.equal(r.concept.display, fileConcepts.find((c: any) => c.code === '227').display);
    assert.equal(r.concept.system, R211);
    assert.equal(r.concept.unverified, undefined);
  });

  test('a code is rejected with the value set named; a wrong system too', () => {
    const r = t.validateCode(J17, R211, '9999');
    assert.equal(r.result, 'invalid');
    assert.ok(r.result === 'invalid');
    assert.equal(r.valueSetName, 'JDV_J17-ActiviteOperationnelle-ROR');
    assert.match(r.message.fr, /JDV_J17-ActiviteOperationnelle-ROR/);
    assert.match(r.message.fr, /9999/);
    assert.match(r.message.en, /not in value set JDV_J17/);
    const wrongSystem = t.validateCode(J17, R213, '227');
    assert.equal(wrongSystem.result, 'invalid');
    assert.ok(wrongSystem.result === 'invalid');
    assert.match(wrongSystem.message.fr, /TRE_R211/, 'the message tells the system that has the code');
  });

  test('value sets not in the store cannot be checked', () => {
    for (const name of ['JDV_J16-ActeSpecifique-ROR', 'JDV_J238-TypeOffre-ROR', 'JDV_J199-StatutJuridique-ROR']) {
      assert.equal(t.hasValueSet(nosCanonicalUrl(name)), false);
      assert.deepEqual(t.validateCode(nosCanonicalUrl(name), R211, '227'), { result: 'unknown-valueset' });
    }
  });

  test('J19 has 37 codes, all from TRE_R213', () => {
    const vs = t.valueSet(J19);
    assert.equal(vs?.members.length, 37);
    assert.ok(vs?.members.every((m) => m.system === R213 && m.systemKnown));
  });

  test('J20 is the 5 codes of TRE_R227', () => {
    const cs = readJson('CodeSystem-TRE-R227-ChampActivite.json');
    const tre = cs.concept.map((c: any) => c.code).sort();
    assert.equal(tre.length, 5);
    assert.deepEqual(t.valueSet(J20)?.members.map((m) => m.code).sort(), tre);
    for (const code of tre) assert.equal(t.validateCode(J20, R227, code).result, 'valid');
  });

  test('J29 quirk: codes 06/07/08 filed under other systems belong to TRE_R239', () => {
    for (const code of ['06', '07', '08']) {
      const r = t.validateCode(J29, R239, code);
      assert.equal(r.result, 'valid', `J29 ${code}`);
    }
    // TRE_R240 is another code system (TemporaliteAccueil): its 07 is not "Tout public".
    assert.equal(t.validateCode(J29, R240, '07').result, 'invalid');
  });

  test('J29 corrections are reported', async () => {
    const cat = buildCatalogue(await parseFolder(NOS));
    const j29 = cat.notes.filter((n) => n.valueSet === 'JDV_J29-PublicPrisEnCharge-ROR');
    assert.deepEqual(j29.map((n) => n.code).sort(), ['06', '07', '08']);
    assert.ok(j29.every((n) => n.to === R239));
  });

  test('a code that really moved stays where the value set files it (J186: 93 Psychologue in TRE_R95)', () => {
    const j186 = nosCanonicalUrl('JDV_J186-ProfessionRessource-ROR');
    const r95 = nosCanonicalUrl('TRE_R95-UsagerTitre');
    const g15 = nosCanonicalUrl('TRE_G15-ProfessionSante');
    const file = readJson('JDV_J186-ProfessionRessource-ROR-FHIR.json');
    const r95Codes = file.compose.include.find((i: any) => i.system === r95).concept.map((c: any) => c.code);
    assert.ok(r95Codes.includes('93'));
    assert.equal(t.validateCode(j186, r95, '93').result, 'valid');
    assert.equal(t.lookup(g15, '93')?.retired, true);
  });

  test('TRE_R213 retired codes are flagged, the others are not', () => {
    const rows = tabsRows('TRE_R213-ModePriseEnCharge.tabs');
    const retired = rows.filter((r) => r[6] !== '').map((r) => r[1]);
    assert.equal(retired.length, 22);
    for (const r of rows) {
      const info = t.lookup(R213, r[1]);
      assert.ok(info, `R213 ${r[1]}`);
      assert.equal(info.retired, r[6] !== '', `R213 ${r[1]} retired`);
      assert.equal(info.display, r[2]);
    }
    assert.equal(t.concept(R213, retired[0])?.validTo, `${rows.find((r) => r[1] === retired[0])![6].slice(0, 4)}-${rows.find((r) => r[1] === retired[0])![6].slice(4, 6)}-${rows.find((r) => r[1] === retired[0])![6].slice(6, 8)}`);
  });

  test('retired code of a FHIR code system (TRE_G15 93) is flagged', () => {
    const g15 = nosCanonicalUrl('TRE_G15-ProfessionSante');
    const cs = JSON.parse(fs.readFileSync(path.join(NOS, 'CodeSystem-TRE-G15-ProfessionSante.json'), 'utf8'));
    const withEnd = cs.concept.filter((c: any) => c.property?.some((p: any) => p.code === 'dateFin')).map((c: any) => c.code);
    assert.ok(withEnd.includes('93'));
    assert.equal(t.lookup(g15, '93')?.retired, true);
    assert.equal(t.lookup(g15, '10')?.retired, false);
  });

  test('TRE_R244 rows with their own OIDs stay in TRE_R244; J34 validates with it', () => {
    const rows = tabsRows('TRE_R244-CategorieOrganisation.tabs');
    const odd = rows.filter((r) => r[0] !== '1.2.250.1.213.3.3.39');
    assert.ok(odd.length >= 10);
    for (const r of odd) assert.equal(t.lookup(R244, r[1])?.display, r[2]);
    const j34 = tabsRows('JDV_J34-CategorieOrganisation-ROR.tabs');
    assert.equal(t.valueSet(J34)?.members.length, j34.length);
    for (const r of j34) assert.equal(t.validateCode(J34, R244, r[1]).result, 'valid', `J34 ${r[1]}`);
    // Code 42 is retired in TRE_R244 and absent from J34.
    assert.equal(t.lookup(R244, '42')?.retired, true);
    assert.equal(t.validateCode(J34, R244, '42').result, 'invalid');
  });

  test('OID-only rows with no known code system are checked on the code alone, and say so', () => {
    const rows = tabsRows('JDV_J18-EquipementSpecifique-ROR.tabs');
    const r = t.validateCode(J18, 'https://example.org/any-system', rows[0][1]);
    assert.ok(r.result === 'valid');
    assert.equal(r.concept.unverified, 'system');
    assert.equal(r.concept.display, rows[0][2]);
    assert.equal(t.validateCode(J18, 'https://example.org/any-system', 'NOT-A-CODE').result, 'invalid');
    // Naming the row's own OID is an exact match.
    const byOid = t.validateCode(J18, `urn:oid:${rows[0][0]}`, rows[0][1]);
    assert.ok(byOid.result === 'valid');
    assert.equal(byOid.concept.unverified, undefined);
  });

  test('OIDs learnt from FHIR value sets resolve .tabs rows (J30 → TRE_R240)', () => {
    const j30 = t.valueSet(nosCanonicalUrl('JDV_J30-TemporaliteAccueil-ROR'));
    assert.ok(j30?.members.every((m) => m.system === R240 && m.systemKnown));
  });

  test('lookup of a code whose code system is not loaded uses the value set label', () => {
    const info = t.lookup(R211, '339');
    const file = readJson('JDV_J17-ActiviteOperationnelle-ROR-FHIR.json');
    assert.equal(info?.display, file.compose.include[0].concept.find((c: any) => c.code === '339').display);
    assert.equal(t.lookup(R211, '9999'), undefined);
  });

  test('IG value sets and code systems are loaded', () => {
    const actType = 'https://interop.esante.gouv.fr/ig/fhir/ror/ValueSet/act-type-ror-valueset';
    const actCs = 'https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/act-type-ror-codesystem';
    assert.equal(t.validateCode(actType, actCs, 'specificAct').result, 'valid');
    assert.equal(t.validateCode(actType, actCs, 'outsideOfficeAct').result, 'valid');
    assert.equal(t.validateCode(actType, actCs, 'insideAct').result, 'invalid');
    assert.equal(t.lookup(actCs, 'specificAct')?.display, 'specificAct');
    // Includes J248 (loaded) and J124 communes (not loaded): a département validates, an unknown code cannot be judged.
    const zone = 'https://interop.esante.gouv.fr/ig/fhir/ror/ValueSet/code-region-territorial-division-ror-valueset';
    const g09 = nosCanonicalUrl('TRE_G09-DepartementOM');
    assert.equal(t.validateCode(zone, g09, '78').result, 'valid');
    assert.equal(t.validateCode(zone, g09, 'ZZ').result, 'unknown-valueset');
  });

  test('without the IG folder only the NOS value sets are there', async () => {
    const nosOnly = await loadTerminologyFromFiles(NOS, null);
    assert.equal(nosOnly.hasValueSet('https://interop.esante.gouv.fr/ig/fhir/ror/ValueSet/act-type-ror-valueset'), false);
    assert.equal(nosOnly.hasValueSet(J17), true);
  });
});
