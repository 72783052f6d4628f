import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { errorsOf, legalEntity, realTerminology, site } from './fixtures.ts';
import { organizationVariant, validateResource } from './index.ts';
import { rorExt, tre } from './profiles/urls.ts';

let terminology: Terminology;
before(async () => {
  terminology = await realTerminology();
});

const validate = (r: Resource) => validateResource(r, terminology);
const ej = () => legalEntity() as Resource & Record<string, any>;
const eg = () => site() as Resource & Record<string, any>;

describe('ror-organization', () => {
  test('variants: EJ by its SIREN, EG by its category and SIRET, OI by its type', () => {
    assert.equal(organizationVariant(ej()), 'EJ');
    assert.equal(organizationVariant(eg()), 'EG');
    const oi = { resourceType: 'Organization', type: [{ coding: [{ system: tre('R207-TypeOrganisationInterne'), code: '2' }] }], partOf: { reference: 'Organization/eg-010000024' } };
    assert.equal(organizationVariant(oi), 'OI');
    assert.equal(organizationVariant({ resourceType: 'Organization', partOf: { reference: 'Organization/x' } }), 'EG');
  });

  test('a legal entity (CH de Fleyriat EJ) is valid', () => {
    assert.deepEqual(validate(ej()).filter((i) => i.severity !== 'information'), []);
  });

  test('a site (CH de Fleyriat, catégorie 355) is valid', () => {
    assert.deepEqual(validate(eg()).filter((i) => i.severity !== 'information'), []);
  });

  test('an internal unit (OI): service of the site, typed from JDV_J203, with its OI identifier', () => {
    const oi = {
      resourceType: 'Organization',
      id: 'oi-gyneco-fleyriat',
      extension: [eg().extension[0]],
      identifier: [{ type: { coding: [{ system: tre('R345-TypeIdentifiantAutre'), code: '42' }] }, system: 'https://oi.esante.gouv.fr', value: '010000024-GYN' }],
      type: [{ coding: [{ system: tre('R207-TypeOrganisationInterne'), code: '2', display: 'Structure interne ou Service' }] }],
      name: 'Service de gynécologie-obstétrique',
      partOf: { reference: 'Organization/eg-010000024' },
    } as Resource & Record<string, any>;
    assert.equal(organizationVariant(oi), 'OI');
    assert.deepEqual(validate(oi).filter((i) => i.severity !== 'information'), []);
    oi.type[0].coding[0].code = '5';
    oi.identifier[0].system = 'https://finess.esante.gouv.fr';
    oi.alias = ['Gynéco'];
    const issues = validate(oi);
    assert.deepEqual(errorsOf(issues).map((e) => e.expression), ['Organization.identifier[0].system', 'Organization.type[0].coding[0].code']);
    assert.match(errorsOf(issues)[1].fr, /JDV_J203-TypeOrganisationInterne-ROR/);
    assert.deepEqual(issues.filter((i) => i.severity === 'warning').map((w) => w.expression), ['Organization.alias']);
  });

  test('wrong fixed system of the SIREN identifier', () => {
    const r = ej();
    r.identifier[1].system = 'http://sirene.fr';
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Organization.identifier[1].system');
    assert.match(errors[0].fr, /système du numéro SIREN doit valoir « https:\/\/sirene.fr » et non « http:\/\/sirene.fr »/);
  });

  test('establishment category outside JDV_J55 (FINESS category 999)', () => {
    const r = eg();
    r.type[0].coding[0].code = '999';
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Organization.type[0].coding[0].code');
    assert.match(errors[0].fr, /JDV_J55-CategorieEG-ROR/);
    assert.match(errors[0].fr, /catégorie d'établissement/);
  });

  test('SPH participation (TRE_R73, JDV_J202): 1 « Etablissement public de santé » valid, 99 not', () => {
    const r = eg();
    r.type.push({ coding: [{ system: tre('R73-ESPIC'), code: '1' }] });
    assert.deepEqual(errorsOf(validate(r)), []);
    r.type[1].coding[0].code = '99';
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), ['Organization.type[1].coding[0].code']);
    assert.match(errors[0].fr, /« 99 » \(TRE_R73-ESPIC\) n'appartient pas au jeu de valeurs JDV_J202-ESPIC-ROR/);
  });

  test('contact without confidentiality level', () => {
    const r = ej();
    r.contact[0].extension = [];
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, `Organization.contact[0].extension('${rorExt('ror-contact-confidentiality-level')}')`);
    assert.match(errors[0].fr, /niveau de confidentialité du contact est obligatoire dans le contact/);
  });

  test('contact telecom confidentiality level outside JDV_J222', () => {
    const r = ej();
    r.contact[0].telecom[0].extension[1].valueCodeableConcept.coding[0].code = '9';
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Organization.contact[0].telecom[0].extension[1].valueCodeableConcept.coding[0].code');
    assert.match(errors[0].fr, /JDV_J222-NiveauConfidentialite-ROR/);
  });

  test('site-only elements on a legal entity are flagged as warnings', () => {
    const r = ej();
    r.alias = ['Fleyriat'];
    r.extension.push({ url: rorExt('ror-organization-drop-zone'), valueBoolean: true });
    const issues = validate(r);
    assert.deepEqual(errorsOf(issues), []);
    const warnings = issues.filter((i) => i.severity === 'warning');
    assert.deepEqual(warnings.map((w) => w.expression), ['Organization.alias', 'Organization.extension[1]']);
    assert.match(warnings[0].fr, /ne concerne que l'entité géographique, pas l'entité juridique/);
  });

  test('territoire de santé of a site must be of type 4', () => {
    const r = eg();
    r.extension.push({
      url: rorExt('ror-territorial-division'),
      extension: [
        { url: 'typeTerritorialDivision', valueCodeableConcept: { coding: [{ system: tre('R201-TypeDivisionTerritoriale'), code: '3' }] } },
        { url: 'codeTerritorialDivision', valueCodeableConcept: { coding: [{ system: tre('R30-RegionOM'), code: '84' }] } },
      ],
    });
    const errors = errorsOf(validate(r));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].expression, 'Organization.extension[1].extension[0].valueCodeableConcept');
  });

  test('creation date missing, and two names', () => {
    const r = eg();
    r.extension = [];
    r.name = ['CH DE FLEYRIAT', 'CH FLEYRIAT'];
    const errors = errorsOf(validate(r));
    assert.deepEqual(errors.map((e) => e.expression), ['Organization.name', `Organization.extension('${rorExt('ror-meta-creation-date')}')`]);
    assert.match(errors[0].fr, /nom de la structure ne peut figurer qu'une seule fois/); // also a base R4 fault, told once
    assert.match(errors[1].fr, /date de création est obligatoire/);
  });
});
