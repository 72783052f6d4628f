import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { SYSTEMS } from '../ingest/finess/mapping.ts';
import { aggregatePopulation, populationRows, rollUp, unitStatuses, type PopulationRow } from './population.ts';
import { complete, importYvelines, internalUnit, offer, writeAll } from './test-fixtures.ts';

/**
 * Hand-checked population cases on real Yvelines establishments (see testdata/finess-authorisations-78.csv
 * for their authorisations). Expected rows, from §2.1/§2.3:
 *  780000287 CH Mantes (355): MCO, SMR · 780000378 CH Houdan (106): MCO (01 and HAD), SMR (51)
 *  780001467 Aubergenville (109): SMR · 780000410 CHS Roussel (292): PSY · 780010278 CMP Mantes (156): PSY
 *  without authorisation · 780018727 Clinique St Germain (365): SMR only (01 expired, 50 without end date)
 *  780022737 Polyclinique (365): none (01 caduc) · 780110086 (166): none (sanitaire without authorisation)
 *  780000204 EHPAD (500): PA · 780001442 SSIAD (354): Domicile · 780000196 IME (183): PH
 *  780022844 MSP (603): Ville, 2023 · 780028130 CPTS (604): Coordination, 2023 · 780000048 (236): not followed.
 */
const FINESS = [
  '780000287', '780000378', '780001467', '780000410', '780010278', '780018727', '780022737', '780110086',
  '780000204', '780001442', '780000196', '780022844', '780028130', '780000048',
];
const eg = (n: string) => `finess-eg-${n}`;
const loc = (n: string) => `finess-loc-${n}`;

