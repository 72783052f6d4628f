import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { resolveChoicePath, validateBaseR4 } from './base-r4.ts';
import { example } from './fixtures.ts';

/** The base FHIR R4 layer alone (no profile): structure and primitive formats, exact paths. */

const loc = () => example('Location-ror-location-exemple') as Resource & Record<string, any>;
const task = () => example('Task-ror-task-exemple') as Resource & Record<string, any>;

function single(r: Resource, expression: string) {
  const issues = validateBaseR4(r);
  assert.equal(issues.length, 1, JSON.stringify(issues, null, 1));
  assert.equal(issues[0].expression, expression);
  assert.equal(issues[0].severity, 'error');
  return issues[0];
}

describe('base R4 structure', () => {
  test('the IG examples are structurally valid', () => {
    assert.deepEqual(validateBaseR4(loc()), []);
    assert.deepEqual(validateBaseR4(task()), []);
    assert.deepEqual(validateBaseR4(example('HealthcareService-1234564')), []);
  });

  test('id format', () => {
    const r = loc();
    r.id = 'lieu 78646/1';
    const e = single(r, 'Location.id');
    assert.match(e.fr, /identifiant technique « lieu 78646\/1 » est invalide/);
  });

  test('date, dateTime and instant formats', () => {
    const r = task();
    r.executionPeriod = { start: '2024-13-01' };
    assert.match(single(r, 'Task.executionPeriod.start').fr, /Format invalide pour « start » : date-heure/);
    const m = loc();
    m.meta!.lastUpdated = '2023-12-20';
    assert.match(single(m, 'Location.meta.lastUpdated').fr, /horodatage/);
    const h = example('HealthcareService-1234564') as Resource & Record<string, any>;
    h.availableTime[0].extension[1].valuePeriod.start = '08/04/2025';
    single(h, 'HealthcareService.availableTime[0].extension[1].valuePeriod.start');
  });

  test('boolean, integer and decimal types', () => {
    const r = loc();
    r.position = { latitude: '48.8', longitude: 2.13 };
    assert.match(single(r, 'Location.position.latitude').fr, /un nombre attendu, un texte trouvé/);
    const h = example('HealthcareService-1234564') as Resource & Record<string, any>;
    h.extension[0].valueBoolean = 'false';
    assert.match(single(h, 'HealthcareService.extension[0].valueBoolean').fr, /booléen/);
    const i = example('HealthcareService-1234564') as Resource & Record<string, any>;
    i.availableTime[0].extension[0].valueInteger = 1.5;
    assert.match(single(i, 'HealthcareService.availableTime[0].extension[0].valueInteger').fr, /nombre entier/);
  });

  test('uri and code formats', () => {
    const r = loc();
    r.extension[0].url = 'https://interop.esante.gouv.fr/ig/fhir/ror/Structure Definition/ror-commune-cog';
    assert.match(single(r, 'Location.extension[0].url').fr, /URI/);
    const s = loc();
    s.status = ' active';
    assert.match(single(s, 'Location.status').fr, /code attendu/);
  });

  test('unknown element and single value given as a list', () => {
    const r = loc();
    r.nom = 'Hébergement';
    assert.match(single(r, 'Location.nom').fr, /« nom » n'existe pas/);
    const s = loc();
    s.name = ['a', 'b'];
    assert.match(single(s, 'Location.name').fr, /n'accepte qu'une seule valeur/);
  });

  test('base cardinality: Task.intent is 1..1 in R4', () => {
    const r = task();
    delete r.intent;
    assert.match(single(r, 'Task.intent').fr, /élément obligatoire « intent » est absent/);
  });

  test('ext-1: an extension with a value and sub-extensions, or with neither', () => {
    const r = loc();
    r.extension[0].extension = [{ url: 'x', valueString: 'y' }];
    r.extension[1] = { url: r.extension[1].url };
    const issues = validateBaseR4(r);
    assert.deepEqual(issues.map((i) => [i.expression, i.code]), [['Location.extension[0]', 'invariant'], ['Location.extension[1]', 'invariant']]);
  });

  test('choice paths are named by their JSON key', () => {
    const r = example('HealthcareService-1234564');
    assert.equal(
      resolveChoicePath('HealthcareService.extension[1].extension[0].value[x].low.value', r),
      'HealthcareService.extension[1].extension[0].valueRange.low.value',
    );
    assert.equal(resolveChoicePath('HealthcareService.identifier[0].value', r), 'HealthcareService.identifier[0].value');
  });
});

describe('complex types given as plain values', () => {
  test('a number, text or boolean where an object is expected, at any depth', () => {
    const h = example('HealthcareService-1234564') as Resource & Record<string, any>;
    h.providedBy = 'Organization/999999';
    h.type = [42];
    h.availableTime[1].extension[2].valueCodeableConcept = true;
    const issues = validateBaseR4(h);
    assert.deepEqual(issues.map((i) => i.expression), [
      'HealthcareService.providedBy',
      'HealthcareService.type[0]',
      'HealthcareService.availableTime[1].extension[2].valueCodeableConcept',
    ]);
    assert.equal(issues[0].fr, '« providedBy » doit être un élément structuré (Reference), et non un texte');
  });
});

describe('required bindings of base R4 codes', () => {
  test('Location.status, ContactPoint.system, daysOfWeek and Task.intent outside their value sets', () => {
    const l = loc();
    l.status = 'open';
    l.telecom = [{ system: 'tel', value: '0139000000' }];
    const issues = validateBaseR4(l);
    assert.deepEqual(issues.map((i) => [i.code, i.expression]), [['code-invalid', 'Location.status'], ['code-invalid', 'Location.telecom[0].system']]);
    assert.equal(issues[0].fr, "« open » n'est pas une valeur permise pour « status » (valeurs possibles : active, suspended, inactive)");
    const h = example('HealthcareService-1234564') as Resource & Record<string, any>;
    h.availableTime[3].daysOfWeek = ['jeudi'];
    assert.match(single(h, 'HealthcareService.availableTime[3].daysOfWeek[0]').en, /days-of-week/);
    const t = task();
    t.intent = 'orders';
    single(t, 'Task.intent');
  });

  test('codes of the published examples are all allowed', () => {
    for (const r of [loc(), task(), example('HealthcareService-1234564')]) assert.deepEqual(validateBaseR4(r), []);
  });
});
