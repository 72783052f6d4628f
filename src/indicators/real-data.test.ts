import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildSiteOffers, type DemoSite } from '../demo/establishment-offers.ts';
import type { Resource } from '../fhir/types.ts';
import { SYSTEMS } from '../ingest/finess/mapping.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { rorExt, tre } from '../validation/profiles/urls.ts';
import { computeIndicators } from './compute.ts';
import { aggregatePopulation, indicatorQuery, params, populationRows, rollUp, toPopulationRow } from './population.ts';
import { qualityResults, qualitySql, toRuleResult } from './quality.ts';
import { AUTHORISATION, CLASS_CATEGORIES, DOMAIN_CATEGORIES, PERIMETER_CATEGORIES, PSYCHIATRIC_CATEGORIES } from './reference-data.ts';
import { baseCtes, populationRowsCte, URL } from './sources.ts';
import { importYvelines, writeAll } from './test-fixtures.ts';

/**
 * A small real dataset: 30 real Yvelines establishments (the first three of ten categories) imported with
 * the FINESS importer, the authorisation fixture, and the demo generator's offers for them; one offer in
 * three gets a complete contact (the demo writes none, so nothing would be finalised). The engine's
 * figures are cross-checked by an independent SQL query written here with JSONPath.
 */
const FINESS = [
  '780000287', '780000295', '780000303', '780001467', '780022760', '780140075', '780000360', '780800892', '780804027',
  '780000204', '780000220', '780000238', '780001442', '780001541', '780008918', '780000196', '780009569', '780016812',
  '780001384', '780003489', '780010278', '780021424', '780690202', '780700134', '780003588', '780013819', '780013918',
  '780022844', '780022869', '780022901',
];
const REF = '2026-12-31';

function contact(): Record<string, unknown> {
  const cc = (system: string, code: string) => ({ coding: [{ system, code }] });
  return {
    url: rorExt('ror-healthcareservice-contact'),
    extension: [
      { url: rorExt('ror-confidentiality-level'), valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), '1') },
      { url: 'purposeContact', valueCodeableConcept: cc(tre('R287-NatureContact'), '01') },
      {
        url: rorExt('ror-healthcareservice-contact-telecom'),
        extension: [
          { url: rorExt('ror-telecom-communication-channel'), valueCodeableConcept: cc(tre('R200-CanalCommunication'), '2') },
          { url: rorExt('ror-telecom-confidentiality-level'), valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), '1') },
          { url: 'telecomAddress', valueString: '0139000000' },
        ],
      },
    ],
  };
}

