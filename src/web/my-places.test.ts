/** "Ma structure" as the place: GET /api/places/mine, and /api/search from a position inside a commune. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { PLACES, TEST_CONTEXT, writeTestOffers } from './test-offers.ts';

const site = { lat: 48.996, lon: 1.7 }; // in Mantes-la-Jolie, ≈ 0.5 km from its centroid
const resources = [
  { resourceType: 'Organization', id: 'org-ej-mine', name: 'Association du Mantois' },
  { resourceType: 'Organization', id: 'org-eg-mine', name: 'EHPAD Les Glycines', partOf: { reference: 'Organization/org-ej-mine' } },
  { resourceType: 'Organization', id: 'org-eg-other', name: 'Autre établissement' },
  { resourceType: 'Location', id: 'loc-site-mine', name: 'EHPAD Les Glycines', managingOrganization: { reference: 'Organization/org-eg-mine' },
    address: { postalCode: PLACES.mantes.postcode, city: PLACES.mantes.name }, position: { latitude: site.lat, longitude: site.lon } },
  { resourceType: 'Location', id: 'loc-unit-mine', name: 'Unité Alzheimer', managingOrganization: { reference: 'Organization/org-eg-mine' },
    partOf: { reference: 'Location/loc-site-mine' }, position: { latitude: site.lat, longitude: site.lon } },
  { resourceType: 'Location', id: 'loc-site-other', name: 'Autre site', managingOrganization: { reference: 'Organization/org-eg-other' },
    position: { latitude: 48.8, longitude: 2.1 } },
] as unknown as Resource[];

await describeWithDatabases('web API: my structure as the place', (db) => {
  let server: TestServer;
  const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url, headers });

  before(async () => {
    server = await startTestServer(db());
    await writeTestOffers(server.services.store);
    for (const r of resources) await server.services.store.update(structuredClone(r), TEST_CONTEXT);
  });
  after(async () => server?.close());

  test('a referent of the legal entity gets the site of its establishment, not its units nor others’ sites', async () => {
    const headers = await server.userHeaders({ email: 'ref-mine@example.test', role: 'referent', organizations: ['org-ej-mine'] });
    const res = await get('/api/places/mine', headers);
    assert.equal(res.statusCode, 200, res.body);
    const { places } = res.json() as { places: { locationId: string; organizationId: string; name: string; lat: number; lon: number }[] };
    assert.deepEqual(places.map((p) => [p.locationId, p.organizationId, p.name]), [['loc-site-mine', 'org-eg-mine', 'EHPAD Les Glycines']]);
    assert.equal(places[0].lat, site.lat);
    assert.equal(places[0].lon, site.lon);
    assert.equal((places[0] as { commune?: string }).commune, PLACES.mantes.code, 'no commune extension: the nearest commune centroid');
  });

  test('anonymous: 401 with a message', async () => {
    const res = await get('/api/places/mine');
    assert.equal(res.statusCode, 401);
    assert.match(res.body, /Connectez-vous/);
  });

  test('a search from the structure: distances from its position, the commune still given', async () => {
    const res = await get(`/api/search?commune=${PLACES.mantes.code}&lat=${site.lat}&lon=${site.lon}&radius=10`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { place: { lat: number; lon: number; commune: { code: string } }; results: { id: string; distanceKm: number | null }[] };
    assert.equal(body.place.lat, site.lat);
    assert.equal(body.place.commune.code, PLACES.mantes.code);
    const fromCentroid = (await get(`/api/search?commune=${PLACES.mantes.code}&radius=10`)).json() as typeof body;
    const d = (b: typeof body) => b.results.find((r) => r.id === 'hs-smr-mantes')?.distanceKm;
    assert.ok(d(body) != null && d(fromCentroid) != null);
    assert.notEqual(d(body), d(fromCentroid), 'distance measured from the structure, not the commune centroid');
  });
});
