import fs from 'node:fs';
import path from 'node:path';
import type { Issue } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import { defaultIgDir, loadTerminologyFromFiles, type NosTerminology } from '../terminology/terminology.ts';
import { nos, rorExt, tre } from './profiles/urls.ts';

/**
 * Instances for the validation tests and the benchmark: the IG examples as published, and realistic
 * instances built from real data (FINESS 010780054 / 010000024, RPPS 810106476764, NOS codes).
 */

const EXAMPLES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/spec/ror-ig/examples');

export function example(name: 'HealthcareService-1234564' | 'Location-ror-location-exemple' | 'Task-ror-task-exemple'): Resource {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8')) as Resource;
}

let terminology: Promise<NosTerminology> | undefined;
/** The real NOS terminology (shared/data/nos + the IG's own code systems), loaded once per process. */
export function realTerminology(): Promise<NosTerminology> {
  terminology ??= loadTerminologyFromFiles(undefined, defaultIgDir());
  return terminology;
}

export const errorsOf = (issues: Issue[]) => issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');

const cc = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });

export const creationDateExt = { url: rorExt('ror-meta-creation-date'), valueDateTime: '2024-03-01T09:00:00+01:00' };

/** A telecom following the ROR pattern (channel + confidentiality level). */
export function rorTelecom(value: string, channel = '2', level = '1') {
  return {
    extension: [
      { url: rorExt('ror-telecom-communication-channel'), valueCodeableConcept: cc(tre('R200-CanalCommunication'), channel) },
      { url: rorExt('ror-telecom-confidentiality-level'), valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), level) },
    ],
    system: 'phone',
    value,
  };
}

/**
 * The published HealthcareService example completed with the careMode it lacks
 * (TRE_R213 28 « Hospitalisation complète (HC) », as its name says).
 */
export function completedHealthcareService(): Resource {
  const hs = example('HealthcareService-1234564');
  (hs.characteristic as unknown[]).push(cc(tre('R213-ModePriseEnCharge'), '28', 'Hospitalisation complète (HC)'));
  return hs;
}

const G07 = tre('G07-TypeIdentifiantStructure');

/** Legal entity: CH de Fleyriat's EJ (FINESS EJ 010780054, SIREN 260100045). */
export function legalEntity(): Resource {
  return {
    resourceType: 'Organization',
    id: 'ej-010780054',
    meta: { profile: ['https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization'], tag: [{ system: tre('R30-RegionOM'), code: '84' }] },
    extension: [creationDateExt],
    identifier: [
      { type: cc(G07, '1'), system: 'https://finess.esante.gouv.fr', value: '010780054' },
      { type: cc(G07, '2'), system: 'https://sirene.fr', value: '260100045' },
    ],
    name: 'CENTRE HOSPITALIER DE FLEYRIAT',
    address: [{ line: ['900 RTE DE PARIS'], postalCode: '01440', city: 'VIRIAT' }],
    contact: [
      {
        extension: [{ url: rorExt('ror-contact-confidentiality-level'), valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), '1') }],
        purpose: cc(tre('R287-NatureContact'), '06'),
        telecom: [rorTelecom('0474454647')],
      },
    ],
  };
}

/** Site: CH de Fleyriat (FINESS ET 010000024, SIRET 26010004500012, catégorie 355 Centre hospitalier). */
export function site(): Resource {
  return {
    resourceType: 'Organization',
    id: 'eg-010000024',
    meta: { tag: [{ system: tre('R30-RegionOM'), code: '84' }] },
    extension: [creationDateExt],
    identifier: [
      { type: cc(G07, '1'), system: 'https://finess.esante.gouv.fr', value: '010000024' },
      { type: cc(G07, '3'), system: 'https://sirene.fr', value: '26010004500012' },
    ],
    type: [cc(tre('R66-CategorieEtablissement'), '355', 'Centre hospitalier (CH)')],
    name: 'CH DE FLEYRIAT',
    telecom: [rorTelecom('0474454647')],
    address: [{ line: ['900 RTE DE PARIS'], postalCode: '01440', city: 'VIRIAT' }],
    partOf: { reference: 'Organization/ej-010780054' },
  };
}

/** Dr Zakaria Benhouchame, RPPS 10106476764 (idNat_PS 810106476764), from the RPPS sample. */
export function professional(): Resource {
  return {
    resourceType: 'Practitioner',
    id: 'ps-810106476764',
    extension: [creationDateExt],
    identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810106476764' }],
    name: [{ family: 'BENHOUCHAME', given: ['Zakaria'], prefix: ['DR'] }],
  };
}

/** His practice: médecin (TRE_G15 10), spécialité ordinale SM20 gynécologie-obstétrique, salarié. */
export function practice(): Resource {
  return {
    resourceType: 'PractitionerRole',
    id: 'sitop-810106476764-1',
    extension: [
      creationDateExt,
      { url: rorExt('ror-practitionerrole-unit-exercise-mode'), valueCodeableConcept: cc(tre('R23-ModeExercice'), 'S', 'Salarié') },
    ],
    practitioner: { reference: 'Practitioner/ps-810106476764' },
    // 0..* in R4, 1..1 in the profile: still JSON arrays.
    healthcareService: [{ reference: 'HealthcareService/1234564' }],
    code: [cc(tre('G15-ProfessionSante'), '10', 'Médecin')],
    specialty: [
      cc(tre('R04-TypeSavoirFaire'), 'S', 'Spécialité ordinale'),
      cc(tre('R38-SpecialiteOrdinale'), 'SM20', 'Gynécologie-obstétrique'),
    ],
  };
}

/** One capacity record: 12 beds (lits) available today. */
export function capacityRecord() {
  const sub = (url: string, system: string, code: string) => ({ url, valueCodeableConcept: cc(system, code) });
  return {
    url: rorExt('ror-location-supported-capacity'),
    extension: [
      sub('capacityType', 'urn:oid:1.2.250.1.213.3.3.212', '01'),
      sub('capacityStatus', tre('R330-TypeStatutCapacite'), '02'),
      sub('temporalityCapacity', 'urn:oid:1.2.250.1.213.3.3.214', '01'),
      { url: 'nbCapacity', valueInteger: 12 },
      sub('capacitySourceType', 'urn:oid:1.2.250.1.213.3.3.218', '01'),
      { url: 'capacityUpdateDate', valueDateTime: '2026-11-23T08:00:00+01:00' },
      sub('temporaryAssignement', tre('R337-AffectationTemporaire'), '01'),
    ],
  };
}
