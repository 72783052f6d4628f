import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { errorsOf, example, realTerminology } from './fixtures.ts';
import { PROFILES, profileFor, validateResource } from './index.ts';

let terminology: Terminology;
before(async () => {
  terminology = await realTerminology();
});

const ROR = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition';

describe('which profile applies', () => {
  test('the ROR profile named in meta.profile, with or without a version', () => {
    assert.equal(profileFor({ resourceType: 'Location', meta: { profile: [`${ROR}/ror-location`] } })?.name, 'ror-location');
    assert.equal(profileFor({ resourceType: 'Location', meta: { profile: [`${ROR}/ror-location|0.7.0`] } })?.name, 'ror-location');
  });

  test('else the ROR profile of the type, whatever other profile is declared', () => {
    assert.equal(profileFor({ resourceType: 'Organization' })?.name, 'ror-organization');
    assert.equal(profileFor({ resourceType: 'HealthcareService', meta: { profile: ['http://hl7.org/fhir/StructureDefinition/HealthcareService'] } })?.name, 'ror-healthcareservice');
    assert.equal(profileFor({ resourceType: 'Location', meta: { profile: [`${ROR}/ror-healthcareservice`] } })?.name, 'ror-location');
  });

  test('types without a ROR profile get the base R4 checks only', () => {
    assert.equal(profileFor({ resourceType: 'Measure' }), undefined);
    const issues = validateResource({ resourceType: 'Measure', id: 'm1', status: 'active' } as Resource, terminology);
    assert.deepEqual(issues, []);
  });

  test('every main type has a profile', () => {
    assert.deepEqual(PROFILES.map((p) => p.resourceType).sort(), ['HealthcareService', 'Location', 'Organization', 'Practitioner', 'PractitionerRole', 'Questionnaire', 'Task']);
  });
});

describe('value sets not loaded here', () => {
  test('are not errors; with reportUncheckedValueSets they give an information issue', () => {
    const task = example('Task-ror-task-exemple');
    assert.deepEqual(validateResource(task, terminology), []);
    const infos = validateResource(task, terminology, { reportUncheckedValueSets: true });
    assert.deepEqual(infos.map((i) => [i.severity, i.expression]), [
      ['information', 'Task.businessStatus'],
      ['information', 'Task.code'],
      ['information', 'Task.reasonCode'],
    ]);
    assert.match(infos[0].fr, /JDV_J244-StatutMetierAnomalie-ROR n'est pas chargé/);
  });

  test('Questionnaire: name and title required, status bound to the IG value set', () => {
    const q = { resourceType: 'Questionnaire', id: 'ms-141', status: 'unknown', subjectType: ['HealthcareService'] } as Resource;
    const errors = errorsOf(validateResource(q, terminology));
    assert.deepEqual(errors.map((e) => e.expression), ['Questionnaire.name', 'Questionnaire.title', 'Questionnaire.status']);
    assert.match(errors[2].fr, /ror-questionnaire-status-vs/);
  });
});
