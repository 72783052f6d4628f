/** Code systems and extension URLs the coordinator search reads (ROR IG 0.7.0, NOS). */
import { SYSTEM } from '../terminology/systems.ts';
import { nos, rorExt } from '../validation/profiles/urls.ts';

export const SYSTEMS = {
  activity: SYSTEM.activity,
  careMode: SYSTEM.careMode,
  field: SYSTEM.field,
  publicType: SYSTEM.audience,
  receptionModality: SYSTEM.receptionModality,
  profession: SYSTEM.profession,
  capacityStatus: SYSTEM.capacityStatus,
  confidentiality: SYSTEM.confidentiality,
  commune: SYSTEM.commune,
} as const;

/** The value sets behind the "besoin" autocomplete, and the search parameter each one fills. */
export const NEED_VALUE_SETS = [
  { param: 'activity', url: nos('JDV_J17-ActiviteOperationnelle-ROR'), system: SYSTEMS.activity },
  { param: 'profession', url: nos('JDV_J186-ProfessionRessource-ROR'), system: SYSTEMS.profession },
  { param: 'careMode', url: nos('JDV_J19-ModePriseEnCharge-ROR'), system: SYSTEMS.careMode },
  { param: 'public', url: nos('JDV_J29-PublicPrisEnCharge-ROR'), system: SYSTEMS.publicType },
] as const;

export const EXT = {
  patientType: rorExt('ror-healthcareservice-patient-type'),
  sensitiveUnit: rorExt('ror-healthcareservice-sensitive-unit'),
  territorialDivision: rorExt('ror-territorial-division'),
  contact: rorExt('ror-healthcareservice-contact'),
  contactTelecom: rorExt('ror-healthcareservice-contact-telecom'),
  confidentiality: rorExt('ror-confidentiality-level'),
  telecomConfidentiality: rorExt('ror-telecom-confidentiality-level'),
  telecomChannel: rorExt('ror-telecom-communication-channel'),
  supportedCapacity: rorExt('ror-location-supported-capacity'),
  communeCog: rorExt('ror-commune-cog'),
} as const;

/** Field of activity (TRE_R227) labels as coordinators say them. */
export const FIELD_LABELS: Record<string, string> = {
  '01': 'MCO', '02': 'SMR', '03': 'Psychiatrie', '04': 'Médico-social', '05': 'Ville (ambulatoire)',
};

/** Home visits: reception modality "Visite à domicile" (TRE_R338 05), care modes "Sur les lieux de vie" (49) and HAD (31). */
export const HOME_VISIT = { receptionModality: ['05'], careMode: ['49', '31'] } as const;
