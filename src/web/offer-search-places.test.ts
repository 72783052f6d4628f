/**
 * `search_offer_place` (migration 108), the table the coordinator search scans, is derived data kept by triggers:
 * after every kind of write it must hold exactly what its definition (`search_offer_place_source`) computes from
 * the offers and places as they stand, whatever the order in which they were written.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { SYSTEMS } from './nos-systems.ts';
import { searchOffers } from './offer-search.ts';
import { PLACES, TEST_CONTEXT, location, offer, writeTestOffers } from './test-offers.ts';

await describeWithDatabases('search_offer_place follows the writes of offers and places', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(db());
    await writeTestOffers(server.services.store);
  });
  after(async () => server?.close());

  const write = (r: Resource) => server.services.store.update(structuredClone(r), TEST_CONTEXT);
  const rowsOf = async (offerId: string) => (await db().query<{ location_id: string; lat: number; available_places: number | null; specialty: string[]; public_codes: string[]; inactive: boolean }>(
    'SELECT location_id, lat, available_places, specialty, public_codes, inactive FROM search_offer_place WHERE offer_id = $1 ORDER BY location_id', [offerId])).rows;
  /** Rows of the table its definition does not give, and rows the definition gives that the table lacks. */
  const drift = async () => (await db().query<{ side: string; offer_id: string; location_id: string }>(`
    (SELECT 'extra' AS side, offer_id, location_id FROM (SELECT * FROM search_offer_place EXCEPT SELECT * FROM search_offer_place_source) x)
    UNION ALL
    (SELECT 'missing', offer_id, location_id FROM (SELECT * FROM search_offer_place_source EXCEPT SELECT * FROM search_offer_place) y)`)).rows;

  const kine = offer({
    id: 'hs-places-kine', name: 'Kinésithérapie — test des lieux', org: 'org-cabinet-limay', location: 'loc-places-a',
    field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'], profession: '70', publics: ['07'],
  });
  const placeA = location('loc-places-a', 'Cabinet A', 'limay', { available: 2 });
  const placeB = location('loc-places-b', 'Cabinet B', 'gargenville');

  test('the offers and places of the test set are all there, as the definition gives them', async () => {
    const count = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM search_offer_place');
    assert.ok(count.rows[0].n >= 5, `rows for the located test offers (${count.rows[0].n})`);
    assert.deepEqual(await drift(), []);
    // Deleted offers are not listed; sensitive units are, flagged (the FHIR search may show them to some callers).
    assert.deepEqual(await rowsOf('hs-deleted-limay'), []);
    const sensitive = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM search_offer_place WHERE sensitive');
    assert.ok(sensitive.rows[0].n >= 1, 'the sensitive test offer is listed, flagged');
  });

  test('an offer written before its place gets its row when the place comes, and follows the place', async () => {
    await write(kine);
    assert.deepEqual(await rowsOf(kine.id!), [], 'no row while the place does not exist');
    await write(placeA);
    const [row] = await rowsOf(kine.id!);
    assert.equal(row.location_id, 'loc-places-a');
    assert.equal(row.available_places, 2);
    assert.deepEqual(row.public_codes, ['07']);
    assert.deepEqual(row.specialty, [`${SYSTEMS.activity}|339`, '339']);

    // The place moves and its availability changes: the row follows.
    const moved = location('loc-places-a', 'Cabinet A', 'mantes', { available: 0 });
    await write(moved);
    const [after] = await rowsOf(kine.id!);
    assert.equal(after.lat, PLACES.mantes.lat);
    assert.equal(after.available_places, 0);
    assert.deepEqual(await drift(), []);
  });

  test('an offer\'s new places, codes and state are followed; deletions and deactivation remove its rows', async () => {
    await write(placeB);
    const both = { ...offer({
      id: 'hs-places-kine', name: 'Kinésithérapie — test des lieux', org: 'org-cabinet-limay', location: 'loc-places-a',
      field: '05', activity: ['340', 'Rééducation'], careMode: ['32', 'Consultation (CS)'], profession: '70', publics: ['07', '01'],
    }) };
    both.location = [{ reference: 'Location/loc-places-a' }, { reference: 'Location/loc-places-b' }, { reference: 'Location/loc-places-b' }];
    await write(both);
    const rows = await rowsOf(kine.id!);
    assert.deepEqual(rows.map((r) => r.location_id), ['loc-places-a', 'loc-places-b']);
    assert.ok(rows.every((r) => r.specialty.includes('340') && !r.specialty.includes('339')));
    assert.deepEqual(rows[0].public_codes, ['01', '07']);

    await server.services.store.delete('Location', 'loc-places-b', TEST_CONTEXT);
    assert.deepEqual((await rowsOf(kine.id!)).map((r) => r.location_id), ['loc-places-a']);

    await write({ ...both, active: false });
    assert.deepEqual((await rowsOf(kine.id!)).map((r) => r.inactive), [true], 'an inactive offer is flagged');
    await write(both);
    assert.deepEqual((await rowsOf(kine.id!)).map((r) => r.inactive), [false], 'active again');

    await server.services.store.delete('HealthcareService', kine.id!, TEST_CONTEXT);
    assert.deepEqual(await rowsOf(kine.id!), []);
    assert.deepEqual(await drift(), []);
  });

  test('a bulk write of offers with their places in one statement, then of their changes, leaves the table as defined', async () => {
    // One statement writes both tables: the offer trigger and the place trigger each find the same (offer, place) rows.
    const ids = ['1', '2', '3'];
    const places = ids.map((n) => location(`loc-bulk-${n}`, `Cabinet ${n}`, n === '3' ? 'mantes' : 'limay', { available: Number(n) }));
    const offers = ids.map((n) => offer({
      id: `hs-bulk-${n}`, name: `Kinésithérapie — lot ${n}`, org: 'org-cabinet-limay', location: `loc-bulk-${n}`,
      field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'], profession: '70', publics: ['07'],
    }));
    await server.services.store.bulkPut([...places, ...offers].map((r) => structuredClone(r)), TEST_CONTEXT);
    for (const n of ids) assert.deepEqual((await rowsOf(`hs-bulk-${n}`)).map((r) => [r.location_id, r.available_places]), [[`loc-bulk-${n}`, Number(n)]]);

    // One statement moves a place, takes the position of another, and changes an offer's publics.
    const moved = location('loc-bulk-1', 'Cabinet 1', 'gargenville', { available: 9 });
    const unplaced = { ...structuredClone(places[1]), position: undefined };
    const republic = offer({
      id: 'hs-bulk-3', name: 'Kinésithérapie — lot 3', org: 'org-cabinet-limay', location: 'loc-bulk-3',
      field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'], profession: '70', publics: ['01'],
    });
    await server.services.store.bulkPut([moved, unplaced, republic].map((r) => structuredClone(r)), TEST_CONTEXT);
    const [one] = await rowsOf('hs-bulk-1');
    assert.equal(one.lat, PLACES.gargenville.lat);
    assert.equal(one.available_places, 9);
    assert.deepEqual(await rowsOf('hs-bulk-2'), [], 'a place without a position is not listed');
    assert.deepEqual((await rowsOf('hs-bulk-3'))[0].public_codes, ['01']);

    // The position back: listed again.
    await server.services.store.bulkPut([structuredClone(places[1])], TEST_CONTEXT);
    assert.deepEqual((await rowsOf('hs-bulk-2')).map((r) => r.location_id), ['loc-bulk-2']);
    assert.deepEqual(await drift(), []);
  });

  test('the professions of the roles practising in an offer follow the roles (written after the offer, changed, removed, in bulk)', async () => {
    const offerOf = (id: string) => offer({
      id, name: 'Cabinet — test des rôles', org: 'org-cabinet-limay', location: 'loc-kine-limay',
      field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'],
    });
    await write(offerOf('hs-roles-a'));
    await write(offerOf('hs-roles-b'));
    const professions = async (id: string) => (await db().query<{ p: string[] }>(
      'SELECT role_professions AS p FROM search_offer_place WHERE offer_id = $1', [id])).rows.map((r) => r.p);
    assert.deepEqual(await professions('hs-roles-a'), [[]]);
    const role = (id: string, code: string, offers: string[]): Resource => ({
      resourceType: 'PractitionerRole', id, active: true,
      healthcareService: offers.map((o) => ({ reference: `HealthcareService/${o}` })),
      code: [{ coding: [{ system: SYSTEMS.profession, code }] }],
    });
    await write(role('role-roles-test', '70', ['hs-roles-a']));
    assert.deepEqual(await professions('hs-roles-a'), [['70']]);
    // Moved to the other offer with another profession: both offers follow.
    await write(role('role-roles-test', '50', ['hs-roles-b']));
    assert.deepEqual(await professions('hs-roles-a'), [[]]);
    assert.deepEqual(await professions('hs-roles-b'), [['50']]);
    // Several roles in one statement, two of them in the same offer: each profession once, sorted.
    await server.services.store.bulkPut([
      role('role-roles-2', '70', ['hs-roles-a', 'hs-roles-b']), role('role-roles-3', '21', ['hs-roles-a']),
    ], TEST_CONTEXT);
    assert.deepEqual(await professions('hs-roles-a'), [['21', '70']]);
    assert.deepEqual(await professions('hs-roles-b'), [['50', '70']]);
    // An offer far away but covering the patient's commune, whose profession is only its professional's: found through
    // its zone by that profession, not by another.
    await write(location('loc-roles-far', 'Cabinet lointain', 'versailles'));
    await write(offer({
      id: 'hs-roles-zone', name: 'Cabinet — test des rôles (zone)', org: 'org-cabinet-limay', location: 'loc-roles-far',
      field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'], zone: [PLACES.gargenville.code],
    }));
    await write(role('role-roles-zone', '70', ['hs-roles-zone']));
    const atGargenville = (profession: string) => searchOffers(db(), {
      lat: PLACES.gargenville.lat, lon: PLACES.gargenville.lon, commune: PLACES.gargenville.code, radiusKm: 2, widen: false, minResults: 1,
      activity: [], profession: [profession], careMode: [], field: [], publicType: [], homeVisit: false, available: false, limit: 50, offset: 0,
    });
    assert.ok((await atGargenville('70')).page.some((c) => c.id === 'hs-roles-zone'), 'found through its zone by its professional');
    assert.ok(!(await atGargenville('50')).page.some((c) => c.id === 'hs-roles-zone'), 'not by another profession');
    await server.services.store.delete('HealthcareService', 'hs-roles-zone', TEST_CONTEXT);
    for (const id of ['role-roles-test', 'role-roles-2', 'role-roles-3', 'role-roles-zone']) await server.services.store.delete('PractitionerRole', id, TEST_CONTEXT);
    assert.deepEqual(await professions('hs-roles-a'), [[]]);
    assert.deepEqual(await professions('hs-roles-b'), [[]]);
    assert.deepEqual(await drift(), []);
  });

  test('the coordinator search finds an offer through its rows, not once inactive, and no longer once its place is deleted', async () => {
    const near = offer({
      id: 'hs-places-sf', name: 'Sage-femme — test des lieux', org: 'org-sf-mantes', location: 'loc-places-c',
      field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'], profession: '50',
    });
    await write(location('loc-places-c', 'Cabinet C', 'gargenville'));
    await write(near);
    const q = {
      lat: PLACES.gargenville.lat, lon: PLACES.gargenville.lon, radiusKm: 5, widen: false, minResults: 1, activity: [], profession: ['50'],
      careMode: [], field: [], publicType: [], homeVisit: false, available: false, limit: 50, offset: 0,
    };
    const found = await searchOffers(db(), q);
    assert.ok(found.page.some((c) => c.id === 'hs-places-sf' && c.locationId === 'loc-places-c'), 'found at its place');
    await write({ ...near, active: false });
    assert.ok(!(await searchOffers(db(), q)).page.some((c) => c.id === 'hs-places-sf'), 'an inactive offer is not listed');
    await write(near);
    await server.services.store.delete('Location', 'loc-places-c', TEST_CONTEXT);
    const gone = await searchOffers(db(), q);
    assert.ok(!gone.page.some((c) => c.id === 'hs-places-sf'), 'not found once its only place is deleted');
    assert.deepEqual(await drift(), []);
  });
});
