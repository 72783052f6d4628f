import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SYSTEM_CONTEXT } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { createSearchIndexer } from './indexer.ts';
import { buildYvelinesFixture, SYS, type Fixture } from './testing/yvelines-fixture.ts';

const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

await describeWithDatabases('search indexer', (db) => {
  let fx: Fixture;
  let store: ResourceStore;
  const indexer = createSearchIndexer();

  before(async () => {
    fx = await buildYvelinesFixture(12);
    store = new ResourceStore(db(), { indexers: [indexer] });
    for (const r of fx.resources) await store.update(r, SYSTEM_CONTEXT);
  });

  test('the fixed ROR capacity parameters index the CodeableConcept sub-extensions', async () => {
    const row = fx.rows[1];
    const r = await db().query<{ system: string; code: string }>(
      `SELECT system, code FROM search_token WHERE rtype = 'Location' AND id = $1 AND param = 'capacity-status'`, [`loc-${row.nofinesset}`]);
    assert.deepEqual(r.rows, [{ system: SYS.capacityStatus, code: '02' }]);
    const n = await db().query<{ value: string }>(`SELECT value::text FROM search_number WHERE rtype = 'Location' AND id = $1 AND param = 'nb-capacity'`, [`loc-${row.nofinesset}`]);
    assert.deepEqual(n.rows.map((x) => Number(x.value)), [1]);
  });

  test('dedicated columns: token keys, age range, commune, geo point', async () => {
    const row = fx.rows[2];
    const hs = await db().query<{ specialty: string[]; age_low: string; age_high: string; intervention_zone: string[] }>(
      `SELECT specialty, age_low::text, age_high::text, intervention_zone FROM healthcare_service WHERE id = $1`, [`hs-${row.nofinesset}`]);
    const stored = (await store.read('HealthcareService', `hs-${row.nofinesset}`)).resource as unknown as { specialty: { coding: { code: string }[] }[] };
    const code = stored.specialty[0].coding[0].code;
    assert.deepEqual(hs.rows[0].specialty, [`${SYS.activity}|${code}`, code]);
    assert.equal(Number(hs.rows[0].age_low), 12);
    assert.equal(Number(hs.rows[0].age_high), 58);
    assert.deepEqual(hs.rows[0].intervention_zone, [`${SYS.region}|11`, '11']);
    const loc = await db().query<{ commune_cog: string[]; d: number }>(
      `SELECT commune_cog, earth_distance(position, ll_to_earth($2, $3)) AS d FROM location WHERE id = $1`,
      [`loc-${row.nofinesset}`, Number(row.latitude), Number(row.longitude)]);
    const cog = fx.communes.get(row.nofinesset)!.cog;
    assert.deepEqual(loc.rows[0].commune_cog, [`${SYS.commune}|${cog}`, cog]);
    assert.ok(loc.rows[0].d < 1, `distance to itself ${loc.rows[0].d}`);
  });

  test('references, strings, dates and _content text are indexed', async () => {
    const row = fx.rows[0];
    const refs = await db().query(`SELECT param, target_type, target_id FROM search_reference WHERE rtype = 'HealthcareService' AND id = $1 ORDER BY param`, [`hs-${row.nofinesset}`]);
    assert.deepEqual(refs.rows, [
      { param: 'location', target_type: 'Location', target_id: `loc-${row.nofinesset}` },
      { param: 'organization', target_type: 'Organization', target_id: `eg-${row.nofinesset}` },
    ]);
    const dates = await db().query<{ lo: Date; hi: Date }>(`SELECT lo, hi FROM search_date WHERE rtype = 'Location' AND id = $1 AND param = 'capacity-update-date'`, [`loc-${row.nofinesset}`]);
    assert.equal(new Date(dates.rows[0].lo).toISOString(), '2024-01-10T09:00:00.000Z');
    const text = await db().query<{ doc: string }>(`SELECT doc FROM search_text WHERE rtype = 'HealthcareService' AND id = $1`, [`hs-${row.nofinesset}`]);
    assert.match(text.rows[0].doc, /addictologie comportementale/);
    const names = await db().query<{ norm: string }>(`SELECT norm FROM search_string WHERE rtype = 'Organization' AND id = $1 AND param = 'name'`, [`eg-${row.nofinesset}`]);
    assert.deepEqual(names.rows.map((x) => x.norm), [row.rs.toLowerCase()]);
  });

  test('an update replaces the rows and a delete removes them, in the write transaction', async () => {
    const id = `loc-${fx.rows[3].nofinesset}`;
    const current = (await store.read('Location', id)).resource;
    await store.update({ ...current, extension: (current.extension as { url: string }[]).filter((e) => e.url !== `${SD}ror-location-supported-capacity`) }, SYSTEM_CONTEXT);
    const after = await db().query(`SELECT 1 FROM search_token WHERE rtype = 'Location' AND id = $1 AND param = 'capacity-status'`, [id]);
    assert.equal(after.rowCount, 0);
    await store.delete('Location', id, SYSTEM_CONTEXT);
    const gone = await db().query<{ n: number }>(`SELECT (SELECT count(*) FROM search_token WHERE id = $1)::int + (SELECT count(*) FROM search_reference WHERE id = $1)::int AS n`, [id]);
    assert.equal(gone.rows[0].n, 0);
    const col = await db().query<{ commune_cog: unknown }>(`SELECT commune_cog FROM location WHERE id = $1`, [id]);
    assert.equal(col.rows[0].commune_cog, null);
  });

  test('a failing write leaves no index rows behind', async () => {
    const r = fx.resources.find((x) => x.resourceType === 'HealthcareService')!;
    await assert.rejects(db().transaction(async (tx) => {
      await store.createWith(tx, { ...r, id: undefined }, SYSTEM_CONTEXT, 'rolled-back');
      throw new Error('abort');
    }), /abort/);
    const n = await db().query(`SELECT 1 FROM search_token WHERE id = 'rolled-back'`);
    assert.equal(n.rowCount, 0);
  });
});
