import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Issue } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { capacityRecord, errorsOf, example, realTerminology, rorTelecom } from './fixtures.ts';
import { validateResource } from './index.ts';
import { rorExt, tre } from './profiles/urls.ts';

let terminology: Terminology;
before(async () => {
  terminology = await realTerminology();
});

const validate = (r: Resource) => validateResource(r, terminology);
const loc = () => example('Location-ror-location-exemple') as Resource & Record<string, any>;
/** The example with one capacity record (12 beds available today). */
const withCapacity = () => {
  const r = loc();
  r.extension.push(capacityRecord());
  return r;
};

function onlyError(issues: Issue[], expression: string): Issue {
  const errors = errorsOf(issues);
  assert.equal(errors.length, 1, JSON.stringify(errors, null, 1));
  assert.equal(errors[0].expression, expression);
  return errors[0];
}

describe('ror-location', () => {
  test('the published example is valid', () => {
    assert.deepEqual(errorsOf(validate(loc())), []);
  });

  test('the example with a complete capacity record is valid', () => {
    assert.deepEqual(errorsOf(validate(withCapacity())), []);
  });

  test('commune COG is required', () => {
    const r = loc();
    r.extension.shift();
    const e = onlyError(validate(r), `Location.extension('${rorExt('ror-commune-cog')}')`);
    assert.match(e.fr, /commune \(code COG\) est obligatoire/);
  });

  test('capacity record without its number of beds nor its status', () => {
    const r = withCapacity();
    r.extension[2].extension = r.extension[2].extension.filter((e: { url: string }) => e.url !== 'nbCapacity' && e.url !== 'capacityStatus');
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), [
      "Location.extension[2].extension('capacityStatus')",
      "Location.extension[2].extension('nbCapacity')",
    ]);
    assert.match(errors[1].fr, /nombre de lits ou places est obligatoire dans la capacité/);
  });

  test('capacity record with a value[x] (forbidden on a complex extension) and a string count', () => {
    const r = withCapacity();
    r.extension[2].valueInteger = 12;
    r.extension[2].extension[3] = { url: 'nbCapacity', valueString: 'douze' };
    const errors = errorsOf(validate(r)).filter((e) => e.code !== 'invariant'); // base R4 ext-1 is also broken
    assert.deepEqual(errors.map((e) => e.expression), ['Location.extension[2].valueInteger', 'Location.extension[2].extension[3].valueString']);
    assert.match(errors[1].fr, /valueInteger/);
  });

  test('capacity status outside JDV_J188 and a second status', () => {
    const r = withCapacity();
    const status = r.extension[2].extension[1];
    status.valueCodeableConcept.coding[0].code = '99';
    r.extension[2].extension.push({ url: 'capacityStatus', valueCodeableConcept: { coding: [{ system: tre('R330-TypeStatutCapacite'), code: '05' }] } });
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), [
      'Location.extension[2].extension[7]',
      'Location.extension[2].extension[1].valueCodeableConcept.coding[0].code',
    ]);
    assert.match(errors[0].fr, /statut de la capacité ne peut figurer qu'une seule fois/);
    assert.match(errors[1].fr, /JDV_J188-TypeStatutCapacite-ROR/);
  });

  test('capacity update date with a bad format', () => {
    const r = withCapacity();
    r.extension[2].extension[5].valueDateTime = '2026-11-23 08:00';
    const e = onlyError(validate(r), 'Location.extension[2].extension[5].valueDateTime');
    assert.match(e.fr, /date-heure/);
  });

  test('location function outside JDV_J198 and unknown status', () => {
    const r = loc();
    r.type[0].coding[0].code = '002';
    r.operationalStatus = { system: tre('R203-StatutLieu'), code: '9' };
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), ['Location.operationalStatus.code', 'Location.type[0].coding[0].code']);
    assert.match(errors[0].fr, /JDV_J224-StatutLieu-ROR/);
    assert.match(errors[1].fr, /JDV_J198-FonctionLieu-ROR/);
  });

  test('equipment without its type', () => {
    const r = loc();
    r.extension.push({ url: rorExt('ror-location-equipment'), extension: [{ url: 'nbInService', valueInteger: 2 }] });
    const e = onlyError(validate(r), "Location.extension[2].extension('equipmentType')");
    assert.match(e.fr, /type d'équipement est obligatoire dans l'équipement spécifique/);
  });

  test('telecom pattern applies to Location.telecom', () => {
    const r = loc();
    const tel = rorTelecom('0139000000');
    tel.extension.shift();
    r.telecom = [tel];
    const e = onlyError(validate(r), `Location.telecom[0].extension('${rorExt('ror-telecom-communication-channel')}')`);
    assert.match(e.fr, /canal de communication est obligatoire/);
  });

  test('an unknown element is reported by the base R4 layer', () => {
    const r = loc();
    r.capacite = 12;
    const e = onlyError(validate(r), 'Location.capacite');
    assert.match(e.fr, /« capacite » n'existe pas/);
  });
});

describe('ror-location identifiers', () => {
  test('one external synchronisation identifier (TRE_R354 26) at most', () => {
    const r = loc();
    const type = { coding: [{ system: tre('R354-TypeIdentifiantRessourceOperationnelle'), code: '26' }] };
    r.identifier = [{ type, value: 'ZH-12' }, { type, value: 'ZH-13' }];
    const e = onlyError(validate(r), 'Location.identifier');
    assert.match(e.fr, /identifiant externe de synchronisation ne peut figurer qu'une seule fois/);
  });
});

describe('ror-location counts', () => {
  test('a negative number of beds', () => {
    const r = withCapacity();
    r.extension[2].extension[3].valueInteger = -3;
    const e = onlyError(validate(r), 'Location.extension[2].extension[3].valueInteger');
    assert.equal(e.code, 'invariant');
    assert.match(e.fr, /nombre de lits ou places ne peut pas être négatif \(-3\)/);
  });
});
