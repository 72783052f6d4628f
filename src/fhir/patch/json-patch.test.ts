import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FhirError } from '../outcome.ts';
import type { Resource } from '../types.ts';
import { applyJsonPatch } from './index.ts';
import { pointerToExpression } from './json-patch.ts';

const EXAMPLES = '/work/shared/spec/ror-ig/examples';
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

function healthcareService(): Resource {
  return JSON.parse(readFileSync(`${EXAMPLES}/HealthcareService-1234564.json`, 'utf8'));
}
function location(): Resource {
  return JSON.parse(readFileSync(`${EXAMPLES}/Location-ror-location-exemple.json`, 'utf8'));
}

function rejects(fn: () => unknown, status: number, expression: string, code?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FhirError, `expected FhirError, got ${String(e)}`);
    assert.equal(e.status, status, e.message);
    assert.equal(e.issues[0].expression, expression);
    if (code) assert.equal(e.issues[0].code, code);
    assert.ok(/^(Opération JSON Patch|Un JSON Patch|Un patch)/.test(e.issues[0].fr), e.issues[0].fr);
    return true;
  });
}

describe('JSON Patch (RFC 6902)', () => {
  test('add a Location reference, replace the name, remove a characteristic', () => {
    const hs = healthcareService();
    const before = JSON.stringify(hs);
    const out = applyJsonPatch(hs, [
      { op: 'add', path: '/location/-', value: { reference: 'Location/ror-location-exemple' } },
      { op: 'replace', path: '/name', value: 'Chirurgie gynécologique - HC' },
      { op: 'remove', path: '/characteristic/1' },
    ]);
    assert.deepEqual(out.location, [{ reference: 'Location/888888' }, { reference: 'Location/ror-location-exemple' }]);
    assert.equal(out.name, 'Chirurgie gynécologique - HC');
    assert.deepEqual((out.characteristic as { coding: { code: string }[] }[]).map((c) => c.coding[0].code), ['04']);
    assert.equal(JSON.stringify(hs), before, 'input untouched');
  });

  test('test guards a change: the house number is replaced only if it still is 7', () => {
    const pointer = '/address/_line/0/extension/0/valueString';
    const out = applyJsonPatch(location(), [
      { op: 'test', path: '/address/_line/0/extension/0/url', value: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber' },
      { op: 'test', path: pointer, value: '7' },
      { op: 'replace', path: pointer, value: '9' },
    ]);
    assert.equal((out.address as { _line: { extension: { valueString: string }[] }[] })._line[0].extension[0].valueString, '9');
    rejects(() => applyJsonPatch(out, [{ op: 'test', path: pointer, value: '7' }, { op: 'replace', path: pointer, value: '11' }]),
      422, 'Location.address._line[0].extension[0].valueString');
  });

  test('move and copy', () => {
    const out = applyJsonPatch(healthcareService(), [
      { op: 'move', from: '/availableTime/6', path: '/availableTime/0' },
      { op: 'copy', from: '/meta/tag/0', path: '/meta/tag/-' },
    ]);
    assert.deepEqual((out.availableTime as { daysOfWeek: string[] }[]).map((a) => a.daysOfWeek[0]),
      ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']);
    assert.equal((out.meta as { tag: unknown[] }).tag.length, 2);
  });

  test('values are copied: later operations do not alter the caller\'s patch', () => {
    const value = { url: `${SD}ror-comment`, valueString: 'Accès par le bâtiment B' };
    const ops = [
      { op: 'add', path: '/extension/-', value },
      { op: 'replace', path: '/extension/2/valueString', value: 'Accès par le bâtiment C' },
    ];
    const out = applyJsonPatch(location(), ops);
    assert.equal((out.extension as { valueString?: string }[])[2].valueString, 'Accès par le bâtiment C');
    assert.equal(value.valueString, 'Accès par le bâtiment B');
  });

  test('malformed operations are 400', () => {
    rejects(() => applyJsonPatch(location(), { op: 'add' }), 400, 'Location');
    rejects(() => applyJsonPatch(location(), ['add']), 400, 'Location');
    rejects(() => applyJsonPatch(location(), Array.from({ length: 1001 }, () => ({ op: 'test', path: '/id', value: 'ror-location-exemple' }))),
      400, 'Location', 'too-long');
    rejects(() => applyJsonPatch(location(), [{ op: 'merge', path: '/name', value: 'x' }]), 400, 'Location', 'invalid');
    rejects(() => applyJsonPatch(location(), [{ op: 'add', path: 'name', value: 'x' }]), 400, 'Location');
    rejects(() => applyJsonPatch(location(), [{ op: 'add', path: '/name' }]), 400, 'Location');
    rejects(() => applyJsonPatch(location(), [{ op: 'move', path: '/name' }]), 400, 'Location');
    rejects(() => applyJsonPatch(location(), [{ op: 'add', path: '/__proto__/polluted', value: 'x' }]), 400, 'Location.__proto__.polluted');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('operations that cannot apply are 422, naming the element', () => {
    rejects(() => applyJsonPatch(location(), [{ op: 'remove', path: '/telecom/0' }]), 422, 'Location.telecom[0]', 'not-found');
    rejects(() => applyJsonPatch(location(), [{ op: 'replace', path: '/name', value: 'x' }]), 422, 'Location.name');
    rejects(() => applyJsonPatch(location(), [{ op: 'add', path: '/position/latitude', value: 48.8 }]), 422, 'Location.position.latitude');
    rejects(() => applyJsonPatch(location(), [{ op: 'add', path: '/type/5', value: {} }]), 422, 'Location.type[5]');
    rejects(() => applyJsonPatch(location(), [
      { op: 'replace', path: '/address/city', value: 'Versailles' },
      { op: 'move', from: '/alias/0', path: '/alias/1' },
    ]), 422, 'Location.alias[0]', 'not-found');
  });

  test('a patch cannot change resourceType or id', () => {
    rejects(() => applyJsonPatch(location(), [{ op: 'replace', path: '/id', value: 'autre' }]), 422, 'Location.id');
    rejects(() => applyJsonPatch(location(), [{ op: 'remove', path: '/id' }]), 422, 'Location.id');
    rejects(() => applyJsonPatch(location(), [{ op: 'replace', path: '/resourceType', value: 'Organization' }]), 422, 'Location.resourceType');
    rejects(() => applyJsonPatch(location(), [{ op: 'replace', path: '', value: { resourceType: 'Location', id: 'autre' } }]), 422, 'Location');
    // Replacing the whole document with the same type and id is allowed.
    const out = applyJsonPatch(location(), [{ op: 'replace', path: '', value: { resourceType: 'Location', id: 'ror-location-exemple', name: 'Lieu' } }]);
    assert.deepEqual(out, { resourceType: 'Location', id: 'ror-location-exemple', name: 'Lieu' });
  });

  test('JSON pointers become FHIRPath-like locations', () => {
    assert.equal(pointerToExpression('Location', '/address/_line/0/extension/1'), 'Location.address._line[0].extension[1]');
    assert.equal(pointerToExpression('Location', '/a~1b/c~0d'), 'Location.a/b.c~d');
    assert.equal(pointerToExpression('Location', ''), 'Location');
  });
});
