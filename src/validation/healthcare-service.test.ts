import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Issue } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { completedHealthcareService, errorsOf, example, realTerminology, rorTelecom } from './fixtures.ts';
import { createRorValidator, validateResource } from './index.ts';
import { rorExt, tre } from './profiles/urls.ts';

let terminology: Terminology;
before(async () => {
  terminology = await realTerminology();
});

const validate = (r: Resource) => validateResource(r, terminology);
const at = (issues: Issue[], expression: string) => issues.filter((i) => i.expression === expression);
const hs = () => completedHealthcareService() as Resource & Record<string, any>;

/** The one issue at `expression`, asserting there is exactly one issue in all. */
function onlyIssue(issues: Issue[], expression: string): Issue {
  const errors = errorsOf(issues);
  assert.equal(errors.length, 1, JSON.stringify(errors, null, 1));
  assert.equal(errors[0].expression, expression);
  return errors[0];
}

describe('ror-healthcareservice', () => {
  // Decision: the profile says careMode (TRE_R213 / JDV_J19) 1..1, the published example has none
  // (its characteristics are TRE_R253 maternity type and TRE_R238 annual opening). We keep the rule:
  // the example is reported with exactly that violation, and the example completed with a careMode is valid.
  test('the published example has exactly one violation: the missing careMode', () => {
    const issues = validate(example('HealthcareService-1234564'));
    const e = onlyIssue(issues, 'HealthcareService.characteristic');
    assert.equal(e.code, 'required');
    assert.match(e.fr, /mode de prise en charge/);
    assert.match(e.fr, /JDV_J19-ModePriseEnCharge-ROR/);
    assert.match(e.en, /Care mode/);
  });

  test('the example completed with a careMode (TRE_R213 28 Hospitalisation complète) is valid', () => {
    assert.deepEqual(errorsOf(validate(hs())), []);
  });

  test('createRorValidator gives the store the same issues', async () => {
    const v = createRorValidator(terminology);
    assert.deepEqual(await v.validate(hs()), validate(hs()));
    const bad = hs();
    delete bad.identifier;
    assert.equal(errorsOf(await v.validate(bad))[0].expression, 'HealthcareService.identifier');
  });

  test('missing identifier, providedBy and type are all reported, not just the first', () => {
    const r = hs();
    delete r.identifier;
    delete r.providedBy;
    delete r.type;
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression).sort(), ['HealthcareService.identifier', 'HealthcareService.providedBy', 'HealthcareService.type']);
    const id = at(errors, 'HealthcareService.identifier')[0];
    assert.equal(id.fr, "L'identifiant de l'offre est obligatoire (identifier)");
    assert.match(at(errors, 'HealthcareService.providedBy')[0].fr, /structure porteuse/);
    assert.match(at(errors, 'HealthcareService.type')[0].fr, /champ d'activité/);
  });

  test('two identifiers exceed identifier 1..1', () => {
    const r = hs();
    r.identifier.push({ value: '06/0099998' });
    const e = onlyIssue(validate(r), 'HealthcareService.identifier');
    assert.equal(e.code, 'structure');
    assert.match(e.fr, /qu'une seule fois/);
  });

  test('unknown operational activity code: error naming JDV_J17, at the exact code', () => {
    const r = hs();
    r.specialty[0].coding[0].code = '999';
    const e = onlyIssue(validate(r), 'HealthcareService.specialty[0].coding[0].code');
    assert.equal(e.code, 'code-invalid');
    assert.match(e.fr, /« 999 »/);
    assert.match(e.fr, /JDV_J17-ActiviteOperationnelle-ROR/);
    assert.match(e.fr, /activité opérationnelle/);
    assert.match(e.en, /JDV_J17-ActiviteOperationnelle-ROR/);
  });

  test('a careMode code outside JDV_J19 (TRE_R213 03, retired and not in the value set) is an error', () => {
    const r = hs();
    r.characteristic[2].coding[0].code = '03';
    const e = onlyIssue(validate(r), 'HealthcareService.characteristic[2].coding[0].code');
    assert.match(e.fr, /JDV_J19-ModePriseEnCharge-ROR/);
    assert.match(e.fr, /mode de prise en charge/);
  });

  test('activity field code outside JDV_J20', () => {
    const r = hs();
    r.type[0].coding[0].code = '09';
    const e = onlyIssue(validate(r), 'HealthcareService.type[0].coding[0].code');
    assert.match(e.fr, /JDV_J20-ChampActivite-ROR/);
  });

  test('specialty without a TRE_R211 activity: operationalActivity 1..1 missing, other system warned', () => {
    const r = hs();
    r.specialty = [{ coding: [{ system: tre('R213-ModePriseEnCharge'), code: '28' }] }];
    const issues = validate(r);
    const e = onlyIssue(issues, 'HealthcareService.specialty');
    assert.match(e.fr, /activité opérationnelle/);
    assert.match(e.fr, /JDV_J17/);
    const w = issues.filter((i) => i.severity === 'warning');
    assert.equal(w.length, 1);
    assert.equal(w[0].expression, 'HealthcareService.specialty[0]');
  });

  test('two careModes exceed careMode 1..1', () => {
    const r = hs();
    r.characteristic.push({ coding: [{ system: tre('R213-ModePriseEnCharge'), code: '29' }] });
    const e = onlyIssue(validate(r), 'HealthcareService.characteristic');
    assert.match(e.fr, /mode de prise en charge ne peut figurer qu'une seule fois/);
  });

  test('a specific act (TRE_R210) without its ror-act-type extension', () => {
    const r = hs();
    r.characteristic.push({ coding: [{ system: tre('R210-ActeSpecifique'), code: '0001' }] });
    const e = onlyIssue(validate(r), `HealthcareService.characteristic[3].extension('${rorExt('ror-act-type')}')`);
    assert.match(e.fr, /type d'acte est obligatoire/);
  });

  test('an outside-office act is told from a specific act by its ror-act-type, fixed value checked', () => {
    const r = hs();
    r.characteristic.push({
      extension: [{ url: rorExt('ror-act-type'), valueCode: 'outsideOfficeAct' }],
      coding: [{ system: tre('R210-ActeSpecifique'), code: '0001' }],
    });
    assert.deepEqual(errorsOf(validate(r)), []);
    r.characteristic[3].extension[0].valueCode = 'otherAct';
    const e = onlyIssue(validate(r), 'HealthcareService.characteristic[3].extension[0].valueCode');
    assert.match(e.fr, /doit valoir « specificAct »/);
  });

  test('ror-act-type is forbidden on a careMode characteristic', () => {
    const r = hs();
    r.characteristic[2].extension = [{ url: rorExt('ror-act-type'), valueCode: 'specificAct' }];
    const e = onlyIssue(validate(r), 'HealthcareService.characteristic[2].extension[0]');
    assert.match(e.fr, /type d'acte ne doit pas être renseigné/);
  });

  test('missing sensitive-unit and creation-date extensions', () => {
    const r = hs();
    r.extension = r.extension.filter((e: { url: string }) => !e.url.endsWith('sensitive-unit') && !e.url.endsWith('ror-meta-creation-date'));
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression).sort(), [
      `HealthcareService.extension('${rorExt('ror-healthcareservice-sensitive-unit')}')`,
      `HealthcareService.extension('${rorExt('ror-meta-creation-date')}')`,
    ]);
    assert.match(errors.find((e) => e.expression!.includes('sensitive'))!.fr, /unité sensible est obligatoire/);
  });

  test('sensitive-unit with a string value: wrong type', () => {
    const r = hs();
    r.extension[0] = { url: rorExt('ror-healthcareservice-sensitive-unit'), valueString: 'non' };
    const e = onlyIssue(validate(r), 'HealthcareService.extension[0].valueString');
    assert.match(e.fr, /valueBoolean/);
  });

  test('patient type without ageRange.high: the message names the element', () => {
    const r = hs();
    delete r.extension[1].extension[0].valueRange.high;
    const e = onlyIssue(validate(r), 'HealthcareService.extension[1].extension[0].valueRange.high');
    assert.equal(e.fr, "L'âge maximum est obligatoire dans le public pris en charge (ageRange.high)");
    assert.match(e.en, /Maximum age in patient type is required/);
  });

  test('patient type without ageRange at all', () => {
    const r = hs();
    r.extension[1].extension = [{ url: 'supportedPatientInfo', valueCodeableConcept: { coding: [{ system: tre('R239-PublicPrisEnCharge'), code: '01' }] } }];
    const e = onlyIssue(validate(r), "HealthcareService.extension[1].extension('ageRange')");
    assert.match(e.fr, /tranche d'âge est obligatoire dans le public pris en charge/);
  });

  test('age low greater than high is an invariant violation', () => {
    const r = hs();
    r.extension[1].extension[0].valueRange.low.value = 60;
    r.extension[1].extension[0].valueRange.high.value = 18;
    const e = onlyIssue(validate(r), 'HealthcareService.extension[1].extension[0].valueRange');
    assert.equal(e.code, 'invariant');
    assert.match(e.fr, /minimum \(60\) est supérieur au maximum \(18\)/);
  });

  test('supported patient info outside JDV_J29', () => {
    const r = hs();
    r.extension[1].extension.push({ url: 'supportedPatientInfo', valueCodeableConcept: { coding: [{ system: tre('R239-PublicPrisEnCharge'), code: '99' }] } });
    const e = onlyIssue(validate(r), 'HealthcareService.extension[1].extension[1].valueCodeableConcept.coding[0].code');
    assert.match(e.fr, /JDV_J29-PublicPrisEnCharge-ROR/);
  });

  test('offer contact: confidentiality level required, telecom channel checked against JDV_J225', () => {
    const r = hs();
    const contact = r.extension[4];
    contact.extension.splice(1, 1); // drop ror-confidentiality-level
    contact.extension[1].extension[0].valueCodeableConcept.coding[0].code = '42';
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), [
      `HealthcareService.extension[4].extension('${rorExt('ror-confidentiality-level')}')`,
      'HealthcareService.extension[4].extension[1].extension[0].valueCodeableConcept.coding[0].code',
    ]);
    assert.match(errors[0].fr, /niveau de confidentialité du contact est obligatoire dans le contact de l'offre/);
    assert.match(errors[1].fr, /JDV_J225-CanalCommunication-ROR/);
  });

  test('telecom without confidentiality level and without value', () => {
    const r = hs();
    const tel = rorTelecom('');
    tel.extension.splice(1, 1);
    delete (tel as { value?: string }).value;
    r.telecom = [tel];
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression).sort(), [
      `HealthcareService.telecom[0].extension('${rorExt('ror-telecom-confidentiality-level')}')`,
      'HealthcareService.telecom[0].value',
    ]);
    const level = errors.find((e) => e.expression!.includes('confidentiality'))!;
    assert.match(level.fr, /niveau de confidentialité de la télécommunication est obligatoire/);
  });

  test('a telecom following the pattern is valid', () => {
    const r = hs();
    r.telecom = [rorTelecom('0474454647')];
    assert.deepEqual(errorsOf(validate(r)), []);
  });

  test('region tag outside JDV_J237 (TRE_R30 42 is a pre-2016 region)', () => {
    const r = hs();
    r.meta!.tag![0].code = '42';
    const e = onlyIssue(validate(r), 'HealthcareService.meta.tag[0].code');
    assert.match(e.fr, /JDV_J237-RegionOM-ROR/);
    assert.match(e.fr, /région source/);
  });

  test('availableTime with an opening date after its closing date', () => {
    const r = hs();
    r.availableTime[2].extension[1].valuePeriod = { start: '2025-04-08', end: '2024-01-01' };
    const e = onlyIssue(validate(r), 'HealthcareService.availableTime[2].extension[1].valuePeriod');
    assert.equal(e.code, 'invariant');
  });

  test('zone d\'intervention must be of type 3 (TRE_R201)', () => {
    const r = hs();
    r.extension.push({
      url: rorExt('ror-territorial-division'),
      extension: [
        { url: 'typeTerritorialDivision', valueCodeableConcept: { coding: [{ system: tre('R201-TypeDivisionTerritoriale'), code: '4' }] } },
        { url: 'codeTerritorialDivision', valueCodeableConcept: { coding: [{ system: tre('R13-Commune'), code: '78358' }] } },
      ],
    });
    const e = onlyIssue(validate(r), 'HealthcareService.extension[5].extension[0].valueCodeableConcept');
    assert.match(e.fr, /type de division territoriale doit correspondre/);
  });

  test('a bad date format in the creation date comes from the base R4 layer', () => {
    const r = hs();
    r.extension[2].valueDateTime = '27/11/2017';
    const e = onlyIssue(validate(r), 'HealthcareService.extension[2].valueDateTime');
    assert.match(e.fr, /Format invalide/);
  });
});

describe('ror-healthcareservice schedules', () => {
  test('one day per availableTime range', () => {
    const r = hs();
    r.availableTime[0].daysOfWeek = ['mon', 'tue'];
    const e = onlyIssue(validate(r), 'HealthcareService.availableTime[0].daysOfWeek');
    assert.match(e.fr, /jour de la semaine ne peut figurer qu'une seule fois dans les horaires/);
  });
});

describe('ror-healthcareservice values', () => {
  test('day of week number outside 1–7, negative minimum age', () => {
    const r = hs();
    r.availableTime[6].extension[0].valueInteger = 8;
    r.extension[1].extension[0].valueRange.low.value = -1;
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), [
      'HealthcareService.availableTime[6].extension[0].valueInteger',
      'HealthcareService.extension[1].extension[0].valueRange',
    ]);
    assert.match(errors[0].fr, /entre 1 \(lundi\) et 7 \(dimanche\), et non 8/);
    assert.match(errors[1].fr, /tranche d'âge ne peut pas commencer sous zéro/);
  });
});
