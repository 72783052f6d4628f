import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { SearchParamRegistry } from './registry.ts';
import { expressionFor, splitUnion } from './standard-parameters.ts';

const registry = new SearchParamRegistry();

test('every ROR SearchParameter of the IG is registered under its code and base (bar the obsolete one)', () => {
  const dir = '/work/shared/spec/ror-ig';
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('SearchParameter-'));
  assert.equal(files.length, 36);
  for (const f of files) {
    const sp = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
    const p = registry.get(sp.base[0], sp.code);
    if (sp.id === 'ror-sp-healthcareservice-equipment-type') {
      assert.equal(p, undefined, 'obsolete ror30 parameter is dropped');
      continue;
    }
    assert.ok(p, `${sp.base[0]}.${sp.code}`);
    assert.equal(p.url, sp.url);
    assert.equal(p.type, sp.type);
  }
});

test('the published defects of ror-ig.md §2.3 are fixed', () => {
  for (const code of ['additional-bed-type', 'capacity-closing-type', 'capacity-status', 'capacity-type', 'crisis-type', 'gender-capacity-available', 'temporality-capacity']) {
    assert.match(registry.get('Location', code)!.expression!, /\.value\.ofType\(CodeableConcept\)$/, code);
  }
  const start = registry.get('Organization', 'price-validity-start-date')!.expression!;
  assert.match(start, /ror-organization-price'\)\.extension\.where\(url='startDate'\)\.value\.as\(dateTime\)$/);
  assert.match(registry.get('Organization', 'special-price')!.expression!, /url='specialPrice'/);
  assert.equal(registry.get('Organization', 'amount-value')!.expression, registry.get('Organization', 'price-amount-value')!.expression);
  assert.equal(registry.get('Location', 'near-insee-code')!.special, 'near-insee-code');
  assert.equal(registry.get('Location', 'near-insee-code')!.expression, undefined);
  assert.equal(registry.get('HealthcareService', 'equipment-type'), undefined);
});

test('standard R4 parameters are cut down to their base type, with targets', () => {
  assert.deepEqual(splitUnion("a.b | c.where(x = 'p|q') | (d as e)"), ['a.b', "c.where(x = 'p|q')", '(d as e)']);
  assert.equal(expressionFor('Patient.address.city | Practitioner.address.city', 'Practitioner'), 'Practitioner.address.city');
  assert.equal(expressionFor('Resource.meta.tag', 'Location'), 'Location.meta.tag');
  const org = registry.get('HealthcareService', 'organization')!;
  assert.equal(org.expression, 'HealthcareService.providedBy');
  assert.deepEqual(org.targets, ['Organization']);
  assert.equal(registry.get('PractitionerRole', 'service')!.expression, 'PractitionerRole.healthcareService');
  assert.equal(registry.get('Questionnaire', 'context')!.expression, '(Questionnaire.useContext.value as CodeableConcept)');
  for (const code of ['url', 'identifier', 'status', 'name', 'title']) assert.ok(registry.get('Questionnaire', code), code);
  for (const code of ['_tag', '_profile', '_security', '_id', '_lastUpdated']) assert.ok(registry.get('Task', code), code);
  assert.equal(registry.get('Location', 'near')!.special, 'near');
});

test('high-traffic parameters carry their dedicated column', () => {
  assert.deepEqual(registry.get('HealthcareService', 'specialty')!.column, { kind: 'token-array', column: 'specialty' });
  assert.deepEqual(registry.get('HealthcareService', 'age-range-low')!.column, { kind: 'number', column: 'age_low' });
  assert.deepEqual(registry.get('Location', 'commune-cog')!.column, { kind: 'token-array', column: 'commune_cog' });
  assert.equal(registry.get('Organization', 'name')!.column, undefined);
});
