import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommuneIndex, normalizeCommuneName } from '../geo/commune-index.ts';
import type { FinessEstablishment } from './establishment.ts';
import { cogOf } from './etalab-reader.ts';
import { closedVersion, EXTENSIONS, mapEstablishment, SYSTEMS } from './mapping.ts';
import { loadFinessNos } from './nos-reference.ts';
import { VERIFICATION_STATUS_SYSTEM } from '../verification-status.ts';

const ctx = { communes: CommuneIndex.load(), nos: loadFinessNos() };

// The real etalab line of ror-indicators.md §6.2 (CH de Fleyriat), with its Lambert-93 position of README §1a.
const fleyriat: FinessEstablishment = {
  line: 2, nofinesset: '010000024', nofinessej: '010780054', rs: 'CH DE FLEYRIAT', numvoie: '900', typvoie: 'RTE', voie: 'DE PARIS',
  communeCog: '01451', departement: '01', postalCode: '01440', city: 'VIRIAT', telephone: '0474454647', categetab: '355',
  libcategetab: 'Centre Hospitalier (C.H.)', categagretab: '1102', libcategagretab: 'Centres Hospitaliers', siret: '26010004500012',
  codeape: '8610Z', codemft: '03', codesph: '1', libsph: 'Etablissement public de santé', dateouv: '1979-02-13', dateautor: '1979-02-13',
  datemaj: '2020-02-04', position: { latitude: 46.22274479119414, longitude: 5.2085961326419605 },
};

