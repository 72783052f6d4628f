/**
 * One test per search feature, on real FINESS Yvelines establishments with real NOS codes
 * (testing/yvelines-fixture.ts), written through the ResourceStore with the search indexer.
 * Expected ids are computed from the fixture with plain JavaScript, never from the engine.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before, test } from 'node:test';
import { FhirError } from '../fhir/outcome.ts';
import type { ResourceType } from '../fhir/resource-types.ts';
import type { Bundle, Resource } from '../fhir/types.ts';
import { SYSTEM_CONTEXT } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { DISTANCE_URL, earthDistanceMeters } from './bundle/searchset.ts';
import { createSearchEngine, type SqlSearchEngine } from './engine.ts';
import { createSearchIndexer } from './indexer.ts';
import { buildYvelinesFixture, SYS, type Fixture } from './testing/yvelines-fixture.ts';

const BASE = 'http://test/fhir';
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

type HS = Resource & {
  specialty: { coding: { system: string; code: string; display: string }[] }[];
  characteristic: { coding: { code: string }[] }[];
  extension: { url: string; extension: { url: string; valueCodeableConcept?: { coding: { system: string; code: string }[] }; valueRange?: { low: { value: number }; high: { value: number } } }[] }[];
};

await describeWithDatabases('FHIR search', (db) => {
  let fx: Fixture;
  let store: ResourceStore;
  let engine: SqlSearchEngine;
  let hs: HS[];
  const RPPS = '810000000001';

  const search = (type: ResourceType, query: string, lenient = false): Promise<Bundle> =>
    engine.search({ resourceType: type, params: [...new URLSearchParams(query)] as [string, string][], baseUrl: BASE, ctx: SYSTEM_CONTEXT, lenient });
  const matchIds = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);
  const sorted = (ids: string[]) => [...ids].sort();
  const ids = async (type: ResourceType, query: string) => sorted(matchIds(await search(type, query)));
  const rejects400 = async (type: ResourceType, query: string, name: RegExp) => {
    await assert.rejects(search(type, query), (err: unknown) => {
      assert.ok(err instanceof FhirError, String(err));
      assert.equal(err.status, 400);
      assert.match(err.issues[0].en, name);
      assert.match(err.issues[0].fr, name);
      return true;
    });
  };

  before(async () => {
    fx = await buildYvelinesFixture(30);
    store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
    engine = createSearchEngine(db());
    const first = fx.rows[0].nofinesset;
    const extra: Resource[] = [
      // An internal unit (OI) under the first site, with its own offer: for :above on the partOf tree.
      { resourceType: 'Organization', id: 'oi-1', name: 'Pôle gériatrie', partOf: { reference: `Organization/eg-${first}` } },
      {
        ...(fx.resources.find((r) => r.id === `hs-${first}`) as Resource), id: 'hs-oi',
        identifier: [{ system: SYS.offer, value: 'oi-offer' }], providedBy: { reference: 'Organization/oi-1' },
      },
      { resourceType: 'Practitioner', id: 'pr-1', identifier: [{ system: SYS.rpps, value: RPPS }], name: [{ family: 'Dupont' }] },
      {
        resourceType: 'PractitionerRole', id: 'role-1', practitioner: { reference: 'Practitioner/pr-1' },
        healthcareService: [{ reference: `HealthcareService/hs-${fx.rows[1].nofinesset}` }],
      },
    ];
    for (const r of [...fx.resources, ...extra]) await store.update(r, SYSTEM_CONTEXT);
    hs = (await Promise.all(fx.resources.filter((r) => r.resourceType === 'HealthcareService').map((r) => store.read('HealthcareService', r.id!))))
      .map((s) => s.resource as HS)
      .concat([(await store.read('HealthcareService', 'hs-oi')).resource as HS]);
  });

  const hsWhere = (pred: (h: HS) => boolean) => sorted(hs.filter(pred).map((h) => h.id!));
  const activityOf = (h: HS) => h.specialty[0].coding[0];

  test('token: system|code, code alone, OR list, AND of repeats', async () => {
    const a = activityOf(hs[0]);
    const b = activityOf(hs[1]);
    assert.notEqual(a.code, b.code);
    const expectA = hsWhere((h) => activityOf(h).code === a.code);
    assert.ok(expectA.length >= 2);
    assert.deepEqual(await ids('HealthcareService', `specialty=${a.system}|${a.code}`), expectA);
    assert.deepEqual(await ids('HealthcareService', `specialty=${a.code}`), expectA);
    assert.deepEqual(await ids('HealthcareService', `specialty=${a.system}|${a.code},${b.system}|${b.code}`),
      hsWhere((h) => [a.code, b.code].includes(activityOf(h).code)));
    const care = hs[0].characteristic[0].coding[0].code;
    assert.deepEqual(await ids('HealthcareService', `specialty=${a.code}&characteristic=${SYS.careMode}|${care}`),
      hsWhere((h) => activityOf(h).code === a.code && h.characteristic[0].coding[0].code === care));
    assert.deepEqual(await ids('HealthcareService', `specialty=${SYS.careMode}|${a.code}`), [], 'wrong system matches nothing');
  });

  test('token modifiers :not, :missing, :text, :of-type; identifier and _id', async () => {
    const a = activityOf(hs[0]);
    assert.deepEqual(await ids('HealthcareService', `specialty:not=${a.system}|${a.code}`), hsWhere((h) => activityOf(h).code !== a.code));
    assert.deepEqual(await ids('Organization', 'partof:missing=true'), sorted(fx.resources.filter((r) => r.resourceType === 'Organization' && !r.partOf).map((r) => r.id!)));
    const word = a.display.split(' ')[0];
    assert.deepEqual(await ids('HealthcareService', `specialty:text=${word.toLowerCase()}`), hsWhere((h) => activityOf(h).display.split(' ')[0] === word));
    assert.deepEqual(await ids('HealthcareService', 'identifier=oi-offer'), ['hs-oi']);
    assert.deepEqual(await ids('HealthcareService', `_id=hs-oi,hs-${fx.rows[2].nofinesset}`), sorted(['hs-oi', `hs-${fx.rows[2].nofinesset}`]));
  });

  test(':of-type on identifiers (the IG example offer) and _revinclude:iterate down the partOf tree', async () => {
    const example = JSON.parse(fs.readFileSync('/work/shared/spec/ror-ig/examples/HealthcareService-1234564.json', 'utf8')) as Resource;
    await store.update(example, SYSTEM_CONTEXT);
    try {
      const t355 = 'https://mos.esante.gouv.fr/NOS/TRE_R355-TypeIdentifiantOffre/FHIR/TRE-R355-TypeIdentifiantOffre';
      assert.deepEqual(await ids('HealthcareService', `identifier:of-type=${encodeURIComponent(`${t355}|35|06/0099999`)}`), [example.id!]);
      assert.deepEqual(await ids('HealthcareService', `identifier:of-type=${encodeURIComponent(`${t355}|36|06/0099999`)}`), []);
    } finally {
      await store.delete('HealthcareService', example.id!, SYSTEM_CONTEXT);
    }
    const row = fx.rows[0];
    const b = await search('Organization', `_id=ej-${row.nofinessej}&_revinclude:iterate=Organization:partof`);
    const inc = sorted((b.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id!));
    const sites = fx.rows.filter((r) => r.nofinessej === row.nofinessej).map((r) => `eg-${r.nofinesset}`);
    assert.deepEqual(inc, sorted([...sites, 'oi-1']), 'sites of the EJ, then the unit under the first site');
  });

  test('string: starts-with accent-insensitive, :exact, :contains', async () => {
    const row = fx.rows[4];
    assert.deepEqual(await ids('Organization', `name=${row.rs.slice(0, 6).toLowerCase()}`),
      sorted(fx.resources.filter((r) => r.resourceType === 'Organization' && typeof r.name === 'string' && r.name.toLowerCase().startsWith(row.rs.slice(0, 6).toLowerCase())).map((r) => r.id!)));
    assert.deepEqual(await ids('Organization', `name:exact=${row.rs}`), [`eg-${row.nofinesset}`]);
    assert.deepEqual(await ids('Organization', `name:exact=${row.rs.toLowerCase()}`), []);
    assert.deepEqual(await ids('Organization', 'name=pole geriatrie'), ['oi-1']);
    assert.deepEqual(await ids('Organization', 'name:contains=GERIATR'), ['oi-1']);
    const hyphenated = fx.rows.find((r) => fx.communes.get(r.nofinesset)!.name.includes('-'))!;
    const town = fx.communes.get(hyphenated.nofinesset)!.name;
    const typed = town.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/-/g, ' ');
    assert.deepEqual(await ids('Location', `address-city=${encodeURIComponent(typed)}`),
      sorted(fx.rows.filter((r) => fx.communes.get(r.nofinesset)!.name === town).map((r) => `loc-${r.nofinesset}`)));
  });

  test('address matches every part of an address, each part indexed once (under its own parameter when it has one)', async () => {
    const place: Resource = {
      resourceType: 'Location', id: 'loc-full-address', name: 'Cabinet de la gare',
      address: {
        line: ['12 rue de la Gare', 'Bâtiment B'], city: 'Mantes-la-Jolie', district: 'Val Fourré', state: 'Île-de-France',
        postalCode: '78200', country: 'France',
      },
    };
    await store.update(place, SYSTEM_CONTEXT);
    try {
      const rows = (await db().query<{ param: string; raw: string }>(
        `SELECT param, raw FROM search_string WHERE rtype = 'Location' AND id = $1 AND param LIKE 'address%'`, [place.id],
      )).rows.map((r) => `${r.param}=${r.raw}`).sort();
      assert.deepEqual(rows, ['address-city=Mantes-la-Jolie', 'address-country=France', 'address-postalcode=78200', 'address-state=Île-de-France',
        'address=12 rue de la Gare', 'address=Bâtiment B', 'address=Val Fourré']);
      // Rows indexed before (each part under `address` too) are removed by migration 117, and only they.
      await db().query(`INSERT INTO search_string (rtype, id, param, norm, raw) SELECT rtype, id, 'address', norm, raw FROM search_string
        WHERE rtype = 'Location' AND id = $1 AND param LIKE 'address-%'`, [place.id]);
      await db().exec(fs.readFileSync(new URL('../db/migrations/117_address_rows_once.sql', import.meta.url), 'utf8'));
      assert.deepEqual((await db().query<{ param: string; raw: string }>(`SELECT param, raw FROM search_string
        WHERE rtype = 'Location' AND id = $1 AND param LIKE 'address%'`, [place.id])).rows.map((r) => `${r.param}=${r.raw}`).sort(), rows);
      for (const q of ['address=12 rue', 'address=batiment', 'address=mantes', 'address=78200', 'address=782', 'address=ile-de',
        'address=fran', 'address=val fo', 'address:exact=Mantes-la-Jolie', 'address:exact=78200', 'address:contains=jolie',
        'address:contains=gare', 'address-city=mantes', 'address-postalcode=78', 'address:missing=false', `address=mantes,nowhere`]) {
        assert.ok((await ids('Location', q)).includes(place.id!), q);
      }
      for (const q of ['address=jolie', 'address:exact=mantes-la-jolie', 'address-city=78200', 'address-postalcode=mantes', 'address:missing=true']) {
        assert.ok(!(await ids('Location', q)).includes(place.id!), q);
      }
      // Sorted by address: the smallest normalised value of any part (here the line "12 rue…" sorts before the cities).
      const byAddress = matchIds(await search('Location', 'address:missing=false&_sort=address&_count=200'));
      assert.equal(byAddress[0], place.id);
    } finally {
      await store.delete('Location', place.id!, SYSTEM_CONTEXT);
    }
  });

  test('chaining: organization.type, organization.identifier, location.commune-cog', async () => {
    const row = fx.rows[5];
    assert.deepEqual(await ids('HealthcareService', `organization.identifier=${SYS.finess}|${row.nofinesset}`), [`hs-${row.nofinesset}`]);
    const cat = row.categetab;
    const expected = sorted(fx.rows.filter((r) => r.categetab === cat).map((r) => `hs-${r.nofinesset}`));
    assert.deepEqual(await ids('HealthcareService', `organization.type=${SYS.categoryEG}|${cat}`), expected);
    const cog = fx.communes.get(row.nofinesset)!.cog;
    assert.deepEqual(await ids('HealthcareService', `location.commune-cog=${SYS.commune}|${cog}`),
      sorted(fx.rows.filter((r) => fx.communes.get(r.nofinesset)!.cog === cog).map((r) => `hs-${r.nofinesset}`)));
    await rejects400('HealthcareService', 'organization.unknown=1', /organization\.unknown/);
  });

  test(':above on the Organization partOf tree (offers of a site and of its internal units)', async () => {
    const row = fx.rows[0];
    assert.deepEqual(await ids('HealthcareService', `organization.identifier:above=${row.nofinesset}`), sorted([`hs-${row.nofinesset}`, 'hs-oi']));
    assert.deepEqual(await ids('HealthcareService', `organization.identifier=${row.nofinesset}`), [`hs-${row.nofinesset}`]);
    // From the legal entity: every site of the EJ, and the OI.
    const ejSites = fx.rows.filter((r) => r.nofinessej === row.nofinessej).map((r) => `hs-${r.nofinesset}`);
    assert.deepEqual(await ids('HealthcareService', `organization.identifier:above=${row.nofinessej}`), sorted([...ejSites, 'hs-oi']));
  });

  test('reverse chaining _has (professional by RPPS)', async () => {
    assert.deepEqual(await ids('HealthcareService', `_has:PractitionerRole:service:practitioner.identifier=${SYS.rpps}|${RPPS}`), [`hs-${fx.rows[1].nofinesset}`]);
    assert.deepEqual(await ids('HealthcareService', '_has:PractitionerRole:service:practitioner.identifier=000'), []);
  });

  test('date and number: capacity-update-date, nb-capacity, age ranges (quantity)', async () => {
    const locs = fx.resources.filter((r) => r.resourceType === 'Location');
    const cap = (l: Resource, url: string) => (l.extension as { url: string; extension?: { url: string; valueInteger?: number; valueDateTime?: string; valueCodeableConcept?: { coding: { code: string }[] } }[] }[])
      .find((e) => e.url === `${SD}ror-location-supported-capacity`)!.extension!.find((e) => e.url === url)!;
    assert.deepEqual(await ids('Location', 'capacity-update-date=ge2024-05-01'),
      sorted(locs.filter((l) => new Date(cap(l, 'capacityUpdateDate').valueDateTime!) >= new Date('2024-05-01T00:00:00Z')).map((l) => l.id!)));
    assert.deepEqual(await ids('Location', 'capacity-update-date=2024-03'),
      sorted(locs.filter((l) => cap(l, 'capacityUpdateDate').valueDateTime!.startsWith('2024-03')).map((l) => l.id!)));
    assert.deepEqual(await ids('HealthcareService', `location.capacity-status=${SYS.capacityStatus}|02&location.nb-capacity=gt0`),
      sorted(fx.rows.map((r, i) => ({ r, l: locs[i] })).filter(({ l }) => cap(l, 'capacityStatus').valueCodeableConcept!.coding[0].code === '02' && cap(l, 'nbCapacity').valueInteger! > 0).map(({ r }) => `hs-${r.nofinesset}`)));
    const range = (h: HS) => h.extension.find((e) => e.url === `${SD}ror-healthcareservice-patient-type`)!.extension.find((e) => e.url === 'ageRange')!.valueRange!;
    assert.deepEqual(await ids('HealthcareService', 'age-range-low=le10&age-range-high=ge35'), hsWhere((h) => range(h).low.value <= 10 && range(h).high.value >= 35));
    assert.deepEqual(await ids('HealthcareService', 'age-range-low=6'), hsWhere((h) => range(h).low.value === 6));
  });

  test('_lastUpdated and _tag (source region)', async () => {
    const all = await ids('Location', '_tag=' + encodeURIComponent(`${SYS.region}|11`));
    assert.equal(all.length, fx.rows.length);
    assert.deepEqual(await ids('Location', '_tag=' + encodeURIComponent(`${SYS.region}|93`)), []);
    const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual(await ids('Location', `_lastUpdated=ge${future}`), []);
    assert.equal((await ids('Location', '_lastUpdated=ge2020-01-01')).length, fx.rows.length);
  });

  test('near: radius, distance in entry.search.extension, sort by distance', async () => {
    const row = fx.rows[7];
    const lat = Number(row.latitude);
    const lon = Number(row.longitude);
    const within = fx.rows.map((r) => ({ id: `loc-${r.nofinesset}`, d: earthDistanceMeters(lat, lon, Number(r.latitude), Number(r.longitude)) }))
      .filter((x) => x.d <= 8000).sort((a, b) => a.d - b.d || a.id.localeCompare(b.id));
    assert.ok(within.length >= 2, 'several places within 8 km');
    const b = await search('Location', `near=${lat}|${lon}|8|km&_sort=near`);
    assert.deepEqual(matchIds(b), within.map((x) => x.id));
    const first = b.entry![0].search!.extension![0] as { url: string; valueDistance: { value: number; unit: string } };
    assert.equal(first.url, DISTANCE_URL);
    assert.equal(first.valueDistance.value, 0);
    const last = b.entry![within.length - 1].search!.extension![0] as { valueDistance: { value: number } };
    assert.ok(Math.abs(last.valueDistance.value - within[within.length - 1].d / 1000) < 0.01);
    assert.deepEqual(matchIds(await search('Location', `near=${lat}|${lon}|8|km`)), within.map((x) => x.id), 'nearest first by default');
    await rejects400('Location', 'near=91|2|1|km', /near/);
  });

  test('near-insee-code chained from HealthcareService, with included Locations carrying the distance', async () => {
    const row = fx.rows[3];
    const commune = fx.communes.get(row.nofinesset)!;
    const expected = fx.rows.filter((r) => earthDistanceMeters(commune.lat, commune.lon, Number(r.latitude), Number(r.longitude)) <= 5000)
      .map((r) => `hs-${r.nofinesset}`);
    const b = await search('HealthcareService', `location.near-insee-code=${commune.cog}|5|km&_include=HealthcareService:location&_sort=location.near-insee-code`);
    assert.deepEqual(sorted(matchIds(b)), sorted(expected));
    const included = (b.entry ?? []).filter((e) => e.search?.mode === 'include');
    assert.equal(included.length, expected.length);
    for (const e of included) assert.equal((e.search!.extension![0] as { url: string }).url, DISTANCE_URL);
    await rejects400('HealthcareService', 'location.near-insee-code=00000|5|km', /00000/);
  });

  test('location.near… with activity, public and zone: the same offers as each criterion alone within the radius', async () => {
    // The driving set also tests the criteria ANDed with `near` on search_offer_place's copies of the offer's codes:
    // a test not implied by the criterion (of a `:not`, of a commune without its département and région) loses offers.
    const row = fx.rows[3];
    const commune = fx.communes.get(row.nofinesset)!;
    const source = hs.find((h) => h.id === `hs-${row.nofinesset}`)!;
    const publicOf = (h: HS) => h.extension.find((e) => e.url.endsWith('patient-type'))!.extension.find((e) => e.url === 'supportedPatientInfo')!
      .valueCodeableConcept!.coding[0];
    // The same offer with its public coded without a system (only the code-only key matches it).
    const noSystem = structuredClone(source) as HS;
    noSystem.id = 'hs-public-no-system';
    noSystem.identifier = [{ system: SYS.offer, value: 'public-no-system' }];
    publicOf(noSystem).system = undefined as unknown as string;
    await store.update(noSystem, SYSTEM_CONTEXT);
    try {
      const within = await ids('HealthcareService', `location.near-insee-code=${commune.cog}|15|km`);
      assert.ok(within.includes(noSystem.id) && within.length > 3);
      const a = activityOf(source);
      const pub = publicOf(source);
      const queries = [
        `specialty=${a.system}|${a.code}`, `specialty=${a.code}`, `patient-type=${pub.system}|${pub.code}`, `patient-type=${pub.code}`,
        `patient-type=|${pub.code}`, `patient-type=${pub.system}|${pub.code},${SYS.audience}|00`, `patient-type:not=${pub.system}|${pub.code}`,
        `specialty=${a.code}&patient-type=${pub.code}`, `intervention-zone=${commune.cog}`, `characteristic=${source.characteristic[0].coding[0].code}`,
      ];
      for (const q of queries) {
        const alone = (await ids('HealthcareService', q)).filter((id) => within.includes(id));
        assert.deepEqual(await ids('HealthcareService', `${q}&location.near-insee-code=${commune.cog}|15|km`), alone, q);
      }
      assert.ok((await ids('HealthcareService', `patient-type=${pub.code}&location.near-insee-code=${commune.cog}|15|km`)).includes(noSystem.id));
      assert.ok(!(await ids('HealthcareService', `patient-type=${pub.system}|${pub.code}&location.near-insee-code=${commune.cog}|15|km`))
        .includes(noSystem.id));
    } finally {
      await store.delete('HealthcareService', noSystem.id!, SYSTEM_CONTEXT);
    }
  });

  test('intervention-zone: a commune matches zones given as the commune, its département or its région', async () => {
    const row = fx.rows[0];
    const cog = fx.communes.get(row.nofinesset)!.cog;
    const zoneOf = (h: HS) => h.extension.find((e) => e.url === `${SD}ror-territorial-division`)!.extension[0].valueCodeableConcept!.coding[0];
    const expected = hsWhere((h) => {
      const z = zoneOf(h);
      return (z.system === SYS.commune && z.code === cog) || (z.system === SYS.departement && z.code === '78') || (z.system === SYS.region && z.code === '11');
    });
    assert.deepEqual(await ids('HealthcareService', `intervention-zone=${cog}`), expected);
    assert.ok(expected.length < hs.length, 'communes of other zones are excluded');
    assert.deepEqual(await ids('HealthcareService', `intervention-zone=${SYS.departement}|78`), hsWhere((h) => zoneOf(h).code === '78'));
  });

  test('_include, _include:iterate (partOf up to the EJ), _revinclude and the IG include set', async () => {
    const row = fx.rows[1];
    const b = await search('HealthcareService', `identifier=78-${row.nofinesset}-1&_include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner`);
    assert.deepEqual(matchIds(b), [`hs-${row.nofinesset}`]);
    const inc = sorted((b.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`));
    assert.deepEqual(inc, sorted([`Organization/eg-${row.nofinesset}`, `Organization/ej-${row.nofinessej}`, `Location/loc-${row.nofinesset}`, 'PractitionerRole/role-1', 'Practitioner/pr-1']));
    const noIterate = await search('HealthcareService', `identifier=78-${row.nofinesset}-1&_include=HealthcareService:organization`);
    assert.deepEqual((noIterate.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id), [`eg-${row.nofinesset}`]);
    const rev = await search('Location', `_id=loc-${row.nofinesset}&_revinclude=HealthcareService:location`);
    assert.deepEqual((rev.entry ?? []).map((e) => [e.search!.mode, e.resource!.id]), [['match', `loc-${row.nofinesset}`], ['include', `hs-${row.nofinesset}`]]);
  });

  test('_total, _summary=count, _elements, _count', async () => {
    const n = hs.length;
    const acc = await search('HealthcareService', '_count=5');
    assert.equal(acc.total, n);
    assert.equal(matchIds(acc).length, 5);
    assert.equal((await search('HealthcareService', '_total=none')).total, undefined);
    const est = await search('HealthcareService', '_total=estimate');
    assert.equal(typeof est.total, 'number');
    const count = await search('HealthcareService', '_summary=count');
    assert.equal(count.total, n);
    assert.equal(count.entry, undefined);
    const el = await search('HealthcareService', '_elements=name&_count=1');
    const r = el.entry![0].resource!;
    assert.deepEqual(Object.keys(r).sort(), ['id', 'meta', 'name', 'resourceType']);
    assert.ok(r.meta!.tag!.some((t) => t.code === 'SUBSETTED'));
    assert.equal(matchIds(await search('HealthcareService', '_count=500')).length, Math.min(n, 200));
  });

  test('_summary=true / text / data: the R4 summary elements, SUBSETTED', async () => {
    const full = (await search('HealthcareService', '_count=1')).entry![0].resource!;
    const summary = (await search('HealthcareService', '_count=1&_summary=true')).entry![0].resource!;
    // HealthcareService elements marked isSummary in R4 (hl7.org/fhir/R4/healthcareservice.html).
    const r4Summary = ['id', 'meta', 'implicitRules', 'identifier', 'active', 'providedBy', 'category', 'type', 'specialty', 'location', 'name', 'comment', 'photo'];
    assert.deepEqual(Object.keys(summary).sort(), ['resourceType', ...Object.keys(full).filter((k) => r4Summary.includes(k))].sort());
    assert.ok(!('extension' in summary) && 'extension' in full, 'extensions are not summary elements');
    assert.ok(summary.meta!.tag!.some((t) => t.code === 'SUBSETTED'));
    // Included resources are summarised too (Location: no position, no extension).
    const withLoc = await search('HealthcareService', '_count=1&_summary=true&_include=HealthcareService:location');
    const loc = withLoc.entry!.find((e) => e.search?.mode === 'include')!.resource!;
    assert.equal(loc.resourceType, 'Location');
    assert.ok(!('position' in loc) && !('extension' in loc) && 'name' in loc);
    const text = (await search('HealthcareService', '_count=1&_summary=text')).entry![0].resource!;
    assert.deepEqual(Object.keys(text).sort(), ['id', 'meta', 'resourceType']);
    const data = (await search('HealthcareService', '_count=1&_summary=data')).entry![0].resource!;
    assert.deepEqual(Object.keys(data).sort(), Object.keys(full).filter((k) => k !== 'text').sort());
    await rejects400('HealthcareService', '_summary=maybe', /_summary/);
  });

  test(':in / :not-in a value set (NOS JDV from the terminology tables)', async () => {
    const J55 = 'https://mos.esante.gouv.fr/NOS/JDV_J55-CategorieEG-ROR/FHIR/JDV-J55-CategorieEG-ROR';
    const members = new Set((await db().query<{ code: string }>('SELECT code FROM terminology_value_set_member WHERE value_set = $1 AND NOT removed', [J55])).rows.map((r) => r.code));
    const orgs = fx.resources.filter((r) => r.resourceType === 'Organization') as (Resource & { type?: { coding: { code: string }[] }[] })[];
    const expected = sorted(orgs.filter((o) => o.type?.some((t) => t.coding.some((c) => members.has(c.code)))).map((o) => o.id!));
    assert.ok(expected.length > 0 && expected.length < orgs.length, 'the value set selects some organizations only');
    assert.deepEqual(await ids('Organization', `type:in=${J55}&_count=200`), expected);
    // System-checked members: TRE_R211 activities are in J17, not in J19 (modes de prise en charge).
    const J17 = 'https://mos.esante.gouv.fr/NOS/JDV_J17-ActiviteOperationnelle-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR';
    const J19 = 'https://mos.esante.gouv.fr/NOS/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR';
    assert.deepEqual(await ids('HealthcareService', `specialty:in=${J17}`), sorted(hs.map((h) => h.id!)));
    assert.deepEqual(await ids('HealthcareService', `specialty:in=${J19}`), []);
    assert.deepEqual(await ids('HealthcareService', `characteristic:in=${J19}`), sorted(hs.map((h) => h.id!)));
    await rejects400('HealthcareService', 'specialty:in=https://example.org/ValueSet/none', /specialty/);
    // :not-in: none of the value set's codes (organizations without a type included, as :not): with :in, a
    // partition of the organizations stored now (other tests of this suite add some).
    const count = async (q: string) => (await search('Organization', `${q}&_summary=count`)).total!;
    const [all, inside, outside] = [await count('_id:missing=false'), await count(`type:in=${J55}`), await count(`type:not-in=${J55}`)];
    assert.ok(inside > 0 && outside > 0);
    assert.equal(inside + outside, all);
    const inPage = new Set(await ids('Organization', `type:in=${J55}&_count=200`));
    const page = await ids('Organization', `type:not-in=${J55}&_count=200`);
    assert.ok(page.length > 0 && page.every((id) => !inPage.has(id)), 'no organization both in and not in the value set');
    assert.deepEqual(await ids('HealthcareService', `specialty:not-in=${J19}`), sorted(hs.map((h) => h.id!)));
    assert.deepEqual(await ids('HealthcareService', `specialty:not-in=${J17}`), []);
    await rejects400('HealthcareService', 'specialty:not-in=https://example.org/ValueSet/none', /specialty:not-in/);
  });

  test('keyset paging: next/previous links cover every match once, even when data changes between pages', async () => {
    const all = hsWhere(() => true);
    const seen: string[] = [];
    let b = await search('HealthcareService', '_count=7&_sort=_lastUpdated');
    const firstPage = matchIds(b);
    // Changes after the first page: an offer already returned and one not yet returned are updated, one is created.
    const touched = [firstPage[0], all.find((id) => !firstPage.includes(id))!];
    for (const id of touched) {
      const cur = (await store.read('HealthcareService', id)).resource;
      await store.update({ ...cur, name: `${cur.name as string} (mis à jour)` }, SYSTEM_CONTEXT);
    }
    await store.update({ ...(hs[3] as Resource), id: 'hs-new', identifier: [{ system: SYS.offer, value: 'new' }] }, SYSTEM_CONTEXT);
    try {
    seen.push(...firstPage);
    let pages = 1;
    let second: Bundle | undefined;
    for (;;) {
      const next = b.link!.find((l) => l.relation === 'next');
      if (!next) break;
      b = await search('HealthcareService', new URL(next.url).search.slice(1));
      second ??= b;
      seen.push(...matchIds(b));
      assert.equal(b.total, all.length, 'total of the first page carried');
      if (++pages > 20) throw new Error('paging does not end');
    }
    const existing = seen.filter((id) => id !== 'hs-new');
    assert.equal(new Set(seen).size, seen.length, 'no resource repeated');
    assert.deepEqual(sorted(existing), all, 'no resource skipped');
    const prev = second!.link!.find((l) => l.relation === 'previous')!;
    assert.deepEqual(matchIds(await search('HealthcareService', new URL(prev.url).search.slice(1))), firstPage);
    } finally {
      await store.delete('HealthcareService', 'hs-new', SYSTEM_CONTEXT);
    }
    await rejects400('HealthcareService', '_cursor=garbage', /_cursor/);
  });

  test('keyset paging newest first: every page follows the previous one, back and forth', async () => {
    const pages: string[][] = [];
    let b = await search('Location', '_sort=-_lastUpdated&_count=4');
    pages.push(matchIds(b));
    for (let next = b.link!.find((l) => l.relation === 'next'); next; next = b.link!.find((l) => l.relation === 'next')) {
      b = await search('Location', new URL(next.url).search.slice(1));
      pages.push(matchIds(b));
    }
    const all = pages.flat();
    assert.equal(all.length, fx.rows.length);
    assert.equal(new Set(all).size, all.length);
    const updated = await Promise.all(all.map(async (id) => (await store.read('Location', id)).lastUpdated));
    assert.deepEqual(updated, [...updated].sort().reverse(), 'newest first');
    const back = await search('Location', new URL(b.link!.find((l) => l.relation === 'previous')!.url).search.slice(1));
    assert.deepEqual(matchIds(back), pages[pages.length - 2]);
  });

  test('_sort by name (ascending and descending) and by _id', async () => {
    const orgs = fx.resources.filter((r) => r.resourceType === 'Organization').concat([{ resourceType: 'Organization', id: 'oi-1', name: 'Pôle gériatrie' }]);
    const norm = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    const byName = [...orgs].sort((a, b) => norm(a.name as string).localeCompare(norm(b.name as string), 'en') || a.id!.localeCompare(b.id!));
    const asc = matchIds(await search('Organization', '_sort=name&_count=200'));
    assert.deepEqual(asc.map((id) => norm(orgs.find((o) => o.id === id)!.name as string)), byName.map((o) => norm(o.name as string)));
    const desc = matchIds(await search('Organization', '_sort=-name,_id'));
    assert.equal(desc[0], byName[byName.length - 1].id);
    assert.deepEqual(matchIds(await search('Organization', '_sort=-_id&_count=3')), orgs.map((o) => o.id!).sort().reverse().slice(0, 3));
  });

  test('_filter: and / or / parentheses with chained names; errors name _filter', async () => {
    const a = activityOf(hs[0]);
    const cat = fx.rows[2].categetab;
    const q = `_filter=${encodeURIComponent(`((specialty eq ${a.system}|${a.code}) or (organization.type eq ${SYS.categoryEG}|${cat})) and (age-range-low le 10 and age-range-high ge 20)`)}`;
    const range = (h: HS) => h.extension.find((e) => e.url === `${SD}ror-healthcareservice-patient-type`)!.extension.find((e) => e.url === 'ageRange')!.valueRange!;
    const catOf = new Map(fx.rows.map((r) => [`hs-${r.nofinesset}`, r.categetab]));
    catOf.set('hs-oi', 'none');
    assert.deepEqual(await ids('HealthcareService', q),
      hsWhere((h) => (activityOf(h).code === a.code || catOf.get(h.id!) === cat) && range(h).low.value <= 10 && range(h).high.value >= 20));
    await rejects400('HealthcareService', `_filter=${encodeURIComponent('((specialty eq 001)')}`, /_filter/);
    await rejects400('HealthcareService', `_filter=${encodeURIComponent('nope eq 1')}`, /nope/);
  });

  test('_content: French full text, accent-insensitive and typo-tolerant, ranked', async () => {
    const expected = hsWhere((h) => /allergologie/i.test(activityOf(h).display));
    assert.ok(expected.length > 0);
    assert.deepEqual(await ids('HealthcareService', '_content=allergologie'), expected);
    const typo = matchIds(await search('HealthcareService', '_content=alergologie'));
    assert.deepEqual(sorted(typo.slice(0, expected.length)), expected, 'one letter missing: the right offers come first');
    const med = hsWhere((h) => /médecine/i.test(activityOf(h).display));
    assert.ok(med.length > 0);
    const ranked = matchIds(await search('HealthcareService', '_content=MEDECINE douleur'));
    assert.deepEqual(sorted(ranked.slice(0, med.length)), med, 'accent-insensitive, best matches first');
  });

  test('bad input: 400 naming the parameter, or ignored and reported when lenient', async () => {
    await rejects400('HealthcareService', 'foo=1', /foo/);
    await rejects400('Location', 'capacity-update-date=xx2024-01-01', /capacity-update-date/);
    await rejects400('Location', 'capacity-update-date=2024-13-45', /capacity-update-date/);
    await rejects400('HealthcareService', 'age-range-low=abc', /age-range-low/);
    await rejects400('HealthcareService', 'specialty:exact=1', /specialty/);
    const b = await search('HealthcareService', 'foo=1&_count=1', true);
    assert.equal(matchIds(b).length, 1);
    const outcome = b.entry!.find((e) => e.search?.mode === 'outcome')!;
    assert.match(JSON.stringify(outcome.resource), /foo/);
  });

  test('access filter: applied to matches, chains and includes alike', async () => {
    const row = fx.rows[1];
    const restricted = createSearchEngine(db(), {
      accessFilter: (type, alias, _ctx, params) => (type === 'Organization' ? `${alias}.id <> ${params.add(`ej-${row.nofinessej}`)}` : undefined),
    });
    const b = await restricted.search({
      resourceType: 'HealthcareService', baseUrl: BASE, ctx: SYSTEM_CONTEXT,
      params: [['identifier', `78-${row.nofinesset}-1`], ['_include', 'HealthcareService:organization'], ['_include:iterate', 'Organization:partof']],
    });
    assert.deepEqual((b.entry ?? []).map((e) => e.resource!.id), [`hs-${row.nofinesset}`, `eg-${row.nofinesset}`]);
    const o = await restricted.search({ resourceType: 'Organization', baseUrl: BASE, ctx: SYSTEM_CONTEXT, params: [['_id', `ej-${row.nofinessej}`]] });
    assert.equal(o.total, 0);
    // Chains started from their narrow end (location.commune-cog, near, _has … identifier) check every hop too.
    const hidden = createSearchEngine(db(), {
      accessFilter: (type, alias, _ctx, params) => (type === 'Location' ? `${alias}.id <> ${params.add(`loc-${row.nofinesset}`)}`
        : type === 'Practitioner' ? `${alias}.id <> ${params.add('pr-1')}` : undefined),
    });
    const run = async (q: string) => sorted(matchIds(await hidden.search({ resourceType: 'HealthcareService', baseUrl: BASE, ctx: SYSTEM_CONTEXT, params: [...new URLSearchParams(q)] as [string, string][] })));
    const cog = fx.communes.get(row.nofinesset)!.cog;
    const inCommune = fx.rows.filter((r) => fx.communes.get(r.nofinesset)!.cog === cog).map((r) => `hs-${r.nofinesset}`);
    assert.ok(inCommune.includes(`hs-${row.nofinesset}`));
    assert.deepEqual(await run(`location.commune-cog=${cog}`), sorted(inCommune.filter((id) => id !== `hs-${row.nofinesset}`)));
    const near = await run(`location.near=${row.latitude}|${row.longitude}|1|km`);
    assert.ok(!near.includes(`hs-${row.nofinesset}`));
    assert.ok((await ids('HealthcareService', `location.near=${row.latitude}|${row.longitude}|1|km`)).includes(`hs-${row.nofinesset}`));
    assert.deepEqual(await run(`_has:PractitionerRole:service:practitioner.identifier=${SYS.rpps}|${RPPS}`), []);
  });
});
