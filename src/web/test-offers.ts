/**
 * A few real-looking offers around Mantes-la-Jolie / Limay / Gargenville (Yvelines) for the web tests, written
 * through the ResourceStore (and the builders of such offers and places). Codes are real NOS codes; positions are the
 * COG 2026 commune centroids.
 */
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { EXT, SYSTEMS } from './nos-systems.ts';

const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition';
const tre = (name: string) => `https://mos.esante.gouv.fr/NOS/TRE_${name}/FHIR/TRE-${name}`;
const cc = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });
const created = { url: `${SD}/ror-meta-creation-date`, valueDateTime: '2024-03-01T09:00:00+01:00' };

/** Test writes are "demo" data, stored leniently like the demo loader's. */
export const TEST_CONTEXT: RequestContext = { actor: { id: 'web-tests', kind: 'system' }, source: 'demo', validation: 'lenient' };

/** COG 2026 centroids (communes-centroides-cog2026.csv). */
export const PLACES = {
  limay: { code: '78335', name: 'Limay', postcode: '78520', lat: 48.99452, lon: 1.74013 },
  mantes: { code: '78361', name: 'Mantes-la-Jolie', postcode: '78200', lat: 48.99833, lon: 1.69409 },
  gargenville: { code: '78267', name: 'Gargenville', postcode: '78440', lat: 48.99256, lon: 1.81104 },
  versailles: { code: '78646', name: 'Versailles', postcode: '78000', lat: 48.80229, lon: 2.1175 },
  poissy: { code: '78498', name: 'Poissy', postcode: '78300', lat: 48.92361, lon: 2.02757 },
} as const;
type PlaceKey = keyof typeof PLACES;

function telecom(value: string, channel: string, level: string, system = 'phone') {
  return {
    extension: [
      { url: EXT.telecomChannel, valueCodeableConcept: cc(tre('R200-CanalCommunication'), channel) },
      { url: EXT.telecomConfidentiality, valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), level) },
    ],
    system,
    value,
  };
}

function organization(id: string, name: string, place: PlaceKey): Resource {
  const p = PLACES[place];
  return {
    resourceType: 'Organization', id, extension: [created], name,
    address: [{ line: ['1 rue de la Santé'], postalCode: p.postcode, city: p.name }],
  };
}

export function location(id: string, name: string, place: PlaceKey, opts: { available?: number; occupied?: number; offsetKm?: number } = {}): Resource {
  const p = PLACES[place];
  const capacity = (status: string, n: number) => ({
    url: EXT.supportedCapacity,
    extension: [
      { url: 'capacityType', valueCodeableConcept: cc(tre('R329-NatureCapacite'), '01') },
      { url: 'capacityStatus', valueCodeableConcept: cc(SYSTEMS.capacityStatus, status) },
      { url: 'temporalityCapacity', valueCodeableConcept: cc(tre('R332-TemporaliteCapacite'), '01') },
      { url: 'nbCapacity', valueInteger: n },
      { url: 'capacitySourceType', valueCodeableConcept: cc(tre('R336-TypeSourceCapacite'), '01') },
      { url: 'capacityUpdateDate', valueDateTime: '2026-11-20T08:00:00+01:00' },
      { url: 'temporaryAssignement', valueCodeableConcept: cc(tre('R337-AffectationTemporaire'), '01') },
    ],
  });
  return {
    resourceType: 'Location', id, name,
    extension: [
      { url: EXT.communeCog, valueCodeableConcept: cc(SYSTEMS.commune, p.code, p.name) },
      created,
      ...(opts.available != null ? [capacity('02', opts.available)] : []),
      ...(opts.occupied != null ? [capacity('03', opts.occupied)] : []),
    ],
    address: { line: ['2 place du Marché'], postalCode: p.postcode, city: p.name },
    // A small offset east of the centroid, so that two places in one commune do not overlap on the map.
    position: { latitude: p.lat, longitude: Math.round((p.lon + (opts.offsetKm ?? 0.3) / 73) * 1e5) / 1e5 },
  };
}

