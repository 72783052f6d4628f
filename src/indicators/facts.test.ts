import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Queryable } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import { EXTENSIONS, SYSTEMS } from '../ingest/finess/mapping.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { rorExt, tre } from '../validation/profiles/urls.ts';
import { FACTS, rebuildIndicatorFacts } from './facts.ts';
import { TEST_CONTEXT, writeAll } from './test-fixtures.ts';

/**
 * The indicator facts (migration 099) are generated columns: written with the row, in the write's transaction,
 * rolled back with it, and rebuilt by rebuildIndicatorFacts (`ror reindex`).
 */
const REGION = { tag: [{ system: tre('R30-RegionOM'), code: '11' }] };
const cc = (system: string, code: string) => ({ coding: [{ system, code }] });

const site = (category: string, periodEnd?: string): Resource => ({
  resourceType: 'Organization', id: 'facts-site', meta: REGION, name: 'Site des faits',
  identifier: [{ system: SYSTEMS.finess, value: '780000204' }, { system: SYSTEMS.idNatSt, value: '1780000204' }],
  type: [cc(SYSTEMS.categorie, category)],
  ...(periodEnd ? { extension: [{ url: EXTENSIONS.period, valuePeriod: { start: '2000-01-01', end: periodEnd } }] } : {}),
  address: [{ city: 'Versailles', extension: [{ url: EXTENSIONS.addressInseeCode, valueCoding: { code: '78646' } }] }],
});

const place = (installed: number | null, line = true): Resource => ({
  resourceType: 'Location', id: 'facts-place', status: 'active',
  address: { ...(line ? { line: ['1 rue de la Paix'] } : {}), city: 'Versailles', postalCode: '78000' },
  ...(installed === null ? {} : {
    extension: [{
      url: rorExt('ror-location-supported-capacity'),
      extension: [
        { url: 'capacityStatus', valueCodeableConcept: cc(tre('R330-TypeStatutCapacite'), '01') },
        { url: 'nbCapacity', valueInteger: installed },
      ],
    }],
  }),
});

const service = (activity: string, provider = 'facts-site'): Resource => ({
  resourceType: 'HealthcareService', id: 'facts-offer', meta: REGION, name: 'Unité des faits',
  providedBy: { reference: `Organization/${provider}` },
  specialty: [cc(tre('R211-ActiviteOperationnelle'), activity)],
  characteristic: [cc(tre('R213-ModePriseEnCharge'), '46'), cc(tre('R240-TemporaliteAccueil'), '02')],
  location: [{ reference: 'Location/facts-place' }, { reference: 'Location/facts-place' }],
});

await describeWithDatabases('indicator facts (generated columns)', (db) => {
  let store: ResourceStore;
  const facts = async (sql: string, q: Queryable = db()) =>
    (await q.query<Record<string, unknown>>(sql)).rows[0];

  before(async () => {
    store = new ResourceStore(db());
    await writeAll(store, [site('500'), place(12), service('288')]);
  });

  test('each fact column is its ror_fact_ function of the content (what the history path calls)', async () => {
    const cols = await db().query<{ table_name: string; column_name: string; generation_expression: string | null }>(
      `SELECT table_name, column_name, generation_expression FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = ANY($1::text[]) AND column_name LIKE 'f\\_%' ORDER BY table_name, ordinal_position`,
      [Object.keys(FACTS)]);
    const expected = Object.entries(FACTS).flatMap(([t, fs]) => fs.map((f) => `${t}.f_${f} = ror_fact_${t}_${f}(content)`)).sort();
    const actual = cols.rows.map((c) => `${c.table_name}.${c.column_name} = ${c.generation_expression}`).sort();
    assert.deepEqual(actual, expected);
  });

  test('the facts of a written resource', async () => {
    assert.deepEqual(await facts(`SELECT f_finess, f_id_nat, f_category, f_active, f_insee, f_has_parent, f_period_end FROM organization WHERE id = 'facts-site'`),
      { f_finess: '780000204', f_id_nat: '1780000204', f_category: '500', f_active: true, f_insee: '78646', f_has_parent: false, f_period_end: null });
    assert.deepEqual(await facts(`SELECT f_provider, f_activities, f_care_modes, f_reception_types, f_locations FROM healthcare_service WHERE id = 'facts-offer'`),
      { f_provider: 'facts-site', f_activities: ['288'], f_care_modes: ['46'], f_reception_types: ['02'], f_locations: ['facts-place', 'facts-place'] });
    assert.deepEqual(await facts(`SELECT f_address_ok, f_installed FROM location WHERE id = 'facts-place'`), { f_address_ok: true, f_installed: 12 });
  });

  test('an update changes the facts in its own transaction; a rolled-back update leaves them', async () => {
    await store.transaction(async (tx) => {
      await tx.update(service('300', 'other-site'), TEST_CONTEXT);
      await tx.update(place(null, false), TEST_CONTEXT);
      await tx.update(site('502', '2020-06-30'), TEST_CONTEXT);
      // Read inside the writing transaction, before its commit.
      assert.deepEqual(await facts(`SELECT f_provider, f_activities FROM healthcare_service WHERE id = 'facts-offer'`, tx.tx),
        { f_provider: 'other-site', f_activities: ['300'] });
      assert.deepEqual(await facts(`SELECT f_address_ok, f_installed FROM location WHERE id = 'facts-place'`, tx.tx), { f_address_ok: false, f_installed: null });
      assert.deepEqual(await facts(`SELECT f_category, f_period_end FROM organization WHERE id = 'facts-site'`, tx.tx), { f_category: '502', f_period_end: '2020-06-30' });
    });
    await assert.rejects(store.transaction(async (tx) => {
      await tx.update(service('999'), TEST_CONTEXT);
      assert.deepEqual(await facts(`SELECT f_activities FROM healthcare_service WHERE id = 'facts-offer'`, tx.tx), { f_activities: ['999'] });
      throw new Error('rollback');
    }), /rollback/);
    assert.deepEqual(await facts(`SELECT f_provider, f_activities FROM healthcare_service WHERE id = 'facts-offer'`), { f_provider: 'other-site', f_activities: ['300'] });
  });

  test('rebuildIndicatorFacts (ror reindex) recomputes the stored facts after a change of a fact function', async () => {
    const original = (await db().query<{ def: string }>(`SELECT pg_get_functiondef('ror_fact_organization_name(jsonb)'::regprocedure) AS def`)).rows[0]!.def;
    try {
      await db().query(`CREATE OR REPLACE FUNCTION ror_fact_organization_name(doc jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$ SELECT upper(doc->>'name') $fn$`);
      // Stored: still the value computed at the write.
      assert.deepEqual(await facts(`SELECT f_name FROM organization WHERE id = 'facts-site'`), { f_name: 'Site des faits' });
      const counts = await rebuildIndicatorFacts(db());
      assert.ok(counts.organization! >= 1 && counts.healthcare_service! >= 1 && counts.location! >= 1, JSON.stringify(counts));
      assert.deepEqual(await facts(`SELECT f_name FROM organization WHERE id = 'facts-site'`), { f_name: 'SITE DES FAITS' });
    } finally {
      await db().query(original);
      await rebuildIndicatorFacts(db());
    }
    assert.deepEqual(await facts(`SELECT f_name FROM organization WHERE id = 'facts-site'`), { f_name: 'Site des faits' });
  });
});
