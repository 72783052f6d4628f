/**
 * A small EHPAD for the edit-form tests: its legal entity, its site (FINESS category 500, TRE_R66), a place with
 * installed places and one offer (hébergement, soins d'hygiène médicalisés) complete enough to be saved strictly,
 * but without its reception type (temporalité d'accueil) that the EHPAD entry template requires.
 * Real NOS codes; the FINESS-like numbers (78999…) are not real establishments.
 */
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { rorExt, tre } from '../validation/profiles/urls.ts';

const cc = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const region = { tag: [{ system: tre('R30-RegionOM'), code: '11' }] };
const CTX: RequestContext = { actor: { id: 'form-tests', kind: 'system' }, source: 'cli' };

export const EHPAD = { ej: 'test-ej-ehpad', eg: 'test-eg-ehpad', place: 'test-lieu-ehpad', offer: 'test-offre-ehpad' } as const;

export function ehpadResources(): Resource[] {
  return [
    { resourceType: 'Organization', id: EHPAD.ej, meta: region, active: true, name: 'Association Les Tilleuls',
      identifier: [{ system: 'https://finess.esante.gouv.fr', value: '789990001', type: cc(tre('G07-TypeIdentifiantStructure'), '1') }] },
    { resourceType: 'Organization', id: EHPAD.eg, meta: region, active: true, name: 'EHPAD Les Tilleuls',
      identifier: [{ system: 'https://finess.esante.gouv.fr', value: '789990002', type: cc(tre('G07-TypeIdentifiantStructure'), '1') }],
      type: [cc(tre('R66-CategorieEtablissement'), '500', "Etablissement d'hébergement pour personnes âgées dépendantes")],
      partOf: { reference: `Organization/${EHPAD.ej}` },
      address: [{ line: ['3 rue des Tilleuls'], postalCode: '78520', city: 'Limay' }] },
    { resourceType: 'Location', id: EHPAD.place, meta: region, status: 'active', name: 'EHPAD Les Tilleuls — bâtiment A',
      extension: [{ url: rorExt('ror-commune-cog'), valueCodeableConcept: cc(tre('R13-CommuneOM'), '78335', 'Limay') }],
      operationalStatus: { system: tre('R203-StatutLieu'), code: '3', display: 'Opérationnel' },
      position: { latitude: 48.99452, longitude: 1.74013 },
      managingOrganization: { reference: `Organization/${EHPAD.eg}` } },
    {
      resourceType: 'HealthcareService', id: EHPAD.offer, meta: region,
      extension: [
        { url: rorExt('ror-healthcareservice-sensitive-unit'), valueBoolean: false },
        { url: rorExt('ror-healthcareservice-patient-type'), extension: [
          { url: 'supportedPatientInfo', valueCodeableConcept: cc(tre('R239-PublicPrisEnCharge'), '01', "Personnes âgées en perte d'autonomie (PA) et aidants") },
          { url: 'ageRange', valueRange: { low: { value: 60, unit: 'a', code: 'a' }, high: { value: 120, unit: 'a', code: 'a' } } },
        ] },
      ],
      identifier: [{ system: 'urn:ror:identifiant-offre', value: `11/${EHPAD.offer}` }],
      active: true,
      providedBy: { reference: `Organization/${EHPAD.eg}` },
      type: [cc(tre('R227-ChampActivite'), '04', 'Médico-social (MS)')],
      specialty: [cc(tre('R211-ActiviteOperationnelle'), '288', "Soins d'hygiène médicalisés")],
      characteristic: [cc(tre('R213-ModePriseEnCharge'), '46', 'Hébergement (accueil jour et nuit)')],
      location: [{ reference: `Location/${EHPAD.place}` }],
      name: 'Hébergement permanent',
    },
  ];
}

export async function writeEhpad(store: ResourceStore): Promise<void> {
  for (const r of ehpadResources()) await store.update(r, CTX);
}