export interface OfferSpec {
  id: string;
  name: string;
  org: string;
  location: string;
  field: string;
  activity: [string, string];
  careMode: [string, string];
  profession?: string;
  homeVisit?: boolean;
  publics?: string[];
  age?: [number, number];
  zone?: string[];
  sensitive?: boolean;
  contacts?: { value: string; level: string; channel?: string }[];
}

export function offer(s: OfferSpec): Resource {
  const patient = {
    url: EXT.patientType,
    extension: [
      ...(s.publics ?? []).map((code) => ({ url: 'supportedPatientInfo', valueCodeableConcept: cc(SYSTEMS.publicType, code) })),
      { url: 'ageRange', valueRange: { low: { value: s.age?.[0] ?? 0, code: 'a' }, high: { value: s.age?.[1] ?? 120, code: 'a' } } },
    ],
  };
  const zones = (s.zone ?? []).map((code) => ({
    url: EXT.territorialDivision,
    extension: [
      { url: 'typeTerritorialDivision', valueCodeableConcept: cc(tre('R201-TypeDivisionTerritoriale'), '3') },
      { url: 'codeTerritorialDivision', valueCodeableConcept: cc(SYSTEMS.commune, code) },
    ],
  }));
  const contacts = s.contacts?.length ? [{
    url: EXT.contact,
    extension: [
      { url: EXT.confidentiality, valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), '1') },
      ...s.contacts.map((c) => ({
        url: EXT.contactTelecom,
        extension: [
          { url: EXT.telecomChannel, valueCodeableConcept: cc(tre('R200-CanalCommunication'), c.channel ?? '2') },
          { url: EXT.telecomConfidentiality, valueCodeableConcept: cc(tre('R283-NiveauConfidentialite'), c.level) },
          { url: 'telecomAddress', valueString: c.value },
        ],
      })),
    ],
  }] : [];
  return {
    resourceType: 'HealthcareService',
    id: s.id,
    extension: [
      { url: EXT.sensitiveUnit, valueBoolean: s.sensitive ?? false },
      patient,
      created,
      ...zones,
      ...contacts,
    ],
    identifier: [{ type: cc(tre('R355-TypeIdentifiantOffre'), '35'), value: `11/${s.id}` }],
    providedBy: { reference: `Organization/${s.org}` },
    type: [cc(SYSTEMS.field, s.field)],
    specialty: [cc(SYSTEMS.activity, s.activity[0], s.activity[1])],
    location: [{ reference: `Location/${s.location}` }],
    name: s.name,
    characteristic: [
      cc(SYSTEMS.careMode, s.careMode[0], s.careMode[1]),
      ...(s.homeVisit ? [cc(SYSTEMS.receptionModality, '05', 'Visite à domicile')] : []),
      ...(s.profession ? [cc(SYSTEMS.profession, s.profession)] : []),
    ],
  };
}

export const TEST_ORGANIZATIONS = [
  organization('org-cabinet-limay', 'Cabinet de kinésithérapie de Limay', 'limay'),
  organization('org-sf-mantes', 'Cabinet de sages-femmes du Mantois', 'mantes'),
  organization('org-smr-mantes', 'Clinique SMR du Mantois', 'mantes'),
  organization('org-smr-versailles', 'Centre de réadaptation de Versailles', 'versailles'),
  organization('org-ime-poissy', 'IME Les Tilleuls', 'poissy'),
];

export const TEST_LOCATIONS = [
  location('loc-kine-limay', 'Cabinet de Limay', 'limay'),
  location('loc-sf-mantes', 'Cabinet du Mantois', 'mantes'),
  location('loc-smr-mantes', 'Unité SMR locomoteur', 'mantes', { available: 3, occupied: 27, offsetKm: 1 }),
  location('loc-smr-versailles', 'Plateau de réadaptation', 'versailles', { available: 0, occupied: 40 }),
  location('loc-ime-poissy', 'Externat', 'poissy'),
];