/** The independent computation: same definitions, written differently (JSONPath, per-row EXISTS). */
function independentSql(): string {
  const q = (s: string) => `'${s}'`;
  const list = (xs: readonly string[]) => `ARRAY[${xs.map(q).join(',')}]`;
  const inVs = (path: string, vs: string) =>
    `EXISTS (SELECT 1 FROM jsonb_path_query(h.content, '${path}') c JOIN terminology_value_set_member m
             ON m.value_set = ${q(vs)} AND m.code = c->>'code' AND (m.system = c->>'system' OR NOT m.system_known))`;
  const validAuth = `a.nofinesset = e.finess AND (a.datefin IS NULL OR a.datefin >= DATE '2021-05-01') AND coalesce(a.indcaduc, 'N') <> 'O' AND coalesce(a.indsupact, 'N') <> 'O'`;
  return `
  WITH e AS (
    SELECT substr(p.id, 11) AS finess,
           jsonb_path_query_first(p.fields -> ('type|' || ${q(SYSTEMS.categorie)}), '$[*].coding[*].code') #>> '{}' AS cat
    FROM import_provenance p WHERE p.source = 'finess' AND p.resource_type = 'Organization' AND p.id LIKE 'finess-eg-%' AND p.closed_at IS NULL),
  r AS (
    SELECT e.finess, f.field, f.code FROM e, LATERAL (VALUES ('MCO', '01'), ('SMR', '02'), ('PSY', '03')) f(field, code)
    WHERE e.cat = ANY(${list(DOMAIN_CATEGORIES.Sanitaire)}) AND (
      (f.field = 'MCO' AND EXISTS (SELECT 1 FROM finess_authorisation a WHERE ${validAuth} AND ((a.forme = '05' AND a.activite <> '04') OR a.activite = ANY(${list(AUTHORISATION.mcoActivities)}))))
      OR (f.field = 'SMR' AND EXISTS (SELECT 1 FROM finess_authorisation a WHERE ${validAuth} AND a.activite = ANY(${list(AUTHORISATION.smrActivities)}) AND a.forme <> '05'))
      OR (f.field = 'PSY' AND (e.cat = ANY(${list(PSYCHIATRIC_CATEGORIES)}) OR EXISTS (SELECT 1 FROM finess_authorisation a WHERE ${validAuth} AND a.activite = '04'))))
    UNION ALL
    SELECT e.finess, c.field, NULL FROM e JOIN (VALUES ${Object.entries(CLASS_CATEGORIES).flatMap(([k, cats]) => cats.map((c) => `(${q(c)}, ${q(k)})`)).join(', ')}) c(cat, field) ON c.cat = e.cat
    WHERE NOT e.cat = ANY(${list(DOMAIN_CATEGORIES.Sanitaire)})),
  o AS (
    SELECT substr(h.content->'providedBy'->>'reference', length('Organization/finess-eg-') + 1) AS finess,
      jsonb_path_query_first(h.content, '$.type[*].coding[*].code') #>> '{}' AS field_code,
      ARRAY[
        ${inVs('$.type[*].coding[*]', URL.j20)},
        ${inVs('$.specialty[*].coding[*]', URL.j17)},
        ${inVs('$.characteristic[*].coding[*]', URL.j19)},
        jsonb_path_exists(h.content, '$.extension[*] ? (@.url == $u).extension[*] ? (@.url == "ageRange").valueRange ? (exists(@.low.value) && exists(@.high.value))', jsonb_build_object('u', ${q(URL.patientType)})),
        EXISTS (SELECT 1 FROM jsonb_path_query(h.content, '$.location[*].reference') ref JOIN location l ON ('Location/' || l.id) = ref #>> '{}'
                WHERE NOT l.deleted AND jsonb_path_exists(l.content, '$.address ? (exists(@.line[0]) && @.city != "" && @.postalCode != "")')),
        jsonb_path_exists(h.content, '$.extension[*] ? (@.url == $c).extension[*] ? (@.url == $t).extension[*] ? (@.url == "telecomAddress")', jsonb_build_object('c', ${q(URL.contact)}, 't', ${q(URL.contactTelecom)}))
      ] || CASE WHEN (SELECT cat FROM e WHERE e.finess = substr(h.content->'providedBy'->>'reference', 24)) = ANY(ARRAY['209','354','460'])
                THEN ARRAY[${inVs('$.category[*].coding[*]', URL.j34)}] ELSE ARRAY[]::boolean[] END AS flags
    FROM healthcare_service h WHERE NOT h.deleted),
  os AS (
    SELECT finess, field_code, CASE WHEN false = ALL(flags) THEN 'A' WHEN true = ALL(flags) THEN 'F' ELSE 'E' END AS st FROM o),
  rs AS (
    SELECT r.finess, r.field,
      (SELECT count(*) FROM os WHERE os.finess = r.finess AND (r.code IS NULL OR os.field_code = r.code)) AS n,
      (SELECT count(*) FROM os WHERE os.finess = r.finess AND (r.code IS NULL OR os.field_code = r.code) AND os.st = 'F') AS nf,
      (SELECT count(*) FROM os WHERE os.finess = r.finess AND (r.code IS NULL OR os.field_code = r.code) AND os.st = 'E') AS ne
    FROM r)
  SELECT field, count(*)::int AS perimeter,
    count(*) FILTER (WHERE n > 0 AND nf = n)::int AS finalised,
    count(*) FILTER (WHERE n > 0 AND nf < n AND (ne > 0 OR nf > 0))::int AS in_progress,
    count(*) FILTER (WHERE n = 0 OR (nf = 0 AND ne = 0))::int AS to_do
  FROM rs GROUP BY field ORDER BY field`;
}

