/**
 * The resource types this server stores, each with its table. The ROR profiles apply to the first six;
 * Questionnaire holds the entry templates, Measure/MeasureReport the indicators, Subscription the
 * consumers' notification requests.
 */
export const RESOURCE_TYPES = [
  'Organization',
  'HealthcareService',
  'Location',
  'Practitioner',
  'PractitionerRole',
  'Task',
  'Questionnaire',
  'Measure',
  'MeasureReport',
  'Subscription',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

export function isResourceType(t: unknown): t is ResourceType {
  return typeof t === 'string' && (RESOURCE_TYPES as readonly string[]).includes(t);
}

/** Table holding the current version of each resource of a type (snake case of the type). */
export function tableOf(type: ResourceType): string {
  return type.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Canonical URL of the ROR profile a type must conform to, when the IG defines one. */
export const ROR_PROFILES: Partial<Record<ResourceType, string>> = {
  Organization: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-organization',
  HealthcareService: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice',
  Location: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-location',
  Practitioner: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitioner',
  PractitionerRole: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-practitionerrole',
  Task: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-task',
  Questionnaire: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-questionnaire',
};

/** The NOS code system of the source-region tag (meta.tag), TRE_R30. */
export const REGION_TAG_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';
