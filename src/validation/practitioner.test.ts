import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { errorsOf, practice, professional, realTerminology, rorTelecom } from './fixtures.ts';
import { validateResource } from './index.ts';
import { rorExt, tre } from './profiles/urls.ts';

let terminology: Terminology;
before(async () => {
  terminology = await realTerminology();
});

const validate = (r: Resource) => validateResource(r, terminology);
const ps = () => professional() as Resource & Record<string, any>;
const role = () => practice() as Resource & Record<string, any>;

describe('ror-practitioner', () => {
  test('Dr Benhouchame (RPPS sample) is valid', () => {
    assert.deepEqual(errorsOf(validate(ps())), []);
  });

  test('the idNat_PS system is fixed to urn:oid:1.2.250.1.71.4.2.1', () => {
    const r = ps();
    r.identifier[0].system = 'https://rpps.esante.gouv.fr';
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Practitioner.identifier[0].system');
    assert.equal(errors[0].code, 'value');
    assert.match(errors[0].fr, /doit valoir « urn:oid:1\.2\.250\.1\.71\.4\.2\.1 »/);
  });

  test('identifier is 1..1 and its value required', () => {
    const r = ps();
    r.identifier.push({ system: 'urn:oid:1.2.250.1.71.4.2.1' });
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), ['Practitioner.identifier', 'Practitioner.identifier[1].value']);
    assert.match(errors[1].fr, /valeur de l'identifiant national du professionnel est obligatoire/);
  });

  test('the MSS mailbox follows the telecom pattern', () => {
    const r = ps();
    const tel = { ...rorTelecom('zakaria.benhouchame@medecin.mssante.fr', '3'), system: 'email' };
    tel.extension.pop();
    r.telecom = [tel];
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, `Practitioner.telecom[0].extension('${rorExt('ror-telecom-confidentiality-level')}')`);
  });
});

describe('ror-practitionerrole', () => {
  test('his practice (médecin, SM20, salarié) is valid', () => {
    assert.deepEqual(errorsOf(validate(role())), []);
  });

  test('practitioner, healthcareService, code and exercise mode are required', () => {
    const r = role();
    delete r.practitioner;
    delete r.healthcareService;
    delete r.code;
    r.extension = r.extension.slice(0, 1);
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), [
      'PractitionerRole.practitioner',
      'PractitionerRole.healthcareService',
      'PractitionerRole.code',
      `PractitionerRole.extension('${rorExt('ror-practitionerrole-unit-exercise-mode')}')`,
    ]);
    assert.match(errors[2].fr, /profession est obligatoire/);
    assert.match(errors[3].fr, /mode d'exercice dans l'offre est obligatoire/);
  });

  test('a retired profession (TRE_G15 93 Psychologue) is not in JDV_J229', () => {
    const r = role();
    r.code[0].coding[0] = { system: tre('G15-ProfessionSante'), code: '93' };
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'PractitionerRole.code[0].coding[0].code');
    assert.match(errors[0].fr, /JDV_J229-ProfessionSante-ROR/);
  });

  test('exercise mode outside JDV_J217', () => {
    const r = role();
    r.extension[1].valueCodeableConcept.coding[0].code = 'X';
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'PractitionerRole.extension[1].valueCodeableConcept.coding[0].code');
    assert.match(errors[0].fr, /JDV_J217-ModeExercice-ROR/);
  });

  test('skills without their type (TRE_R04) and an ordinal specialty outside JDV_J210', () => {
    const r = role();
    r.specialty.shift();
    r.specialty[0].coding[0].code = 'SM99';
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), ['PractitionerRole.specialty[0].coding[0].code', 'PractitionerRole.specialty']);
    assert.match(errors[0].fr, /JDV_J210-SpecialiteOrdinale-ROR/);
    assert.match(errors[1].fr, /type de savoir-faire \(JDV_J209-TypeSavoirFaire-ROR\) est obligatoire/);
  });

  test('telecom is 0..1 on a practitioner role', () => {
    const r = role();
    r.telecom = [rorTelecom('0474000001'), rorTelecom('0474000002')];
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'PractitionerRole.telecom');
  });
});
