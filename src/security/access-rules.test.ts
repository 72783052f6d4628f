// The access matrix and the element rules as units: the documented table equals the data, the
// redaction follows each rule of ror-ig.md §4, the SQL predicate matches the row rules.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { capacityRecord, example, legalEntity, practice, professional, rorTelecom } from '../validation/fixtures.ts';
import { accessPredicate } from './access-predicate.ts';
import { redactUrl } from './log-redaction.ts';
import { ACCESS_MATRIX, ruleFor } from './access-matrix.ts';
import { DOC_PATH, documentedMatrix, renderAccessMatrix } from './access-matrix-doc.ts';
import { ANONYMOUS, SYSTEM, type AccessProfile, type AppPrincipal, type UserPrincipal } from './principal.ts';
import { CHAMP_ACTIVITE_SYSTEM, NO_FACTS, redact, REDACTED_CODE, SENSITIVE_UNIT_URL } from './redact.ts';

const app = (p: AccessProfile): AppPrincipal => ({ kind: 'app', id: `app${p}`, accessProfile: p, scopes: [] });
const user = (role: UserPrincipal['role']): UserPrincipal => ({ kind: 'user', id: 'u', email: 'u@x.fr', role, regions: ['11'], organizations: ['eg-a'] });
const ROR = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

describe('access matrix', () => {
  test('docs/security.md holds exactly the table generated from the data', () => {
    assert.equal(documentedMatrix(fs.readFileSync(DOC_PATH, 'utf8')), renderAccessMatrix().trim());
  });

  test('writes: applications only Task, anonymous nothing, referents their structure, system all', () => {
    assert.equal(ruleFor(app(1), 'Organization', 'update'), 'none');
    assert.equal(ruleFor(app(0), 'Task', 'create'), 'all');
    assert.equal(ruleFor(ANONYMOUS, 'HealthcareService', 'create'), 'none');
    assert.equal(ruleFor(ANONYMOUS, 'Task', 'read'), 'none');
    assert.equal(ruleFor(user('referent'), 'HealthcareService', 'patch'), 'structure');
    assert.equal(ruleFor(user('regional-admin'), 'Location', 'delete'), 'region');
    assert.equal(ruleFor(user('professional'), 'Practitioner', 'update'), 'own');
    assert.equal(ruleFor(SYSTEM, 'Subscription', 'delete'), 'all');
    for (const subject of Object.keys(ACCESS_MATRIX) as (keyof typeof ACCESS_MATRIX)[]) {
      for (const row of Object.values(ACCESS_MATRIX[subject])) assert.equal(Object.keys(row).length, 6, subject);
    }
  });
});

