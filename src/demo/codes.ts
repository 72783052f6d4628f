/**
 * Codes and URLs the demo dataset uses, all taken from the NOS files in shared/data/nos (never invented).
 * Code systems whose TRE name is not in our NOS files are written with their OID, as the JDV files give it.
 */
import { SYSTEM, cc } from '../terminology/systems.ts';
import { rorExt, tre } from '../validation/profiles/urls.ts';

export { rorExt, tre };

export { SYSTEM, cc };

/** Marks every synthetic resource of the demo: no real person or offer behind it. */
export const SYNTHETIC_TAG = {
  system: 'urn:ror:origine-donnees',
  code: 'synthetique',
  display: 'Donnée synthétique de démonstration (aucune personne ni offre réelle)',
};


/** A telecom following the ROR pattern: channel and confidentiality level are mandatory. */
export function rorTelecom(system: 'phone' | 'email', value: string, channel: '1' | '2' | '3', level: '1' | '2' | '3' = '1') {
  return {
    extension: [
      { url: rorExt('ror-telecom-communication-channel'), valueCodeableConcept: cc(SYSTEM.channel, channel) },
      { url: rorExt('ror-telecom-confidentiality-level'), valueCodeableConcept: cc(SYSTEM.confidentiality, level) },
    ],
    system,
    value,
  };
}

/** The patient-type extension: who is served, and the age range in years. */
export function patientType(audience: { code: string; display: string }[], low: number, high: number) {
  return {
    url: rorExt('ror-healthcareservice-patient-type'),
    extension: [
      ...audience.map((a) => ({ url: 'supportedPatientInfo', valueCodeableConcept: cc(SYSTEM.audience, a.code, a.display) })),
      { url: 'ageRange', valueRange: { low: { value: low, unit: 'a', code: 'a' }, high: { value: high, unit: 'a', code: 'a' } } },
    ],
  };
}

/** The intervention zone (type 3) over a list of communes. */
export function interventionZone(communes: { code: string; name: string }[]) {
  return communes.map((c) => ({
    url: rorExt('ror-territorial-division'),
    extension: [
      { url: 'typeTerritorialDivision', valueCodeableConcept: cc(SYSTEM.divisionType, '3', "Zone d'intervention") },
      { url: 'codeTerritorialDivision', valueCodeableConcept: cc(SYSTEM.commune, c.code, c.name) },
    ],
  }));
}

export function communeCog(code: string, name: string) {
  return { url: rorExt('ror-commune-cog'), valueCodeableConcept: cc(SYSTEM.commune, code, name) };
}

/** One capacity record (ror-location-supported-capacity): beds or places with a status, today. */
export function capacity(kind: 'lit' | 'place', status: '01' | '02' | '05', count: number, updatedAt: string) {
  const sub = (url: string, system: string, code: string, display?: string) => ({ url, valueCodeableConcept: cc(system, code, display) });
  const statusLabel = { '01': 'Installé', '02': 'Disponible', '05': 'Fermé' }[status];
  return {
    url: rorExt('ror-location-supported-capacity'),
    extension: [
      sub('capacityType', SYSTEM.capacityType, kind === 'lit' ? '01' : '02', kind === 'lit' ? 'Lit' : 'Place'),
      sub('capacityStatus', SYSTEM.capacityStatus, status, statusLabel),
      sub('temporalityCapacity', SYSTEM.capacityTemporality, '01', 'Courant'),
      { url: 'nbCapacity', valueInteger: count },
      sub('capacitySourceType', SYSTEM.capacitySource, '01', 'Saisie manuelle'),
      { url: 'capacityUpdateDate', valueDateTime: updatedAt },
      sub('temporaryAssignement', SYSTEM.temporaryAssignment, '01', 'Aucune'),
    ],
  };
}

/** The contact of an offer (ror-healthcareservice-contact): a public phone line, standard purpose. */
export function offerContact(phone: string) {
  return {
    url: rorExt('ror-healthcareservice-contact'),
    extension: [
      { url: 'purposeContact', valueCodeableConcept: cc(SYSTEM.contactPurpose, '06', 'Standard') },
      { url: rorExt('ror-confidentiality-level'), valueCodeableConcept: cc(SYSTEM.confidentiality, '1', 'Accès libre') },
      {
        url: rorExt('ror-healthcareservice-contact-telecom'),
        extension: [
          { url: rorExt('ror-telecom-communication-channel'), valueCodeableConcept: cc(SYSTEM.channel, '2', 'Téléphone fixe') },
          { url: rorExt('ror-telecom-confidentiality-level'), valueCodeableConcept: cc(SYSTEM.confidentiality, '1', 'Accès libre') },
          { url: 'telecomAddress', valueString: phone },
        ],
      },
    ],
  };
}
