// The batched read facts used on feed and export pages (readFactsOfMany) give, resource by
// resource, the same facts as the one-by-one look-up (readFactsOf), on both engines.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { REGION_TAG_SYSTEM } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import { readFactsOf, readFactsOfMany } from '../security/read-guard.ts';
import { SENSITIVE_UNIT_URL } from '../security/redact.ts';
import type { RequestContext } from '../store/context.ts';
import { createSearchIndexer } from '../search/indexer.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { completedHealthcareService, example, practice, professional } from '../validation/fixtures.ts';

const SETUP: RequestContext = { actor: { id: 'test-setup', kind: 'system' }, source: 'cli', validation: 'lenient' };
const CHAMP = 'https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite';

function offer(id: string, loc: string, sensitive: boolean, field: string): Resource {
  const hs = completedHealthcareService();
  return {
    ...hs, id, meta: { tag: [{ system: REGION_TAG_SYSTEM, code: '11' }] }, location: [{ reference: `Location/${loc}` }],
    type: [{ coding: [{ system: CHAMP, code: field }] }],
    extension: (hs.extension as { url: string }[]).map((e) => (e.url === SENSITIVE_UNIT_URL ? { url: SENSITIVE_UNIT_URL, valueBoolean: sensitive } : e)),
  };
}

await describeWithDatabases('read facts of a page', (db) => {
  const page: Resource[] = [];
  before(async () => {
    // Indexed as the server's store is: the batched look-up reads the search index.
    const store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
    const write = async (r: Resource) => page.push((await store.update(r, SETUP)).resource);
    // Real TRE_R227 fields: 02 (SSR), 04 (médico-social), 05 (ambulatoire: city offers).
    await store.update(offer('hs-a', 'loc-a', true, '02'), SETUP);
    await store.update(offer('hs-b', 'loc-a', false, '04'), SETUP);
    await store.update(offer('hs-c', 'loc-b', false, '05'), SETUP);
    for (const id of ['loc-a', 'loc-b', 'loc-none']) await write({ ...example('Location-ror-location-exemple'), id });
    await write({ ...professional(), id: 'ps-a' });
    await write({ ...professional(), id: 'ps-b', identifier: [] });
    await write({ ...practice(), id: 'pr-a', practitioner: { reference: 'Practitioner/ps-a' }, healthcareService: [{ reference: 'HealthcareService/hs-a' }] });
    await write({ ...practice(), id: 'pr-c', practitioner: { reference: 'Practitioner/ps-a' }, healthcareService: [{ reference: 'HealthcareService/hs-c' }] });
    await write({ ...practice(), id: 'pr-b', practitioner: { reference: 'Practitioner/ps-b' }, healthcareService: [{ reference: 'HealthcareService/hs-b' }] });
  });

  test('same facts as one by one, and they differ between resources', async () => {
    const batched = await readFactsOfMany(db(), page);
    const single = await Promise.all(page.map((r) => readFactsOf(db(), r)));
    assert.deepEqual(batched, single);
    const byId = new Map(page.map((r, i) => [r.id, batched[i]]));
    assert.deepEqual(byId.get('loc-a'), { sensitive: true, medicoSocial: true, city: false });
    assert.deepEqual(byId.get('loc-none'), { sensitive: false, medicoSocial: false, city: false });
    assert.deepEqual(byId.get('ps-a'), { sensitive: false, medicoSocial: false, city: true });
    assert.deepEqual(byId.get('pr-b'), { sensitive: false, medicoSocial: true, city: false });
  });
});
