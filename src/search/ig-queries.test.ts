/**
 * Replays the example queries of the ROR IG (ror-ig.md §3.1–3.5), written as the IG writes them
 * with real codes, through the search engine: each must run, give a searchset Bundle whose total
 * agrees with its matches, and (where the fixture has data for it) find the expected resources.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ResourceType } from '../fhir/resource-types.ts';
import type { Bundle, Resource } from '../fhir/types.ts';
import { SYSTEM_CONTEXT } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { createSearchEngine, type SqlSearchEngine } from './engine.ts';
import { createSearchIndexer } from './indexer.ts';
import { buildYvelinesFixture, SYS, type Fixture } from './testing/yvelines-fixture.ts';

const NOS = (id: string) => `https://mos.esante.gouv.fr/NOS/${id}/FHIR/${id.replace('_', '-')}`;
const INCLUDES = '&_include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner';

await describeWithDatabases('ROR IG example queries (§3)', (db) => {
  let fx: Fixture;
  let engine: SqlSearchEngine;

  before(async () => {
    fx = await buildYvelinesFixture(15);
    const store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
    engine = createSearchEngine(db());
    const first = fx.rows[0];
    const task: Resource = {
      resourceType: 'Task', id: 'task-1', status: 'in-progress', intent: 'order',
      businessStatus: { coding: [{ system: NOS('TRE_R352-StatutMetierAnomalie'), code: '02' }] },
      focus: { reference: `HealthcareService/hs-${first.nofinesset}` },
    };
    for (const r of [...fx.resources, task]) await store.update(r, SYSTEM_CONTEXT);
  });

  /** Runs `Type?query` (IG syntax, unencoded) and checks the Bundle invariants. */
  async function run(type: ResourceType, query: string): Promise<Bundle> {
    const params = query.split('&').filter(Boolean).map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i), kv.slice(i + 1)] as [string, string];
    });
    const b = await engine.search({ resourceType: type, params, baseUrl: 'http://ror.test/fhir', ctx: SYSTEM_CONTEXT });
    assert.equal(b.resourceType, 'Bundle');
    assert.equal(b.type, 'searchset');
    const matches = (b.entry ?? []).filter((e) => e.search?.mode === 'match');
    assert.ok(matches.every((e) => e.resource!.resourceType === type && e.fullUrl === `http://ror.test/fhir/${type}/${e.resource!.id}`));
    if (matches.length < 200) assert.equal(b.total, matches.length, `${type}?${query}: total`);
    assert.ok(b.link!.some((l) => l.relation === 'self'));
    return b;
  }
  const ids = (b: Bundle, mode = 'match') => (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => e.resource!.id!).sort();

  test('§3.1 capacity data: Location searches with the offers reverse-included', async () => {
    const all = await run('Location', '_revinclude=HealthcareService:location');
    assert.equal(all.total, fx.rows.length);
    assert.equal(ids(all, 'include').length, fx.rows.length);
    const pc = fx.rows[0].code_postal.slice(0, 2);
    assert.equal((await run('Location', `address-postalcode=${pc},92&_revinclude=HealthcareService:location`)).total, fx.rows.length);
    await run('Location', 'identifier=Location1,Location2&_revinclude=HealthcareService:location');
    assert.equal((await run('Location', '_lastUpdated=ge2023-08-02&_revinclude=HealthcareService:location')).total, fx.rows.length);
    const [a, b] = fx.rows;
    const has = await run('Location', `_has:HealthcareService:location:identifier=78-${a.nofinesset}-1,78-${b.nofinesset}-1&_revinclude=HealthcareService:location`);
    assert.deepEqual(ids(has), [`loc-${a.nofinesset}`, `loc-${b.nofinesset}`].sort());
  });

  test('§3.2 offer extraction scenarios S2–S8 with the standard include set', async () => {
    const row = fx.rows[2];
    const s2 = await run('HealthcareService', `organization.identifier:above=${row.nofinessej}${INCLUDES}`);
    assert.ok(ids(s2).includes(`hs-${row.nofinesset}`));
    const s3 = await run('HealthcareService', `identifier=78-${row.nofinesset}-1${INCLUDES}`);
    assert.deepEqual(ids(s3, 'include'), [`ej-${row.nofinessej}`, `eg-${row.nofinesset}`, `loc-${row.nofinesset}`].sort());
    assert.equal((await run('HealthcareService', `_lastUpdated=ge2022-11-06T15:00${INCLUDES}`)).total, fx.rows.length);
    const s5 = await run('HealthcareService', `organization._lastUpdated:above=ge2022-11-06T15:00&organization.type=${SYS.categoryEG}|${row.categetab}${INCLUDES}`);
    assert.ok(ids(s5).includes(`hs-${row.nofinesset}`));
    assert.equal((await run('HealthcareService', `_filter=(_lastUpdated ge 2022-11-06T15:00 or organization._lastUpdated:above ge 2022-11-06T15:00)${INCLUDES}`)).total, fx.rows.length);
    const s7 = await run('HealthcareService', `_tag=${SYS.region}|11&_elements=identifier${INCLUDES}`);
    assert.deepEqual(Object.keys(s7.entry![0].resource!).sort(), ['id', 'identifier', 'meta', 'resourceType']);
    const s8 = await run('HealthcareService', `identifier=78-${fx.rows[0].nofinesset}-1${INCLUDES}&_revinclude=Task:focus`);
    assert.ok(ids(s8, 'include').includes('task-1'));
  });

  test('§3.3 offer search on main criteria: lists, AND, _filter OR, proximity, zone, commune', async () => {
    const hs = fx.resources.filter((r) => r.resourceType === 'HealthcareService') as (Resource & { specialty: { coding: { code: string }[] }[] })[];
    const code = hs[0].specialty[0].coding[0].code;
    const r211 = NOS('TRE_R211-ActiviteOperationnelle');
    const single = await run('HealthcareService', `specialty=${r211}|${code}${INCLUDES}`);
    assert.deepEqual(ids(single), hs.filter((h) => h.specialty[0].coding[0].code === code).map((h) => h.id!).sort());
    await run('HealthcareService', `specialty=${r211}|005,481${INCLUDES}`);
    await run('HealthcareService', `service-category=${NOS('TRE_R244-CategorieOrganisation')}|50&characteristic=${NOS('TRE_R338-ModaliteAccueil')}|01`);
    await run('HealthcareService', `_filter=(((service-category eq ${NOS('TRE_R244-CategorieOrganisation')}|102) or (specialty eq ${r211}|233)) and (age-range-low le 35 and age-range-high ge 35))`);
    await run('HealthcareService', `_filter=((organization.type eq ${SYS.categoryEG}|${fx.rows[0].categetab}) or (service-category eq ${NOS('TRE_R244-CategorieOrganisation')}|102))&characteristic=${NOS('TRE_R210-ActeSpecifique')}|01`);
    const cog = fx.communes.get(fx.rows[0].nofinesset)!.cog;
    const near = await run('HealthcareService', `specialty=${r211}|${code}&location.near-insee-code=${cog}|15|km&_include=HealthcareService:location`);
    assert.ok(ids(near).length > 0);
    assert.ok((near.entry ?? []).filter((e) => e.search?.mode === 'include').every((e) => e.search!.extension?.length === 1));
    assert.ok((await run('HealthcareService', `intervention-zone=${cog}`)).total! > 0);
    assert.equal((await run('HealthcareService', 'location.address-postalcode=78')).total, fx.rows.length);
    assert.ok((await run('HealthcareService', `location.commune-cog=${SYS.commune}|${cog}`)).total! >= 1);
    await run('HealthcareService', `characteristic=${NOS('TRE_R338-ModaliteAccueil')}|01&characteristic=${NOS('TRE_R253-TypeMaternite')}|3`);
    const anomalies = await run('HealthcareService', `_tag=${SYS.region}|11&_has:Task:focus:business-status=${NOS('TRE_R352-StatutMetierAnomalie')}|02,10&_revinclude=Task:focus`);
    assert.deepEqual(ids(anomalies), [`hs-${fx.rows[0].nofinesset}`]);
    await run('HealthcareService', `_has:PractitionerRole:service:practitioner.identifier=${SYS.rpps}|810000000001`);
  });

  test('§3.4 offers with capacity data, incl. the IG\'s `location:equipment-type` spelling', async () => {
    const r211 = NOS('TRE_R211-ActiviteOperationnelle');
    await run('HealthcareService', `specialty=${r211}|001&location.capacity-status=${SYS.capacityStatus}|02&location.nb-capacity=gt0&_include=HealthcareService:location`);
    await run('HealthcareService', `specialty=${r211}|391&location.capacity-type=${NOS('TRE_R329-NatureCapacite')}|01&location.capacity-closing-type=${NOS('TRE_R333-TypeFermetureCapacite')}|01&location.capacity-status=${SYS.capacityStatus}|05&location.nb-capacity=gt0&_include=HealthcareService:location`);
    await run('HealthcareService', `specialty=${r211}|025&location:equipment-type=${NOS('TRE_R212-Equipement')}|83&_include=HealthcareService:location`);
    const anyBeds = await run('HealthcareService', `location.capacity-status=${SYS.capacityStatus}|02&location.nb-capacity=gt0`);
    assert.ok(ids(anyBeds).length > 0);
  });

  test('§3.5 tariffs (chained from the offer) and full text', async () => {
    await run('Organization', `price-type=${NOS('TRE_R36-TypeTarif')}|02&price-amount-value=lt80&price-validity-start-date=ge2024-01-01`);
    await run('Organization', `amount-value=lt80&price-residential-type=${NOS('TRE_R32-TypeHabitation')}|03&special-price=${NOS('TRE_R39-ConditionTarifaire')}|03`);
    await run('HealthcareService', `organization.price-dependency-level=${NOS('TRE_R27-GroupeTarifaireDependance')}|02&organization.price-welcome-type=${NOS('TRE_R30-TemporaliteAccueil')}|02`);
    await run('HealthcareService', '_content=cardio');
    await run('Location', '_content=versailles');
  });
});