describe('FINESS → ROR mapping', () => {
  test('EG Organization: identifiers, category, aggregate from ASS_X10, SPH, period, telecom, address, region, partOf', () => {
    const { ej, eg, location, commune, warnings } = mapEstablishment(fleyriat, ctx);
    assert.deepEqual(warnings, []);
    assert.equal(commune?.code, '01451');
    assert.equal(eg.id, 'finess-eg-010000024');
    assert.deepEqual(eg.partOf, { reference: `Organization/${ej.id}` });
    assert.deepEqual((eg.identifier as { type: { coding: { code: string }[] }; system: string; value: string }[]).map((i) => [i.type.coding[0]!.code, i.system, i.value]), [
      ['1', SYSTEMS.finess, '010000024'], ['40', SYSTEMS.idNatSt, '1010000024'], ['3', SYSTEMS.sirene, '26010004500012'],
    ]);
    assert.deepEqual((eg.type as { coding: { system: string; code: string; display?: string }[] }[]).map((t) => t.coding[0]), [
      { system: SYSTEMS.categorie, code: '355', display: 'Centre hospitalier (CH)' },
      { system: SYSTEMS.agregat, code: '1102', display: 'Centres Hospitaliers' },
      { system: SYSTEMS.sph, code: '1', display: 'Etablissement public de santé' },
    ]);
    assert.deepEqual(eg.extension, [{ url: EXTENSIONS.period, valuePeriod: { start: '1979-02-13' } }]);
    // Auvergne-Rhône-Alpes; a pre-filled structure is « à vérifier » (the place itself carries no status).
    assert.deepEqual(eg.meta?.tag, [{ system: SYSTEMS.region, code: '84' }, { system: VERIFICATION_STATUS_SYSTEM, code: 'a-verifier', display: 'À vérifier' }]);
    assert.deepEqual(location.meta?.tag, [{ system: SYSTEMS.region, code: '84' }]);
    const addr = (eg.address as Record<string, unknown>[])[0]!;
    assert.deepEqual(addr.line, ['900 RTE DE PARIS']);
    assert.deepEqual((addr._line as { extension: { url: string; valueString: string }[] }[])[0]!.extension.map((e) => e.valueString), ['900', 'RTE', 'DE PARIS']);
    assert.equal((addr.extension as { valueCoding: { code: string } }[])[0]!.valueCoding.code, '01451');
    const channel = (eg.telecom as { extension: { valueCodeableConcept: { coding: { code: string }[] } }[] }[])[0]!.extension[0]!;
    assert.equal(channel.valueCodeableConcept.coding[0]!.code, '2'); // fixed line
    assert.deepEqual(location.position, { latitude: 46.2227448, longitude: 5.2085961 });
    assert.equal((location.operationalStatus as { code: string }).code, '3');
    assert.deepEqual(location.managingOrganization, { reference: 'Organization/finess-eg-010000024' });
  });

  test('the commune comes from postcode and city when the file lacks it; failures are reported, not fatal', () => {
    const noCode = { ...fleyriat, communeCog: undefined, departement: undefined };
    assert.equal(mapEstablishment(noCode, ctx).commune?.code, '01451');
    // Former commune merged since 2021: Le Chesnay → Le Chesnay-Rocquencourt (78158).
    assert.equal(ctx.communes.resolve('78150', 'LE CHESNAY')?.code, '78158');
    assert.equal(ctx.communes.resolve('78051', 'VERSAILLES CEDEX')?.code, '78646');
    // CEDEX postcodes of real FINESS sites: a merged commune's short name, an overseas CEDEX prefix.
    assert.equal(ctx.communes.resolve('67403', 'ILLKIRCH CEDEX')?.code, '67218');
    assert.equal(ctx.communes.resolve('91024', 'EVRY CEDEX')?.code, '91228');
    assert.equal(ctx.communes.resolve('97826', 'LE PORT CEDEX')?.code, '97407');
    // Ambiguous short name (several Saint-… communes in 78): not guessed.
    assert.equal(ctx.communes.resolve('78999', 'SAINT CEDEX'), null);
    const lost = mapEstablishment({ ...noCode, postalCode: '78051', city: 'ST QUENTIN EN YVELINES CED' }, ctx);
    assert.equal(lost.commune, null);
    assert.match(lost.warnings[0]!.fr, /commune introuvable/);
    assert.equal(lost.location.extension, undefined);
  });

  test('Saint-Barthélemy and Saint-Martin get the source region of the ARS of Guadeloupe (JDV_J237 has no 977/978)', () => {
    const gustavia = mapEstablishment({
      ...fleyriat, nofinesset: '970112470', nofinessej: '970100186', communeCog: undefined, departement: undefined,
      postalCode: '97133', city: 'ST BARTHELEMY', position: undefined,
    }, ctx);
    assert.equal(gustavia.commune?.code, '97701');
    assert.deepEqual(gustavia.location.meta?.tag, [{ system: SYSTEMS.region, code: '01' }]);
    assert.equal(ctx.communes.regionOf('978'), '01');
    assert.equal(ctx.communes.regionOf('974'), '04');
  });

  test('names compare without accents, case, punctuation or abbreviations', () => {
    assert.equal(normalizeCommuneName('ST GERMAIN EN LAYE'), normalizeCommuneName('Saint-Germain-en-Laye'));
    assert.equal(normalizeCommuneName("L'ÉTANG-LA-VILLE"), 'L ETANG LA VILLE');
    assert.equal(normalizeCommuneName('CONFLANS STE HONORINE CEDE'), 'CONFLANS SAINTE HONORINE');
  });

  test('overseas FINESS département codes give the COG (§6.2)', () => {
    assert.equal(cogOf('9D', '411'), '97411');
    assert.equal(cogOf('9A', '105'), '97105');
    assert.equal(cogOf('2A', '004'), '2A004');
    assert.equal(cogOf('78', '646'), '78646');
    assert.equal(cogOf('78', ''), undefined);
  });

  test('a mobile number is told apart; a category outside J55 is reported', () => {
    const { eg, warnings } = mapEstablishment({ ...fleyriat, telephone: '0612345678', categetab: '999' }, ctx);
    const channel = (eg.telecom as { extension: { valueCodeableConcept: { coding: { code: string }[] } }[] }[])[0]!.extension[0]!;
    assert.equal(channel.valueCodeableConcept.coding[0]!.code, '1');
    assert.match(warnings[0]!.en, /category 999/);
  });

  test('closing sets the period end, the closing type and the Location status', () => {
    const { eg, location } = mapEstablishment(fleyriat, ctx);
    const closed = closedVersion(eg, '2026-11-23');
    assert.equal(closed.active, false);
    assert.deepEqual(closed.extension, [
      { url: EXTENSIONS.period, valuePeriod: { start: '1979-02-13', end: '2026-11-23' } },
      { url: EXTENSIONS.closingType, valueCodeableConcept: { coding: [{ system: SYSTEMS.typeFermeture, code: 'DEF', display: 'Définitive' }] } },
    ]);
    assert.equal((closedVersion(location, '2026-11-23').operationalStatus as { code: string }).code, '1');
    assert.equal(eg.active, true); // the input is not modified
  });
});

test('without a position, the Location gets its commune centroid flagged as unreliable', () => {
  const { location } = mapEstablishment({ ...fleyriat, position: undefined }, ctx);
  // Viriat (01451) in communes-centroides-cog2026.csv.
  const c = ctx.communes.centroid('01451')!;
  assert.deepEqual(location.position, { extension: [{ url: EXTENSIONS.coordinateReliability, valueBoolean: false }], longitude: c.longitude, latitude: c.latitude });
  assert.ok(Math.abs(c.latitude - 46.22) < 0.1 && Math.abs(c.longitude - 5.2) < 0.1);
});
