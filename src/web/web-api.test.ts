import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { PLACES, writeTestOffers } from './test-offers.ts';

interface SearchBody {
  radiusKm: number;
  requestedRadiusKm: number;
  widened: boolean;
  message?: string;
  total: number;
  results: {
    id: string; name: string; distanceKm: number | null; interventionZoneMatch: boolean; homeVisit: boolean; reasons: string[];
    contacts: { kind: string; value: string }[]; capacity: { availablePlaces: number }; organization?: { name?: string };
    location?: { lat?: number; lon?: number }; activities: { code: string }[]; stale: boolean; score: number;
  }[];
  facets: { field: { code: string; count: number }[]; homeVisit: number; available: number };
  fhirQuery: string;
}

await describeWithDatabases('web API: coordinator search, communes, outlines', (db) => {
  let server: TestServer;
  const get = (url: string, headers: Record<string, string> = {}) => server.app.inject({ method: 'GET', url, headers });
  const search = async (qs: string, headers: Record<string, string> = {}): Promise<SearchBody> => {
    const res = await get(`/api/search?${qs}`, headers);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as SearchBody;
  };

  before(async () => {
    process.env.ROR_TILE_URL = 'https://tiles.example.test/{z}/{x}/{y}.png';
    server = await startTestServer(db());
    delete process.env.ROR_TILE_URL;
    await writeTestOffers(server.services.store);
  });
  after(async () => server?.close());

  test('a physiotherapist doing home visits in Limay comes first, with public contacts only', async () => {
    const body = await search(`commune=${PLACES.limay.code}&activity=339&homeVisit=true`);
    assert.equal(body.results[0].id, 'hs-kine-limay');
    const kine = body.results[0];
    assert.equal(kine.interventionZoneMatch, true);
    assert.ok(kine.distanceKm != null && kine.distanceKm < 1, `distance ${kine.distanceKm}`);
    assert.ok(kine.reasons.includes('Intervient dans votre commune'));
    assert.ok(kine.reasons.some((r) => r.startsWith('Activité : Kinésithérapie')));
    assert.deepEqual(kine.contacts.map((c) => c.value), ['01 30 00 00 01'], 'restricted mobile number hidden');
    assert.equal(kine.organization?.name, 'Cabinet de kinésithérapie de Limay');
    assert.ok(kine.location?.lat && kine.location?.lon);
    assert.ok(!body.results.some((r) => r.id === 'hs-sensible-limay'), 'sensitive unit never listed');
    assert.ok(!body.results.some((r) => r.id === 'hs-deleted-limay'), 'deleted offer never listed');
    assert.match(body.fhirQuery, /^\/fhir\/HealthcareService\?specialty=.*TRE-R211-ActiviteOperationnelle\|339/);
  });

  test('a midwife for post-partum follow-up at home in Gargenville: found through her intervention zone', async () => {
    const body = await search(`commune=${PLACES.gargenville.code}&activity=282&homeVisit=true`);
    assert.deepEqual(body.results.map((r) => r.id), ['hs-sf-mantes']);
    assert.equal(body.results[0].interventionZoneMatch, true);
    // One result only (fewer than 5): the radius was widened, and nothing else matches within 50 km.
    assert.equal(body.widened, true);
    assert.equal(body.radiusKm, 50);
    // The profession comes from the midwife's PractitionerRole (TRE_G15 50 Sage-Femme).
    const byProfession = await search(`commune=${PLACES.gargenville.code}&profession=50&homeVisit=true`);
    assert.deepEqual(byProfession.results.map((r) => r.id), ['hs-sf-mantes']);
    const otherProfession = await search(`commune=${PLACES.gargenville.code}&profession=70&homeVisit=true`);
    assert.ok(!otherProfession.results.some((r) => r.id === 'hs-sf-mantes'));
  });

  test('an SMR bed free within 30 km of Mantes-la-Jolie: availability filters, the facet counts', async () => {
    // Capacities are for signed-in people and applications (access matrix); anonymous visitors see none.
    const signedIn = await server.adminHeaders();
    const body = await search(`commune=${PLACES.mantes.code}&field=02&available=true&radius=30&widen=false`, signedIn);
    assert.deepEqual(body.results.map((r) => r.id), ['hs-smr-mantes']);
    assert.equal(body.results[0].capacity.availablePlaces, 3);
    assert.ok(body.results[0].reasons.includes('3 places disponibles'));
    assert.equal(body.facets.available, 1);
    const all = await search(`commune=${PLACES.mantes.code}&field=02&radius=50&widen=false`, signedIn);
    assert.deepEqual(all.results.map((r) => r.id), ['hs-smr-mantes', 'hs-smr-versailles'], 'available and nearer first');
    assert.ok(all.results[1].distanceKm! > 30 && all.results[1].distanceKm! < 50, `Versailles at ${all.results[1].distanceKm} km`);
    // Drill-down: with SMR picked, the field facet still counts the other fields (under the other filters), so that
    // the coordinator can switch; the picked one counts what the list shows.
    assert.deepEqual(all.facets.field.find((f) => f.code === '02'), { code: '02', count: 2, display: 'SMR' });
    assert.ok(all.facets.field.length > 1, JSON.stringify(all.facets.field));
    const city = all.facets.field.find((f) => f.code === '05')!;
    assert.equal((await search(`commune=${PLACES.mantes.code}&field=05&radius=50&widen=false`, signedIn)).total, city.count);
  });

  test('too few results: the radius widens step by step, and the response says so', async () => {
    const body = await search(`commune=${PLACES.mantes.code}&field=02&radius=10&minResults=2`);
    assert.equal(body.requestedRadiusKm, 10);
    assert.equal(body.radiusKm, 50);
    assert.equal(body.widened, true);
    assert.match(body.message ?? '', /rayon élargi à 50 km/);
    assert.equal(body.total, 2);
    const enough = await search(`commune=${PLACES.mantes.code}&field=02&radius=10&minResults=1`);
    assert.equal(enough.radiusKm, 10);
    assert.equal(enough.widened, false);
  });

  test('a day-care place for a child with an intellectual disability: public and age', async () => {
    const body = await search(`commune=${PLACES.mantes.code}&field=04&public=02&age=9&radius=30`);
    assert.deepEqual(body.results.map((r) => r.id), ['hs-ime-poissy']);
    const tooOld = await search(`commune=${PLACES.mantes.code}&field=04&public=02&age=45&radius=30`);
    assert.equal(tooOld.total, 0);
    assert.match(tooOld.message ?? '', /Aucune offre/);
  });

  test('free text finds offers by their labels, without accents', async () => {
    const body = await search(`commune=${PLACES.limay.code}&q=${encodeURIComponent('kinesitherapie domicile')}`);
    assert.equal(body.results[0]?.id, 'hs-kine-limay');
    assert.equal(body.results.length, 1);
  });

  test('the offer detail: places with capacity, public contacts, intervention zone; sensitive or deleted offers are 404', async () => {
    const res = await get('/api/offers/hs-smr-mantes', await server.adminHeaders());
    assert.equal(res.statusCode, 200);
    const smr = res.json();
    assert.equal(smr.name, 'SMR locomoteur — hospitalisation complète');
    assert.deepEqual(smr.locations.map((l: { id: string; availablePlaces: number }) => [l.id, l.availablePlaces]), [['loc-smr-mantes', 3]]);
    assert.equal(smr.field.display, 'SMR');
    const kine = (await get('/api/offers/hs-kine-limay')).json();
    assert.deepEqual(kine.interventionZone, [PLACES.limay.code, PLACES.gargenville.code]);
    assert.deepEqual(kine.contacts.map((c: { value: string }) => c.value), ['01 30 00 00 01']);
    assert.equal(kine.homeVisit, true);
    assert.equal((await get('/api/offers/hs-sensible-limay')).statusCode, 404);
    assert.equal((await get('/api/offers/hs-deleted-limay')).statusCode, 404);
    assert.equal((await get('/api/offers/nope')).json().error.code, 'not-found');
  });

  test('bad or missing place: a 400 with a French message', async () => {
    const none = await get('/api/search?activity=339');
    assert.equal(none.statusCode, 400);
    assert.match(none.json().error.fr, /Indiquez une commune/);
    const unknown = await get('/api/search?commune=99999');
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error.code, 'unknown-commune');
    const bad = await get('/api/search?commune=78335&radius=5000');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.fr, /^Paramètre invalide/);
  });

  test('commune autocomplete, département outlines with ETag, deployment config', async () => {
    const communes = await get('/api/communes?q=gargen');
    assert.equal(communes.statusCode, 200);
    assert.equal(communes.json().communes[0].code, PLACES.gargenville.code);
    const deps = await get('/api/geo/departements');
    assert.equal(deps.statusCode, 200);
    assert.match(String(deps.headers['content-type']), /geo\+json/);
    assert.equal(deps.json().features.length, 96);
    const again = await get('/api/geo/departements', { 'if-none-match': String(deps.headers.etag) });
    assert.equal(again.statusCode, 304);
    const config = await get('/api/config');
    assert.equal(config.json().tileUrl, 'https://tiles.example.test/{z}/{x}/{y}.png');
  });

  test('the OpenAPI description documents the /api routes only', async () => {
    const res = await get('/api/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.0.3');
    assert.ok(doc.paths['/api/search'].get.parameters.some((p: { name: string }) => p.name === 'commune'));
    assert.ok(doc.paths['/api/communes']);
    assert.ok(doc.paths['/api/geo/departements']);
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/fhir')));
  });

  test('unknown /api and /fhir paths stay 404s; other paths get the web app', async () => {
    const api = await get('/api/nothing-here');
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error.code, 'not-found');
    const meta = await get('/fhir/metadata');
    assert.equal(meta.statusCode, 200);
    const page = await get('/offre/hs-kine-limay');
    assert.ok([200, 503].includes(page.statusCode));
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(String(page.headers['cache-control']), /no-(cache|store)/);
  });
});
