import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { errorsOf, example, realTerminology } from './fixtures.ts';
import { validateResource } from './index.ts';

let terminology: Terminology;
before(async () => {
  terminology = await realTerminology();
});

const validate = (r: Resource) => validateResource(r, terminology);
const task = () => example('Task-ror-task-exemple') as Resource & Record<string, any>;

describe('ror-task', () => {
  test('the published example is valid', () => {
    assert.deepEqual(errorsOf(validate(task())), []);
  });

  test('businessStatus, code, focus, reasonCode, authoredOn and lastModified are required', () => {
    const r = task();
    for (const k of ['businessStatus', 'code', 'focus', 'reasonCode', 'authoredOn', 'lastModified']) delete r[k];
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), [
      'Task.businessStatus', 'Task.code', 'Task.focus', 'Task.authoredOn', 'Task.lastModified', 'Task.reasonCode',
    ]);
    assert.match(errors[0].fr, /statut métier de l'anomalie est obligatoire/);
  });

  test('the systemRequester input is required', () => {
    const r = task();
    r.input.shift();
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Task.input');
    assert.match(errors[0].fr, /système demandeur est obligatoire/);
  });

  test('systemRequester must carry a string', () => {
    const r = task();
    r.input[0] = { type: r.input[0].type, valueInteger: 3 };
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Task.input[0].valueInteger');
    assert.match(errors[0].fr, /valueString/);
  });

  test('an input type outside the IG code system is warned', () => {
    const r = task();
    r.input.push({ type: { coding: [{ system: 'https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/input-task-ror-codesystem', code: 'comment' }] }, valueString: 'x' });
    const issues = validate(r);
    assert.deepEqual(errorsOf(issues), []);
    const w = issues.filter((i) => i.severity === 'warning');
    assert.deepEqual(w.map((i) => i.expression), ['Task.input[2].type']);
  });

  test('a bad authoredOn date', () => {
    const r = task();
    r.authoredOn = '03/01/2024';
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Task.authoredOn');
    assert.match(errors[0].fr, /Format invalide pour « authoredOn »/);
  });
});