describe('redaction by access profile', () => {
  const offer = (field: string, sensitive = false): Resource => {
    const hs = example('HealthcareService-1234564');
    hs.type = [{ coding: [{ system: CHAMP_ACTIVITE_SYSTEM, code: field }] }];
    hs.extension = (hs.extension as { url: string }[]).map((e) => (e.url === SENSITIVE_UNIT_URL ? { url: SENSITIVE_UNIT_URL, valueBoolean: sensitive } : e));
    hs.telecom = [rorTelecom('0100000001', '2', '1'), rorTelecom('0100000002', '2', '2'), rorTelecom('0100000003', '2', '3'), { system: 'phone', value: '0100000009' }];
    return hs;
  };
  const phones = (r: Resource | null) => ((r?.telecom as { value: string }[] | undefined) ?? []).map((t) => t.value.slice(-1));

  test('telecoms by level; profile 3 sees "restreint" only on médico-social offers; no level = hidden', () => {
    assert.deepEqual(phones(redact(offer('01'), app(3))), ['1']);
    assert.deepEqual(phones(redact(offer('04'), app(3))), ['1', '2']);
    assert.deepEqual(phones(redact(offer('01'), app(4))), ['1']);
    assert.deepEqual(phones(redact(offer('01'), app(1))), ['1', '2', '3', '9']);
    assert.deepEqual(phones(redact(offer('01'), ANONYMOUS)), ['1']);
    assert.deepEqual(phones(redact(offer('01'), user('national-admin'))), ['1', '2', '3', '9']);
    assert.deepEqual(phones(redact(offer('01'), user('referent'))), ['1', '2']);
  });

  test('the offer contact extension is filtered by its own level; the input is not modified', () => {
    const hs = offer('01');
    const contact = (hs.extension as { url: string; extension: { url: string }[] }[]).find((e) => e.url.endsWith('ror-healthcareservice-contact'))!;
    const before = JSON.stringify(hs);
    assert.ok(redact(hs, app(0)));
    assert.equal(JSON.stringify(hs), before);
    // Raise the contact's own level to "très restreint": profile 2 loses the whole contact.
    const level = contact.extension.find((e) => e.url.endsWith('ror-confidentiality-level')) as unknown as { valueCodeableConcept: { coding: { code: string }[] } };
    level.valueCodeableConcept.coding[0].code = '3';
    const r = redact(hs, app(2))!;
    assert.ok(!(r.extension as { url: string }[]).some((e) => e.url.endsWith('ror-healthcareservice-contact')));
    assert.ok((redact(hs, app(1))!.extension as { url: string }[]).some((e) => e.url.endsWith('ror-healthcareservice-contact')));
    assert.ok(r.meta!.security!.some((s) => s.code === REDACTED_CODE));
  });

  test('sensitive offers: only profiles 1 and 4 (and administrators)', () => {
    for (const p of [0, 2, 3, 5] as const) assert.equal(redact(offer('01', true), app(p)), null, `profile ${p}`);
    for (const p of [1, 4] as const) assert.ok(redact(offer('01', true), app(p)), `profile ${p}`);
    assert.equal(redact(offer('01', true), ANONYMOUS), null);
    assert.ok(redact(offer('01', true), user('regional-admin')));
    assert.equal(redact(practice(), app(2), { ...NO_FACTS, sensitive: true }), null);
  });

  test('Practitioner and PractitionerRole: profile 0 only on city offers', () => {
    assert.equal(redact(professional(), app(0), NO_FACTS), null);
    assert.ok(redact(professional(), app(0), { ...NO_FACTS, city: true }));
    assert.equal(redact(practice(), app(0), NO_FACTS), null);
    assert.ok(redact(practice(), app(2), NO_FACTS));
  });

  test('specific competences (and acts, professions): not for profile 0, for profile 3 only on médico-social offers', () => {
    const lsf = { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R243-CompetenceSpecifique/FHIR/TRE-R243-CompetenceSpecifique', code: '01', display: 'Maîtrise de la Langue des Signes Française (LSF)' }] };
    const withLsf = (field: string) => {
      const hs = offer(field);
      hs.characteristic = [...(hs.characteristic as unknown[]), lsf];
      return hs;
    };
    const has = (r: Resource | null) => JSON.stringify(r?.characteristic ?? []).includes('TRE_R243');
    const count = (r: Resource | null) => ((r?.characteristic as unknown[] | undefined) ?? []).length;
    assert.equal(has(redact(withLsf('01'), app(0))), false);
    assert.equal(count(redact(withLsf('01'), app(0))), count(withLsf('01')) - 1, 'only the competence is withheld');
    assert.equal(has(redact(withLsf('01'), app(3))), false);
    assert.equal(has(redact(withLsf('04'), app(3))), true);
    assert.equal(has(redact(withLsf('01'), app(5))), true);
  });

  test('ORSAN level and drop zone only for profiles 1 and 4', () => {
    const eg = { ...legalEntity(), extension: [
      { url: `${ROR}ror-organization-level-recourse-orsan`, valueCodeableConcept: { coding: [{ code: '1' }] } },
      { url: `${ROR}ror-organization-drop-zone`, valueBoolean: true },
    ] };
    const urls = (r: Resource | null) => ((r?.extension as { url: string }[] | undefined) ?? []).map((e) => e.url.replace(ROR, ''));
    const before = JSON.stringify(eg);
    assert.deepEqual(urls(redact(eg, app(2))), []);
    assert.deepEqual(urls(redact(eg, app(4))), ['ror-organization-level-recourse-orsan', 'ror-organization-drop-zone']);
    assert.equal(JSON.stringify(eg), before, 'the input (contacts, meta) is not modified');
  });

  test('capacities: profile 3 only for médico-social places, without supplementary ones', () => {
    const place: Resource = { resourceType: 'Location', id: 'l', extension: [capacityRecord()] };
    const count = (r: Resource | null) => ((r?.extension as unknown[] | undefined) ?? []).length;
    assert.equal(count(redact(place, app(3), NO_FACTS)), 0);
    assert.equal(count(redact(place, app(3), { ...NO_FACTS, medicoSocial: true })), 1);
    assert.equal(count(redact(place, app(5), NO_FACTS)), 0, 'status 02 (disponible) is not an installed capacity');
  });
});

describe('SQL access predicate', () => {
  test('row rules: sensitive offers, city-only practitioners, refused types, nothing for administrators', () => {
    assert.deepEqual(accessPredicate('HealthcareService', app(0), 'hs0'), { sql: 'NOT hs0.sensitive', params: [] });
    assert.deepEqual(accessPredicate('HealthcareService', app(1), 'hs0'), { sql: '', params: [] });
    assert.deepEqual(accessPredicate('HealthcareService', user('national-admin'), 'hs0'), { sql: '', params: [] });
    assert.deepEqual(accessPredicate('Task', ANONYMOUS, 't'), { sql: 'FALSE', params: [] });
    const pr = accessPredicate('Practitioner', app(0), 'p', 4);
    assert.match(pr.sql, /\$4::text\[\]/);
    assert.deepEqual(pr.params, [['https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite|05']]);
  });
});

test('logged URLs: login secrets redacted, ordinary search parameters kept', () => {
  assert.equal(redactUrl('/auth/oidc/callback?code=abc&state=def&iss=x'), '/auth/oidc/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&iss=x');
  assert.equal(redactUrl('/fhir/ValueSet/$validate-code?code=28&system=s'), '/fhir/ValueSet/$validate-code?code=28&system=s');
  assert.equal(redactUrl('/fhir/Location?access_token=eyJ&_count=5'), '/fhir/Location?access_token=%5Bredacted%5D&_count=5');
});
