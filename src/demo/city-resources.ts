/**
 * Builders of the resources of a private practice (cabinet): the professional (Practitioner), the cabinet
 * (Organization + Location), its offers (HealthcareService, one per activity as the ROR models it) and the
 * professional's situation (PractitionerRole). Shared by the demo (one professional per cabinet) and the
 * national generator (src/generate, group practices).
 */
import type { Resource } from '../fhir/types.ts';
import { cc, communeCog, interventionZone, offerContact, patientType, rorExt, rorTelecom, SYSTEM } from './codes.ts';

type Meta = Resource['meta'];
export interface Address { use: string; line: string[]; postalCode?: string; city: string; country: string }

export function weekdays(start: string, end: string) {
  return [1, 2, 3, 4, 5].map((d) => ({
    extension: [
      { url: rorExt('ror-available-time-number-days-of-week'), valueInteger: d },
      { url: rorExt('ror-available-time-type-of-time'), valueCodeableConcept: cc('https://mos.esante.gouv.fr/NOS/TRE_R252-TypeHoraire/FHIR/TRE-R252-TypeHoraire', '01', "Horaire d'ouverture") },
    ],
    daysOfWeek: [['mon', 'tue', 'wed', 'thu', 'fri'][d - 1]],
    availableStartTime: start,
    availableEndTime: end,
  }));
}

export function practitioner(id: string, meta: Meta, rpps: string, given: string, family: string, mss: string): Resource {
  return {
    resourceType: 'Practitioner', id, meta,
    identifier: [{ system: SYSTEM.rpps, value: rpps }],
    active: true,
    name: [{ family: family.toUpperCase(), given: [given] }],
    telecom: [rorTelecom('email', mss, '3', '2')],
  };
}

export function cabinetOrganization(id: string, meta: Meta, name: string, phone: string, address: Address): Resource {
  return {
    resourceType: 'Organization', id, meta,
    active: true,
    name,
    telecom: [rorTelecom('phone', phone, '2', '1')],
    address: [address],
  };
}

export function cabinetLocation(
  id: string, meta: Meta, organizationId: string, name: string, commune: { code: string; name: string },
  phone: string, address: Address, position: { latitude: number; longitude: number },
): Resource {
  return {
    resourceType: 'Location', id, meta,
    extension: [communeCog(commune.code, commune.name)],
    status: 'active',
    operationalStatus: { system: SYSTEM.placeStatus, code: '3', display: 'Opérationnel' },
    name,
    telecom: [rorTelecom('phone', phone, '2', '1')],
    address,
    position,
    managingOrganization: { reference: `Organization/${organizationId}` },
  };
}

export interface CityOfferSpec {
  id: string;
  meta: Meta;
  /** Source region code, prefix of the functional identifier. */
  region: string;
  organizationId: string;
  locationId: string;
  activity: { code: string; display: string };
  ageLow: number;
  name: string;
  phone: string;
  /** Secure messaging address of the offer, when it has one. */
  mss?: string;
  homeVisits: boolean;
  zone: { code: string; name: string }[];
  hours: [start: string, end: string];
  comment?: string;
}

/** A city offer: field 05 Ambulatoire, consultation, home visits when done, with its intervention zone. */
export function cityOffer(o: CityOfferSpec): Resource {
  return {
    resourceType: 'HealthcareService', id: o.id, meta: o.meta,
    extension: [
      { url: rorExt('ror-healthcareservice-sensitive-unit'), valueBoolean: false },
      patientType([{ code: '07', display: 'Tout public' }], o.ageLow, 120),
      ...interventionZone(o.zone),
      offerContact(o.phone),
    ],
    identifier: [{ system: 'urn:ror:identifiant-offre', value: `${o.region}/${o.id}` }],
    active: true,
    providedBy: { reference: `Organization/${o.organizationId}` },
    type: [cc(SYSTEM.field, '05', 'Ambulatoire')],
    specialty: [cc(SYSTEM.activity, o.activity.code, o.activity.display)],
    location: [{ reference: `Location/${o.locationId}` }],
    name: o.name,
    telecom: o.mss ? [rorTelecom('email', o.mss, '3', '2')] : undefined,
    characteristic: [
      cc(SYSTEM.careMode, '32', 'Consultation (CS)'),
      cc(SYSTEM.receptionModality, '03', 'Consultation en présentiel'),
      ...(o.homeVisits ? [cc(SYSTEM.receptionModality, '05', 'Visite à domicile')] : []),
    ],
    availableTime: weekdays(o.hours[0], o.hours[1]),
    comment: o.comment,
  };
}

/** A liberal practice (exercise mode L) of a professional in a cabinet, for one or more of its offers. */
export function practitionerRole(
  id: string, meta: Meta, ids: { practitioner: string; organization: string; location: string; offers: string[] },
  profession: { code: string; display: string },
): Resource {
  return {
    resourceType: 'PractitionerRole', id, meta,
    extension: [{ url: rorExt('ror-practitionerrole-unit-exercise-mode'), valueCodeableConcept: cc(SYSTEM.exerciseMode, 'L', 'Libéral, indépendant, artisan, commerçant') }],
    active: true,
    practitioner: { reference: `Practitioner/${ids.practitioner}` },
    organization: { reference: `Organization/${ids.organization}` },
    healthcareService: ids.offers.map((o) => ({ reference: `HealthcareService/${o}` })),
    location: [{ reference: `Location/${ids.location}` }],
    code: [cc(SYSTEM.profession, profession.code, profession.display)],
  };
}

/** A secure-messaging-like address: lower case, no accents, spaces as hyphens. */
export function mssAddress(given: string, family: string, domain: string): string {
  return `${given}.${family}@${domain}.mssante.fr`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ /g, '-');
}
