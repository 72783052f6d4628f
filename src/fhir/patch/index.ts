/** PATCH support: FHIRPath Patch (`application/fhir+json` Parameters) and JSON Patch (RFC 6902). */
export { applyFhirPathPatch } from './fhirpath-patch.ts';
export type { Parameters, ParametersPart } from './fhirpath-patch.ts';
export { applyJsonPatch } from './json-patch.ts';
export type { JsonPatchOperation } from './json-patch.ts';