await describeWithDatabases('indicators on real Yvelines establishments with demo offers', (db) => {
  let store: ResourceStore;
  let offers = 0;

  before(async () => {
    store = await importYvelines(db(), FINESS);
    const sites = await db().query<{ id: string; content: Resource; loc: Resource; region: string | null }>(
      `SELECT o.id, o.content, l.content AS loc, o.region FROM organization o JOIN location l ON l.id = 'finess-loc-' || substr(o.id, 11) WHERE o.id LIKE 'finess-eg-%' ORDER BY o.id`);
    const resources: Resource[] = [];
    for (const row of sites.rows) {
      const category = (row.content.type as { coding: { system: string; code: string }[] }[])[0]!.coding[0]!.code;
      const site: DemoSite = { nofinesset: row.id.slice(10), category, name: String(row.content.name), organizationId: row.id, location: row.loc, region: row.region ?? undefined };
      resources.push(...buildSiteOffers(site, [], '2026-11-01T08:00:00Z'));
    }
    let n = 0;
    for (const r of resources) {
      if (r.resourceType !== 'HealthcareService') continue;
      offers++;
      if (n++ % 3 === 0) r.extension = [...(r.extension as unknown[]), contact()];
    }
    await writeAll(store, resources);
  });

  test('the dataset is what we think: real sites, demo offers', async () => {
    assert.ok(offers >= 40, `${offers} offers`);
    const count = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM organization WHERE id LIKE 'finess-eg-%'`);
    assert.equal(count.rows[0]!.n, FINESS.length);
  });

  test('population figures equal the independent SQL, field by field', async () => {
    const engine = rollUp(aggregatePopulation(await populationRows(db(), { referenceDate: REF })), ['field'])
      .map((a) => ({ field: a.field, perimeter: a.perimeterCount, finalised: a.finalised, in_progress: a.inProgress, to_do: a.toDo }))
      .sort((a, b) => a.field.localeCompare(b.field));
    const independent = (await db().query<{ field: string; perimeter: number; finalised: number; in_progress: number; to_do: number }>(independentSql())).rows;
    assert.deepEqual(engine, independent.map((r) => ({ ...r })).sort((a, b) => a.field.localeCompare(b.field)));
    // Not a trivial agreement: every status occurs.
    const total = engine.reduce((s, r) => [s[0]! + r.finalised, s[1]! + r.in_progress, s[2]! + r.to_do], [0, 0, 0]);
    assert.ok(total.every((x) => x > 0), JSON.stringify(engine));
  });

  test('EX1.2 equals a direct count of the historical perimeter present in the ROR', async () => {
    const results = (await qualityResults(db(), { referenceDate: REF, rules: ['EX1.2'] })).filter((r) => r.status !== 'na');
    const direct = await db().query<{ perimeter: number; present: number }>(
      `WITH e AS (SELECT substr(id, 11) AS finess, jsonb_path_query_first(fields -> ('type|' || $1::text), '$[*].coding[*].code') #>> '{}' AS cat
                  FROM import_provenance WHERE source = 'finess' AND id LIKE 'finess-eg-%' AND closed_at IS NULL)
       SELECT count(*)::int AS perimeter,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM organization o WHERE NOT o.deleted AND o.content->'identifier' @> jsonb_build_array(jsonb_build_object('system', $2::text, 'value', e.finess))))::int AS present
       FROM e WHERE e.cat = ANY($3::text[]) AND (e.cat = ANY($4::text[]) OR EXISTS (
         SELECT 1 FROM finess_authorisation a WHERE a.nofinesset = e.finess AND (a.datefin IS NULL OR a.datefin >= DATE '2021-05-01')
           AND coalesce(a.indcaduc, 'N') <> 'O' AND coalesce(a.indsupact, 'N') <> 'O'
           AND ((a.forme = '05' AND a.activite <> '04') OR a.activite = ANY($5::text[]) OR (a.activite = ANY($6::text[]) AND a.forme <> '05') OR a.activite = '04')))`,
      [SYSTEMS.categorie, SYSTEMS.finess, PERIMETER_CATEGORIES.historique, DOMAIN_CATEGORIES['Médico-social'], AUTHORISATION.mcoActivities, AUTHORISATION.smrActivities],
    );
    assert.equal(results.length, direct.rows[0]!.perimeter);
    assert.equal(results.filter((r) => r.status === 'conforme').length, direct.rows[0]!.present);
    assert.ok(results.length > 10);
  });

  test('the shared computation (temporary tables) gives the same rows and results as the single statements', async () => {
    for (const opts of [{ referenceDate: REF }, { referenceDate: '2026-11-30', asOf: new Date(Date.now() + 60_000).toISOString() }]) {
      const shared = await computeIndicators(db(), opts);
      const ctes = `${baseCtes(opts)}, ${populationRowsCte()}`;
      const single = await indicatorQuery(db(), async (q) => ({
        rows: (await q.query<Record<string, unknown>>(`WITH ${ctes} SELECT * FROM pop ORDER BY finess, field`, params(opts))).rows.map(toPopulationRow),
        results: (await q.query<Record<string, unknown>>(qualitySql(ctes), params(opts))).rows.map(toRuleResult),
      }));
      assert.deepEqual(shared.rows, single.rows);
      assert.deepEqual(shared.results, single.results);
      assert.ok(shared.rows.length > 20 && shared.results.some((r) => r.status === 'ecart') && shared.results.some((r) => r.status === 'conforme'));
    }
  });
});
