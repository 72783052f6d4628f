import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { applyImport, fieldsOf, resourceFromFields, setField } from './provenance.ts';

const P = 'http://hl7.org/fhir/StructureDefinition/organization-period';
const C = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-meta-creation-date';

const imported = (name: string, phone: string): Resource => ({
  resourceType: 'Organization',
  id: 'finess-eg-780000048',
  meta: { tag: [{ system: 'R30', code: '11' }] },
  extension: [{ url: P, valuePeriod: { start: '1904-04-04' } }],
  identifier: [{ system: 'finess', value: '780000048' }, { system: 'sirene', value: '22920050600215' }],
  name,
  telecom: [{ system: 'phone', value: phone }],
});

describe('field provenance', () => {
  test('splits a resource into fields keyed by extension url, identifier system, tag system', () => {
    const f = fieldsOf(imported('A', '01'));
    assert.deepEqual(Object.keys(f).sort(), [`extension|${P}`, 'identifier|finess', 'identifier|sirene', 'meta.tag|R30', 'name', 'telecom']);
    assert.deepEqual(resourceFromFields('Organization', 'finess-eg-780000048', f), imported('A', '01'));
  });

  test('setField replaces one keyed entry in place and removes empty arrays', () => {
    const r = imported('A', '01');
    setField(r, 'identifier|finess', [{ system: 'finess', value: 'X' }]);
    assert.deepEqual((r.identifier as { value: string }[]).map((i) => i.value), ['X', '22920050600215']);
    setField(r, 'identifier|finess', undefined);
    setField(r, 'identifier|sirene', undefined);
    assert.equal(r.identifier, undefined);
    setField(r, 'meta.tag|R30', undefined);
    assert.deepEqual(r.meta, {});
  });

  test('a new resource is taken as imported', () => {
    assert.deepEqual(applyImport(null, null, imported('A', '01')), { resource: imported('A', '01'), kept: [], changed: true });
  });

  test('the same file again sets nothing; the current version is never modified in place', () => {
    const last = fieldsOf(imported('A', '01'));
    const current = imported('A', '01');
    const same = applyImport(current, last, imported('A', '01'));
    assert.equal(same.changed, false);
    assert.equal(same.resource, current);
    const next = applyImport(current, last, imported('B', '01'));
    assert.equal(next.changed, true);
    assert.equal(next.resource.name, 'B');
    assert.deepEqual(current, imported('A', '01'));
  });

  test('fields still as last imported follow the file; fields a person changed are kept', () => {
    const last = fieldsOf(imported('A', '01'));
    const current: Resource = { ...imported('A', '01'), name: 'Changed by the referent', extension: [{ url: P, valuePeriod: { start: '1904-04-04' } }, { url: C, valueDateTime: '2026-01-01T00:00:00Z' }] };
    const { resource, kept } = applyImport(current, last, imported('B', '02'));
    assert.deepEqual(kept, ['name']);
    assert.equal(resource.name, 'Changed by the referent');
    assert.deepEqual(resource.telecom, [{ system: 'phone', value: '02' }]);
    // A field only the referent has (the creation date here) is untouched.
    assert.deepEqual((resource.extension as { url: string }[]).map((e) => e.url), [P, C]);
  });

  test('a field the file no longer has is removed only if still as imported', () => {
    const last = fieldsOf(imported('A', '01'));
    const next = imported('A', '01');
    delete next.telecom;
    assert.equal(applyImport(imported('A', '01'), last, next).resource.telecom, undefined);
    const edited = { ...imported('A', '01'), telecom: [{ system: 'phone', value: '09' }] };
    assert.deepEqual(applyImport(edited, last, next).resource.telecom, [{ system: 'phone', value: '09' }]);
  });

  test('without provenance (a resource entered by hand), the import only fills empty fields', () => {
    const manual: Resource = { resourceType: 'Organization', id: 'finess-eg-780000048', name: 'Saisi à la main' };
    const { resource, kept } = applyImport(manual, null, imported('A', '01'));
    assert.equal(resource.name, 'Saisi à la main');
    assert.deepEqual(kept, ['name']);
    assert.deepEqual(resource.telecom, [{ system: 'phone', value: '01' }]);
  });
});
