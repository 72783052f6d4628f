/**
 * Small fixtures for the registration tests: professionals as the RPPS import writes them (Practitioner
 * `rpps-<idNatPS>` and a PractitionerRole carrying the TRE_G15 profession), with demo-like numbers (899999…)
 * that no real person holds. A liberal one also has the draft city offer the import pre-fills.
 */
import type { Resource } from '../fhir/types.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { SYSTEM_CONTEXT } from '../store/context.ts';

const G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const ROR = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';

export const FIXTURE_PROFESSIONALS = {
  kine: { idNatPS: '899999000901', family: 'LEMAIRE', given: 'Alice', profession: ['70', 'Masseur-Kinésithérapeute'] },
  midwife: { idNatPS: '899999000902', family: 'ROUSSEL', given: 'Inès', profession: ['50', 'Sage-Femme'] },
  doctor: { idNatPS: '899999000903', family: 'MARCHAND', given: 'Paul', profession: ['10', 'Médecin'] },
} as const;

function resources(p: (typeof FIXTURE_PROFESSIONALS)[keyof typeof FIXTURE_PROFESSIONALS]): Resource[] {
  const id = `rpps-${p.idNatPS}`;
  const draftOffer = `rpps-offre-${p.idNatPS}-fixture`;
  return [
    { resourceType: 'Practitioner', id, identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: p.idNatPS }], active: true, name: [{ use: 'usual', family: p.family, given: [p.given] }] },
    {
      resourceType: 'HealthcareService', id: draftOffer,
      extension: [{ url: `${ROR}ror-healthcareservice-sensitive-unit`, valueBoolean: false }],
      active: true, providedBy: { reference: 'Organization/rpps-site-fixture' },
      type: [{ coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite', code: '05', display: 'Ambulatoire' }] }],
      name: `${p.profession[1]} — ${p.given} ${p.family}`,
    },
    {
      resourceType: 'PractitionerRole', id: `rpps-role-${p.idNatPS}-fixture`,
      extension: [{ url: `${ROR}ror-practitionerrole-unit-exercise-mode`, valueCodeableConcept: { coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R23-ModeExercice/FHIR/TRE-R23-ModeExercice', code: 'L' }] } }],
      active: true, practitioner: { reference: `Practitioner/${id}` },
      code: [{ coding: [{ system: G15, code: p.profession[0], display: p.profession[1] }] }],
      healthcareService: [{ reference: `HealthcareService/${draftOffer}` }],
    },
  ];
}

/** Writes the fixture professionals as the RPPS import would (lenient, system actor). */
export async function writeRegistrationFixtures(store: ResourceStore): Promise<void> {
  for (const p of Object.values(FIXTURE_PROFESSIONALS)) {
    for (const r of resources(p)) await store.update(r, { ...SYSTEM_CONTEXT, source: 'rpps', validation: 'lenient' });
  }
}
