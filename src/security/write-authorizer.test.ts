// The write authorizer's perimeters on a real database: what hangs below a referent's structure
// (units, offers, places by offer or by managing organization, practices), a professional's own
// resources, and the store refusing a write with nothing written and the refusal audited.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { REGION_TAG_SYSTEM, type ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import { AccessDeniedError } from '../store/hooks.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import type { Principal } from './principal.ts';
import { CHAMP_ACTIVITE_SYSTEM } from './redact.ts';
import { MatrixWriteAuthorizer } from './write-authorizer.ts';

const SETUP: RequestContext = { actor: { id: 'setup', kind: 'system' }, source: 'cli' };
const tag = { tag: [{ system: REGION_TAG_SYSTEM, code: '11' }] };
const org = (id: string, partOf?: string): Resource => ({ resourceType: 'Organization', id, meta: tag, ...(partOf ? { partOf: { reference: `Organization/${partOf}` } } : {}) });
const hs = (id: string, by: string, field = '01', locations: string[] = []): Resource => ({
  resourceType: 'HealthcareService', id, meta: tag, providedBy: { reference: `Organization/${by}` },
  type: [{ coding: [{ system: CHAMP_ACTIVITE_SYSTEM, code: field }] }], location: locations.map((l) => ({ reference: `Location/${l}` })),
});
const ctxOf = (principal: Principal): RequestContext => ({ actor: { id: 'someone', kind: principal.kind === 'app' ? 'app' : 'user', principal }, source: 'api' });
const referent = (...organizations: string[]): Principal => ({ kind: 'user', id: 'r', email: 'r@x.fr', role: 'referent', regions: [], organizations });
const pro = (practitioner: string): Principal => ({ kind: 'user', id: 'p', email: 'p@x.fr', role: 'professional', regions: [], organizations: [], practitioner });

await describeWithDatabases('write authorizer perimeters', (db) => {
  const authorizer = new MatrixWriteAuthorizer();
  let store: ResourceStore;

  before(async () => {
    const setup = new ResourceStore(db());
    for (const r of [
      org('ej'), org('eg', 'ej'), org('pole', 'eg'), org('service', 'pole'), org('other-eg'),
      hs('hs-uf', 'service', '01', ['loc-by-offer']), hs('hs-other', 'other-eg'),
      { resourceType: 'Location', id: 'loc-by-offer', meta: tag },
      { resourceType: 'Location', id: 'loc-managed', meta: tag, managingOrganization: { reference: 'Organization/eg' } },
      { resourceType: 'Location', id: 'loc-other', meta: tag, managingOrganization: { reference: 'Organization/other-eg' } },
      { resourceType: 'PractitionerRole', id: 'pr-uf', practitioner: { reference: 'Practitioner/ps-1' }, healthcareService: [{ reference: 'HealthcareService/hs-uf' }] },
      { resourceType: 'Practitioner', id: 'ps-1' }, { resourceType: 'Practitioner', id: 'ps-2' },
      hs('hs-city', 'other-eg', '05', ['loc-city']), { resourceType: 'Location', id: 'loc-city', meta: tag },
      { resourceType: 'PractitionerRole', id: 'pr-city', practitioner: { reference: 'Practitioner/ps-2' }, healthcareService: [{ reference: 'HealthcareService/hs-city' }] },
    ] as Resource[]) await setup.update(r, SETUP);
    store = new ResourceStore(db(), { authorizer });
  });

  const may = async (p: Principal, type: ResourceType, id: string, next?: Resource): Promise<boolean> => {
    const current = (await store.read(type, id).catch(() => null))?.resource ?? null;
    try {
      await authorizer.authorize(db(), ctxOf(p), { action: current ? 'update' : 'create', type, id, current, next: next ?? current });
      return true;
    } catch (e) {
      if (e instanceof AccessDeniedError) return false;
      throw e;
    }
  };

  test('a referent of the EJ reaches every level below, and nothing beside', async () => {
    const r = referent('ej');
    for (const [type, id] of [['Organization', 'eg'], ['Organization', 'service'], ['HealthcareService', 'hs-uf'], ['Location', 'loc-by-offer'],
      ['Location', 'loc-managed'], ['PractitionerRole', 'pr-uf']] as [ResourceType, string][]) {
      assert.equal(await may(r, type, id), true, `${type}/${id}`);
    }
    for (const [type, id] of [['Organization', 'other-eg'], ['HealthcareService', 'hs-other'], ['Location', 'loc-other'], ['Practitioner', 'ps-1']] as [ResourceType, string][]) {
      assert.equal(await may(r, type, id), false, `${type}/${id}`);
    }
    // Creating a unit under its site passes; under another site, or re-parenting its own away, does not.
    assert.equal(await may(r, 'Organization', 'new-uf', org('new-uf', 'pole')), true);
    assert.equal(await may(r, 'Organization', 'new-uf2', org('new-uf2', 'other-eg')), false);
    assert.equal(await may(r, 'Organization', 'pole', org('pole', 'other-eg')), false);
    // A site referent does not reach its legal entity.
    assert.equal(await may(referent('eg'), 'Organization', 'ej'), false);
  });

  test('a professional: its Practitioner and roles, its city offer and its place; not a hospital offer', async () => {
    assert.equal(await may(pro('ps-2'), 'Practitioner', 'ps-2'), true);
    assert.equal(await may(pro('ps-2'), 'Practitioner', 'ps-1'), false);
    assert.equal(await may(pro('ps-2'), 'PractitionerRole', 'pr-city'), true);
    assert.equal(await may(pro('ps-2'), 'HealthcareService', 'hs-city'), true);
    assert.equal(await may(pro('ps-2'), 'Location', 'loc-city'), true);
    assert.equal(await may(pro('ps-1'), 'HealthcareService', 'hs-uf'), false, 'not a city offer');
    assert.equal(await may(pro('ps-1'), 'PractitionerRole', 'pr-city'), false);
    // Handing its role to another practitioner is refused.
    const role = (await store.read('PractitionerRole', 'pr-city')).resource;
    assert.equal(await may(pro('ps-2'), 'PractitionerRole', 'pr-city', { ...role, practitioner: { reference: 'Practitioner/ps-1' } }), false);
  });

  test('through the store: a refused delete writes nothing and is audited with its reason', async () => {
    const ctx = ctxOf(referent('eg'));
    await assert.rejects(store.delete('Organization', 'other-eg', ctx), (e: unknown) => e instanceof AccessDeniedError && e.status === 403);
    assert.equal((await store.read('Organization', 'other-eg')).versionId, 1);
    const audit = await db().query<{ action: string; detail: { reason: string } }>(
      "SELECT action, detail FROM audit_event WHERE outcome = 'denied' AND resource_id = 'other-eg'");
    assert.equal(audit.rows[0].action, 'delete');
    assert.match(audit.rows[0].detail.reason, /outside the structures/);
    const ok = await store.delete('Organization', 'service', ctx);
    assert.equal(ok?.deleted, true);
  });
});
