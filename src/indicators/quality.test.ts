import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import { EXTENSIONS, SYSTEMS } from '../ingest/finess/mapping.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { rorExt, tre } from '../validation/profiles/urls.ts';
import { aggregateQuality, qualityResults, type RuleResult } from './quality.ts';
import { complete, importYvelines, internalUnit, offer, TEST_CONTEXT, writeAll } from './test-fixtures.ts';

/**
 * Hand-checked quality rules (§3). Authorisations (testdata): CH Mantes 780000287 holds réa adulte 15/09,
 * réa pédiatrique 15/10, obstétrique, néonatologie and réa néonatale 03/01, 03/02, 03/04, urgences 14/23 and
 * 14/24; CHI Meulan 780000295 urgences 14/23 and obstétrique 03/01.
 */
const FINESS = ['780000287', '780000295', '780000378', '780001467', '780000204', '780000196', '780009569', '780028130'];
const eg = (n: string) => `finess-eg-${n}`;
const loc = (n: string) => `finess-loc-${n}`;
const REF = '2026-12-31';

function capacityPlace(id: string, site: string, installed: number): Resource {
  const cc = (system: string, code: string) => ({ valueCodeableConcept: { coding: [{ system, code }] } });
  return {
    resourceType: 'Location', id, status: 'active',
    extension: [{
      url: rorExt('ror-location-supported-capacity'),
      extension: [
        { url: 'capacityType', ...cc(tre('R329-NatureCapacite'), '02') },
        { url: 'capacityStatus', ...cc(tre('R330-TypeStatutCapacite'), '01') },
        { url: 'nbCapacity', valueInteger: installed },
      ],
    }],
    address: { line: ['1 rue de la Paix'], city: 'Versailles', postalCode: '78000' },
    managingOrganization: { reference: `Organization/${site}` },
  };
}