await describeWithDatabases('population indicators (hand-checked)', (db) => {
  let store: ResourceStore;
  let rows: PopulationRow[];
  const row = (finess: string, field: string) => rows.find((r) => r.finess === finess && r.field === field);

  before(async () => {
    store = await importYvelines(db(), FINESS);
    await writeAll(store, [
      // CH Mantes MCO: one finalised + one with two criteria → row "en cours"; SMR: finalised.
      offer(complete('mco-ok', eg('780000287'), '01', '083', '28', loc('780000287'))),
      offer({ id: 'mco-partial', provider: eg('780000287'), field: '01', activity: '025' }),
      offer(complete('smr-ok', eg('780000287'), '02', '172', '28', loc('780000287'))),
      // CHS Roussel: a finalised PSY offer provided by an internal unit (OI → EG).
      internalUnit('oi-roussel-ue', eg('780000410'), '4', 'Unité adulte'),
      offer(complete('psy-oi', 'oi-roussel-ue', '03', '229', '32', loc('780000410'))),
      // Clinique St Germain: an MCO offer does not count for its only row (SMR).
      offer(complete('stg-mco', eg('780018727'), '01', '083', '28', loc('780018727'))),
      // Aubergenville: its only offer is closed (active false): not counted.
      offer({ ...complete('aub-closed', eg('780001467'), '02', '172', '28', loc('780001467')), active: false }),
      // EHPAD: finalised without catégorie d'organisation (not required for 500).
      offer({ ...complete('ehpad-ok', eg('780000204'), '04', '288', '46', loc('780000204')), organisationCategory: undefined }),
      // SSIAD (354): everything but the catégorie d'organisation, required there → en cours.
      offer({ ...complete('ssiad', eg('780001442'), '04', '287', '49', loc('780001442')), organisationCategory: undefined }),
      // IME: one finalised and one empty offer, none in progress → row "en cours" (decision Q4).
      offer({ ...complete('ime-ok', eg('780000196'), '04', '300', '47', loc('780000196')), organisationCategory: undefined }),
      offer({ id: 'ime-empty', provider: eg('780000196') }),
      // MSP: a second ROR site carrying the same FINESS number holds a finalised offer (decision Q3).
      {
        resourceType: 'Organization', id: 'dup-msp',
        identifier: [{ system: SYSTEMS.finess, value: '780022844' }],
        type: [{ coding: [{ system: SYSTEMS.categorie, code: '603' }] }], name: 'MSP de Bouafle (doublon)',
      },
      offer({ ...complete('msp-ok', 'dup-msp', '05', '083', '32', loc('780022844')), organisationCategory: undefined }),
    ]);
    rows = await populationRows(db(), { referenceDate: '2026-12-31' });
  });

  test('the FINESS target: rows per establishment and field, with the authorisation rules', () => {
    assert.deepEqual(
      rows.map((r) => `${r.finess} ${r.field}`),
      [
        '780000196 PH', '780000204 PA', '780000287 MCO', '780000287 SMR', '780000378 MCO', '780000378 SMR', '780000410 PSY',
        '780001442 Domicile', '780001467 SMR', '780010278 PSY', '780018727 SMR', '780022844 Ville', '780028130 Coordination',
      ],
    );
    assert.equal(row('780022844', 'Ville')!.perimeter, '2023');
    assert.equal(row('780000287', 'MCO')!.perimeter, 'historique');
    assert.equal(row('780000287', 'MCO')!.domain, 'Sanitaire');
    assert.equal(row('780000204', 'PA')!.domain, 'Médico-social');
    assert.equal(row('780028130', 'Coordination')!.domain, 'Coordination');
    assert.ok(rows.every((r) => r.region === '11' && r.departement === '78'));
  });

  test('offer criteria: each one checked, N/A catégorie d\'organisation outside 209/354/460', async () => {
    const units = new Map((await unitStatuses(db(), { referenceDate: '2026-12-31' })).map((u) => [u.id, u]));
    assert.equal(units.get('mco-ok')!.status, 'finalise');
    assert.equal(units.get('mco-ok')!.criteria.organisationCategory, null);
    assert.deepEqual(units.get('mco-partial')!.criteria, { field: true, organisationCategory: null, activity: true, careMode: false, ages: false, address: false, contact: false });
    assert.equal(units.get('mco-partial')!.status, 'en_cours');
    assert.equal(units.get('ssiad')!.criteria.organisationCategory, false);
    assert.equal(units.get('ssiad')!.status, 'en_cours');
    assert.equal(units.get('ime-empty')!.status, 'a_faire');
    assert.equal(units.get('psy-oi')!.siteId, eg('780000410'));
    assert.equal(units.has('aub-closed'), false);
  });

  test('one site read on its own (its organizations and offers only) gives the same units as the whole directory', async () => {
    const all = await unitStatuses(db(), { referenceDate: '2026-12-31' });
    const sites = [...new Set(all.map((u) => u.siteId))];
    assert.ok(sites.includes(eg('780000410')), 'a site with an internal unit (psy-oi) is among them');
    for (const siteId of sites) {
      const own = await unitStatuses(db(), { referenceDate: '2026-12-31', siteId });
      assert.deepEqual(own, all.filter((u) => u.siteId === siteId), siteId);
    }
  });

  test('status of each unit of counting (§2.3) and the quirk decisions', () => {
    assert.equal(row('780000287', 'MCO')!.status, 'en_cours');
    assert.equal(row('780000287', 'SMR')!.status, 'finalise');
    assert.equal(row('780000410', 'PSY')!.status, 'finalise');
    assert.equal(row('780018727', 'SMR')!.status, 'a_faire');
    assert.equal(row('780018727', 'SMR')!.units, 0);
    assert.equal(row('780001467', 'SMR')!.status, 'a_faire');
    assert.equal(row('780000204', 'PA')!.status, 'finalise');
    assert.equal(row('780001442', 'Domicile')!.status, 'en_cours');
    // Q4: finalised + to-do without any in progress counts as in progress.
    assert.equal(row('780000196', 'PH')!.status, 'en_cours');
    // Q3: two ROR sites with one FINESS number: one row, their offers together.
    assert.equal(rows.filter((r) => r.finess === '780022844').length, 1);
    assert.equal(row('780022844', 'Ville')!.rorSites, 2);
    assert.equal(row('780022844', 'Ville')!.status, 'finalise');
    // Absent from the ROR offers: à faire.
    assert.equal(row('780028130', 'Coordination')!.status, 'a_faire');
  });

  test('aggregation and rates', () => {
    const aggs = aggregatePopulation(rows);
    const sanitaire = rollUp(aggs, ['region', 'domain']).find((a) => a.domain === 'Sanitaire')!;
    // MCO×2, SMR×4, PSY×2 = 8 rows; finalised: Mantes SMR, Roussel PSY.
    assert.deepEqual([sanitaire.perimeterCount, sanitaire.finalised, sanitaire.inProgress, sanitaire.toDo], [8, 2, 1, 5]);
    assert.equal(sanitaire.rate, 2 / 8);
    const total = rollUp(aggs, ['region']);
    assert.deepEqual(total.map((t) => [t.region, t.perimeterCount, t.finalised]), [['11', 13, 4]]);
  });

  test('the région filter keeps the rows of that région only', async () => {
    const before = await populationRows(db(), { referenceDate: '2026-12-31', region: '11' });
    assert.equal(before.length, 13);
    assert.equal((await populationRows(db(), { referenceDate: '2026-12-31', region: '93' })).length, 0);
  });
});
