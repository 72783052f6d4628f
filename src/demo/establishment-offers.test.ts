import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { loadTerminologyFromFiles } from '../terminology/terminology.ts';
import { createRorValidator } from '../validation/index.ts';
import { DEMO_CATEGORIES, buildSiteOffers, type DemoSite } from './establishment-offers.ts';

const REGION = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';

/** CH François Quesnay (FINESS 780000287), as the FINESS import writes its place. */
function site(category: string): DemoSite {
  const location: Resource = {
    resourceType: 'Location', id: 'finess-loc-780000287', meta: { tag: [{ system: REGION, code: '11' }] },
    extension: [{ url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-commune-cog', valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM', code: '78361' }] } }],
    address: { line: ['2 BD SULLY'], postalCode: '78200', city: 'MANTES LA JOLIE' },
    position: { latitude: 48.99, longitude: 1.70 },
    telecom: [{ system: 'phone', value: '0134974000' }],
  };
  return { nofinesset: '780000287', category, name: 'CH FRANCOIS QUESNAY MANTES', organizationId: 'finess-eg-780000287', location, region: '11' };
}

test('demo offers of every category conform to the ROR profiles, with capacities on their own places', async () => {
  const validator = createRorValidator(await loadTerminologyFromFiles());
  for (const category of DEMO_CATEGORIES) {
    const resources = buildSiteOffers(site(category), [{ code: '78361', name: 'Mantes-la-Jolie' }], '2026-11-23T08:00:00+01:00');
    assert.ok(resources.some((r) => r.resourceType === 'HealthcareService'), category);
    for (const r of resources) {
      const errors = (await validator.validate(r)).filter((i) => i.severity === 'error');
      assert.deepEqual(errors, [], `${category} ${r.resourceType}/${r.id}`);
      if (r.resourceType === 'Location') {
        const caps = (r.extension as { url: string }[]).filter((e) => e.url.endsWith('/ror-location-supported-capacity'));
        assert.equal(caps.length, 2, 'installed and available');
        assert.equal((r.partOf as { reference: string }).reference, 'Location/finess-loc-780000287');
      }
    }
  }
  // Deterministic: the same site gives the same offers.
  assert.deepEqual(buildSiteOffers(site('500'), [], 'x'), buildSiteOffers(site('500'), [], 'x'));
});
