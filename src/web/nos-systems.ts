/** Code systems and extension URLs the coordinator search reads (ROR IG 0.7.0, NOS). */
const NOS = 'https://mos.esante.gouv.fr/NOS';
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition';

export const SYSTEMS = {
  activity: `${NOS}/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle`,
  careMode: `${NOS}/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge`,
  field: `${NOS}/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite`,
  publicType: `${NOS}/TRE_R239-PublicPrisEnCharge/FHIR/TRE-R239-PublicPrisEnCharge`,
  receptionModality: `${NOS}/TRE_R338-ModaliteAccueil/FHIR/TRE-R338-ModaliteAccueil`,
  profession: `${NOS}/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante`,
  capacityStatus: `${NOS}/TRE_R330-TypeStatutCapacite/FHIR/TRE-R330-TypeStatutCapacite`,
  confidentiality: `${NOS}/TRE_R283-NiveauConfidentialite/FHIR/TRE-R283-NiveauConfidentialite`,
  commune: `${NOS}/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM`,
} as const;

/** The value sets behind the "besoin" autocomplete, and the search parameter each one fills. */
export const NEED_VALUE_SETS = [
  { param: 'activity', url: `${NOS}/JDV_J17-ActiviteOperationnelle-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR`, system: SYSTEMS.activity },
  { param: 'profession', url: `${NOS}/JDV_J186-ProfessionRessource-ROR/FHIR/JDV-J186-ProfessionRessource-ROR`, system: SYSTEMS.profession },
  { param: 'careMode', url: `${NOS}/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR`, system: SYSTEMS.careMode },
  { param: 'public', url: `${NOS}/JDV_J29-PublicPrisEnCharge-ROR/FHIR/JDV-J29-PublicPrisEnCharge-ROR`, system: SYSTEMS.publicType },
] as const;

export const EXT = {
  patientType: `${SD}/ror-healthcareservice-patient-type`,
  sensitiveUnit: `${SD}/ror-healthcareservice-sensitive-unit`,
  territorialDivision: `${SD}/ror-territorial-division`,
  contact: `${SD}/ror-healthcareservice-contact`,
  contactTelecom: `${SD}/ror-healthcareservice-contact-telecom`,
  confidentiality: `${SD}/ror-confidentiality-level`,
  telecomConfidentiality: `${SD}/ror-telecom-confidentiality-level`,
  telecomChannel: `${SD}/ror-telecom-communication-channel`,
  supportedCapacity: `${SD}/ror-location-supported-capacity`,
  communeCog: `${SD}/ror-commune-cog`,
} as const;

/** Field of activity (TRE_R227) labels as coordinators say them. */
export const FIELD_LABELS: Record<string, string> = {
  '01': 'MCO', '02': 'SMR', '03': 'Psychiatrie', '04': 'Médico-social', '05': 'Ville (ambulatoire)',
};

/** Home visits: reception modality "Visite à domicile" (TRE_R338 05), care modes "Sur les lieux de vie" (49) and HAD (31). */
export const HOME_VISIT = { receptionModality: ['05'], careMode: ['49', '31'] } as const;