export const TEST_OFFERS = [
  offer({
    id: 'hs-kine-limay', name: 'Kinésithérapie à domicile — rééducation post-opératoire', org: 'org-cabinet-limay', location: 'loc-kine-limay',
    field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'], profession: '70', homeVisit: true,
    zone: [PLACES.limay.code, PLACES.gargenville.code],
    contacts: [{ value: '01 30 00 00 01', level: '1' }, { value: '06 00 00 00 99', level: '2', channel: '1' }],
  }),
  offer({
    id: 'hs-sf-mantes', name: 'Suivi post-partum à domicile', org: 'org-sf-mantes', location: 'loc-sf-mantes',
    // The profession is carried by the practitioner's role (as for city offers), not by the offer.
    field: '05', activity: ['282', 'Périnatalité (suivi de grossesse)'], careMode: ['32', 'Consultation (CS)'], homeVisit: true,
    zone: [PLACES.mantes.code, PLACES.gargenville.code, PLACES.limay.code],
  }),
  offer({
    id: 'hs-smr-mantes', name: 'SMR locomoteur — hospitalisation complète', org: 'org-smr-mantes', location: 'loc-smr-mantes',
    field: '02', activity: ['233', "Réadaptation des affections de l'appareil locomoteur"], careMode: ['28', 'Hospitalisation complète (HC)'],
  }),
  offer({
    id: 'hs-smr-versailles', name: 'SMR appareil locomoteur', org: 'org-smr-versailles', location: 'loc-smr-versailles',
    field: '02', activity: ['233', "Réadaptation des affections de l'appareil locomoteur"], careMode: ['28', 'Hospitalisation complète (HC)'],
  }),
  offer({
    id: 'hs-ime-poissy', name: 'Accueil de jour enfants avec déficience intellectuelle', org: 'org-ime-poissy', location: 'loc-ime-poissy',
    field: '04', activity: ['300', 'Accompagnements à la scolarisation'], careMode: ['47', 'Accueil de jour'], publics: ['02'], age: [6, 20],
  }),
  // Never listed: a sensitive unit (uniteSensible), next door.
  offer({
    id: 'hs-sensible-limay', name: 'Unité sensible', org: 'org-cabinet-limay', location: 'loc-kine-limay',
    field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'], sensitive: true,
  }),
];

/** The midwife's practice (PractitionerRole): profession Sage-Femme (TRE_G15 50) in the offer hs-sf-mantes. */
export const TEST_ROLES: Resource[] = [{
  resourceType: 'PractitionerRole', id: 'role-sf-mantes',
  extension: [created, { url: `${SD}/ror-practitionerrole-unit-exercise-mode`, valueCodeableConcept: cc(tre('R23-ModeExercice'), 'L') }],
  active: true,
  organization: { reference: 'Organization/org-sf-mantes' },
  healthcareService: [{ reference: 'HealthcareService/hs-sf-mantes' }],
  location: [{ reference: 'Location/loc-sf-mantes' }],
  code: [cc(SYSTEMS.profession, '50', 'Sage-Femme')],
}];

/** Writes the test organisations, places, offers and roles (plus one deleted offer) through the store. */
export async function writeTestOffers(store: ResourceStore): Promise<void> {
  for (const r of [...TEST_ORGANIZATIONS, ...TEST_LOCATIONS, ...TEST_OFFERS, ...TEST_ROLES]) await store.update(structuredClone(r), TEST_CONTEXT);
  const gone = offer({
    id: 'hs-deleted-limay', name: 'Offre supprimée', org: 'org-cabinet-limay', location: 'loc-kine-limay',
    field: '05', activity: ['339', 'Kinésithérapie'], careMode: ['32', 'Consultation (CS)'],
  });
  await store.update(gone, TEST_CONTEXT);
  await store.delete('HealthcareService', 'hs-deleted-limay', TEST_CONTEXT);
}