await describeWithDatabases('quality rules (hand-checked)', (db) => {
  let store: ResourceStore;
  let results: RuleResult[];
  const of = (rule: string, id: string) => results.filter((r) => r.rule === rule && r.objectId === id);
  const one = (rule: string, id: string) => {
    const r = of(rule, id);
    assert.equal(r.length, 1, `${rule} ${id}: ${JSON.stringify(r)}`);
    return r[0]!;
  };

  before(async () => {
    store = await importYvelines(db(), FINESS);
    const mantes = eg('780000287');
    const meulan = eg('780000295');
    await writeAll(store, [
      // CO1: a well-named adult emergency offer (14/23 held) and a badly named one; a paediatric one at Meulan (14/23 is enough).
      offer({ ...complete('urg-ok', mantes, '01', '157', '33', loc('780000287')), name: 'Urgences adultes' }),
      offer({ ...complete('urg-name', mantes, '01', '157', '33', loc('780000287')), name: 'Accueil' }),
      offer({ ...complete('urg-ped', meulan, '01', '249', '33', loc('780000295')), name: 'URGENCES PÉDIATRIQUES' }),
      // EX3: réa adulte described (121); EX4: no paediatric réa offer (130); EX5: réa néonatale (128) is in the maternity below.
      offer(complete('rea', mantes, '01', '121', '28', loc('780000287'))),
      // CO2 Mantes: complete type 3 ladder, declared type 3 (04), FINESS type 3 (03/04), named "Maternité".
      offer({ ...complete('mat-obst', mantes, '01', '100', '28', loc('780000287')), name: 'Maternité', maternityType: '04' }),
      offer(complete('mat-neo', mantes, '01', '094', '28', loc('780000287'))),
      offer(complete('mat-si', mantes, '01', '369', '28', loc('780000287'))),
      offer(complete('mat-rea', mantes, '01', '128', '28', loc('780000287'))),
      // CO2 Meulan: obstetrics only (ladder 1) but declared 2A, not named "maternité".
      offer({ ...complete('meulan-obst', meulan, '01', '100', '29', loc('780000295')), name: 'Gynécologie-obstétrique', maternityType: '02' }),
      // CO3: a UHSI not flagged, a flagged "unité sécurisée", a flagged ordinary offer, an offer of a candidate UF.
      offer({ ...complete('uhsi', mantes, '01', '083', '28', loc('780000287')), name: 'UHSI de Mantes' }),
      offer({ ...complete('secure', mantes, '01', '083', '28', loc('780000287')), name: 'Unité Sécurisée', sensitive: true }),
      offer({ ...complete('flagged', mantes, '01', '083', '28', loc('780000287')), name: 'Médecine polyvalente', sensitive: true }),
      internalUnit('uf-usmp', mantes, '3', 'USMP du centre pénitentiaire'),
      offer({ ...complete('usmp-consult', 'uf-usmp', '01', '083', '32', loc('780000287')), name: 'Consultations', sensitive: true }),
      // CP5 / CP6 on the EHPAD (PA: mode 46 only) and the IME (PH: 46/47/48).
      capacityPlace('lieu-ehpad', eg('780000204'), 80),
      offer({ ...complete('ehpad-heb', eg('780000204'), '04', '288', '46', 'lieu-ehpad'), receptionType: '02' }),
      offer({ ...complete('ehpad-pasa', eg('780000204'), '04', '293', '46', loc('780000204')), organisationCategory: '25', receptionType: '02' }),
      offer({ ...complete('ehpad-jour', eg('780000204'), '04', '293', '47', loc('780000204')) }),
      offer({ ...complete('ime', eg('780000196'), '04', '300', '47', loc('780000196')), organisationCategory: undefined }),
      // EX2: a ROR site whose FINESS number FINESS does not know. ST3: a second site with the EHPAD's national id.
      {
        resourceType: 'Organization', id: 'unknown-finess', meta: { tag: [{ system: tre('R30-RegionOM'), code: '11' }] },
        identifier: [{ system: SYSTEMS.finess, value: '780999999' }],
        type: [{ coding: [{ system: SYSTEMS.categorie, code: '500' }] }], name: 'EHPAD inconnu',
      },
      {
        resourceType: 'Organization', id: 'dup-ehpad', meta: { tag: [{ system: tre('R30-RegionOM'), code: '11' }] },
        identifier: [{ system: SYSTEMS.idNatSt, value: '1780000204' }],
        type: [{ coding: [{ system: SYSTEMS.categorie, code: '500' }] }], name: 'EHPAD Villa d’Épidaure (doublon)',
      },
    ]);
    // EX2: Houdan closed in the ROR, open in FINESS. CO4 / ST2: Aubergenville with another category and legal entity.
    await store.patch('Organization', eg('780000378'), (r) => ({ ...r, active: false }), TEST_CONTEXT);
    await store.patch('Organization', eg('780001467'), (r) => ({
      ...r,
      type: [{ coding: [{ system: SYSTEMS.categorie, code: '106' }] }],
      partOf: { reference: 'Organization/finess-ej-780110011' },
    }), TEST_CONTEXT);
    // EX1.2: the IME of Sartrouville removed from the ROR.
    await store.delete('Organization', eg('780009569'), TEST_CONTEXT);
    results = await qualityResults(db(), { referenceDate: REF });
  });

  test('EX1.2 exhaustiveness: historical perimeter, FINESS ET present in the ROR', () => {
    assert.equal(one('EX1.2', '780009569').status, 'ecart');
    assert.equal(one('EX1.2', '780000204').status, 'conforme');
    assert.equal(one('EX1.2', '780000287').status, 'conforme');
    // CPTS (604) is in the 2023 perimeter, not the historical one.
    assert.equal(of('EX1.2', '780028130').length, 0);
  });

  test('EX2 open/closed state against FINESS', () => {
    assert.equal(one('EX2', 'unknown-finess').reason, 'numéro FINESS inconnu de FINESS');
    assert.equal(one('EX2', eg('780000378')).reason, 'ouvert dans FINESS, fermé dans le ROR');
    assert.equal(one('EX2', eg('780000287')).status, 'conforme');
  });

  test('EX3 / EX4 / EX5 réanimation authorised and described', () => {
    assert.equal(one('EX3', '780000287').status, 'conforme');
    assert.equal(one('EX4', '780000287').status, 'ecart');
    assert.match(one('EX4', '780000287').reason!, /réanimation pédiatrique/);
    assert.equal(one('EX5', '780000287').status, 'conforme');
    // Meulan holds no réanimation authorisation: the rules do not apply.
    assert.equal(of('EX3', '780000295').length + of('EX4', '780000295').length + of('EX5', '780000295').length, 0);
  });

  test('ST2 legal entity and CO4 category against FINESS', () => {
    assert.equal(one('ST2', eg('780001467')).status, 'ecart');
    assert.match(one('ST2', eg('780001467')).reason!, /entité juridique 780110011 au lieu de 780023156/);
    assert.equal(one('ST2', eg('780000287')).status, 'conforme');
    assert.equal(one('CO4', eg('780001467')).reason, 'catégorie 106 dans le ROR, 109 dans FINESS (valeur proposée : 109)');
    assert.equal(one('CO4', eg('780000204')).status, 'conforme');
    // Closed in the ROR (not provisionally): outside ST2 / CO4.
    assert.equal(of('ST2', eg('780000378')).length, 0);
    assert.equal(one('CO4', 'unknown-finess').status, 'na');
  });

  test('ST3 duplicates: the same national id twice in a région', () => {
    assert.equal(one('ST3', 'dup-ehpad').status, 'ecart');
    assert.equal(one('ST3', eg('780000204')).status, 'ecart');
    assert.match(one('ST3', eg('780000204')).reason!, /1780000204 porté par 2 structures/);
    assert.equal(one('ST3', eg('780000287')).status, 'conforme');
    assert.equal(one('ST3', 'finess-ej-780110011').status, 'conforme');
  });

  test('CO1 emergencies: name and authorisations', () => {
    assert.equal(one('CO1', 'urg-ok').status, 'conforme');
    assert.equal(one('CO1', 'urg-name').reason, 'le nom de l\'offre ne contient pas « urgence »');
    // Accents and case ignored; 249 alone accepts 14/23.
    assert.equal(one('CO1', 'urg-ped').status, 'conforme');
  });

  test('CO2 maternity: complete ladder, declared = authorised type, named "maternité"', () => {
    assert.equal(one('CO2', eg('780000287')).status, 'conforme');
    const meulan = one('CO2', eg('780000295'));
    assert.equal(meulan.status, 'ecart');
    assert.equal(meulan.reason, 'type déclaré 2A, type autorisé par FINESS 1 ; aucune offre nommée « maternité »');
  });

  test('CO3 sensitive units', () => {
    assert.equal(one('CO3', 'uhsi').status, 'ecart');
    assert.equal(one('CO3', 'secure').status, 'conforme');
    assert.equal(one('CO3', 'flagged').reason, "offre signalée sensible sans en avoir le nom ni l'activité");
    assert.equal(one('CO3', 'usmp-consult').status, 'conforme');
    assert.equal(of('CO3', 'urg-ok').length, 0);
  });

  test('CP5 / CP6 ESMS organisation and capacity', () => {
    assert.equal(one('CP5', 'ehpad-heb').status, 'conforme');
    assert.equal(one('CP6', 'ehpad-heb').status, 'conforme');
    assert.equal(one('CP6', 'ehpad-pasa').status, 'na');
    assert.equal(one('CP5', 'ehpad-pasa').status, 'conforme');
    // PA day care (47) is outside the rule; PH day care is in it.
    assert.equal(of('CP5', 'ehpad-jour').length, 0);
    assert.equal(one('CP5', 'ime').reason, "catégorie d'organisation manquante ; temporalité d'accueil manquante");
    assert.equal(one('CP6', 'ime').reason, 'aucune place installée');
  });

  test('CP4 population and RE1.2 freshness (limit = reference date − 1 year)', async () => {
    assert.equal(one('CP4', '780000204|PA').status, 'conforme');
    assert.equal(one('CP4', '780009569|PH').reason, 'établissement absent du ROR');
    assert.equal(one('CP4', '780028130|Coordination').reason, 'aucune offre décrite');
    assert.equal(one('RE1.2', eg('780000287')).status, 'conforme');
    assert.equal(one('RE1.2', eg('780028130')).status, 'conforme'); // no offer
    const later = await qualityResults(db(), { referenceDate: '2028-12-31', rules: ['RE1.2'] });
    const mantes = later.find((r) => r.objectId === eg('780000287'))!;
    assert.equal(mantes.status, 'ecart');
    assert.match(mantes.reason!, /^0 offre\(s\) sur 11 mise\(s\) à jour depuis le 2027-12-31$/);
    // ≥ 8 offers: 25 % (rounded to 2 decimals) is enough. 3 of the 11 Mantes offers are made recent.
    await db().query(`UPDATE healthcare_service SET last_updated = '2028-06-01' WHERE id IN ('urg-ok', 'urg-name', 'rea')`);
    const after = await qualityResults(db(), { referenceDate: '2028-12-31', rules: ['RE1.2'] });
    assert.equal(after.find((r) => r.objectId === eg('780000287'))!.status, 'conforme'); // 3/11 = 0.27
    await db().query(`UPDATE healthcare_service SET last_updated = now() WHERE id = 'rea'`);
    const less = await qualityResults(db(), { referenceDate: '2028-12-31', rules: ['RE1.2'] });
    assert.equal(less.find((r) => r.objectId === eg('780000287'))!.status, 'ecart'); // 2/11 = 0.18
  });

  test('aggregation: perimeter excludes N/A, national line 00', () => {
    const aggs = aggregateQuality(results);
    const co4 = aggs.filter((a) => a.rule === 'CO4' && a.region === '11');
    assert.equal(co4.reduce((s, a) => s + a.perimeterCount, 0), results.filter((r) => r.rule === 'CO4' && r.status !== 'na').length);
    const nat = aggs.filter((a) => a.rule === 'CO3' && a.region === '00');
    assert.deepEqual([nat.reduce((s, a) => s + a.perimeterCount, 0), nat.reduce((s, a) => s + a.deviations, 0)], [4, 2]);
    assert.ok(nat.every((a) => a.departement === '-3'));
  });

  test('closure types: FINESS definitive closure against a provisional one in the ROR', async () => {
    // The FINESS import closes with type DEF; our data has none closed, so EX2 on a closure-type mismatch is
    // checked through a ROR site closed PRO while FINESS is open: reported as open/closed, not as a type.
    await store.patch('Organization', eg('780000295'), (r) => ({
      ...r,
      active: false,
      extension: [...((r.extension as unknown[]) ?? []), { url: EXTENSIONS.closingType, valueCodeableConcept: { coding: [{ system: SYSTEMS.typeFermeture, code: 'PRO' }] } }],
    }), TEST_CONTEXT);
    const r = await qualityResults(db(), { referenceDate: REF, rules: ['EX2', 'ST2'] });
    assert.equal(r.find((x) => x.rule === 'EX2' && x.objectId === eg('780000295'))!.reason, 'ouvert dans FINESS, fermé dans le ROR');
    // Provisionally closed sites stay in the ST2 perimeter.
    assert.equal(r.find((x) => x.rule === 'ST2' && x.objectId === eg('780000295'))!.status, 'conforme');
 
  });

  test('decision Q1: a FINESS number unknown to FINESS is an écart whether the ROR site is open or closed', async () => {
    // The published SQL loses the closed case through NULL logic (NOT IN / comparisons with NULL).
    await store.patch('Organization', 'unknown-finess', (r) => ({ ...r, active: false }), TEST_CONTEXT);
    const r = await qualityResults(db(), { referenceDate: REF, rules: ['EX2'] });
    assert.equal(r.find((x) => x.objectId === 'unknown-finess')!.reason, 'numéro FINESS inconnu de FINESS');
  });
});
