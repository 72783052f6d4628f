/**
 * The `$export` kick-off parameters (FHIR Bulk Data 2.0, with the ROR `includeAssociatedData=
 * _myCompleteExtract`), checked and turned into an ExportRequest kept with the job.
 */
import { errors, fhirError } from '../../fhir/outcome.ts';
import { isResourceType, type ResourceType } from '../../fhir/resource-types.ts';

/** Types a system-level export writes by default (Subscription holds consumers' endpoints: never exported). */
export const EXPORT_TYPES: ResourceType[] = [
  'Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole', 'Task', 'Questionnaire', 'Measure', 'MeasureReport',
];

/** What `_myCompleteExtract` adds to the offers: their organizations (partOf chain), places, practices and practitioners. */
export const ASSOCIATED_TYPES: ResourceType[] = ['Organization', 'Location', 'PractitionerRole', 'Practitioner'];

const NDJSON_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const KNOWN = new Set(['_outputFormat', '_type', '_since', '_typeFilter', 'includeAssociatedData']);

export interface ExportRequest {
  level: 'system' | 'type';
  /** Types written, in order; `selected` are chosen by `_type` (and `_typeFilter`), the others only as associated data. */
  types: ResourceType[];
  selected: ResourceType[];
  since?: string;
  /** Per type, the `_typeFilter` queries (OR-ed), each a list of search parameters. */
  typeFilters: Partial<Record<ResourceType, [string, string][][]>>;
  associated: boolean;
  /** The kick-off URL, echoed in the manifest. */
  requestUrl: string;
  baseUrl: string;
}

function splitList(params: [string, string][], name: string): string[] {
  return params.filter(([k]) => k === name).flatMap(([, v]) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

export function parseExportRequest(params: [string, string][], pathType: string | undefined, baseUrl: string, requestUrl: string): ExportRequest {
  const unknown = params.map(([k]) => k).filter((k) => !KNOWN.has(k));
  if (unknown.length) {
    throw fhirError(400, 'not-supported', `Paramètre de $export non pris en charge : ${unknown[0].slice(0, 40)}`, `Unsupported $export parameter: ${unknown[0].slice(0, 40)}`, unknown[0]);
  }
  const format = params.find(([k]) => k === '_outputFormat')?.[1];
  if (format !== undefined && !NDJSON_FORMATS.has(format)) {
    throw fhirError(400, 'not-supported', `_outputFormat non pris en charge (${format.slice(0, 60)}) : application/fhir+ndjson seulement`, 'Unsupported _outputFormat: only application/fhir+ndjson', '_outputFormat');
  }
  if (pathType !== undefined && !EXPORT_TYPES.includes(pathType as ResourceType)) {
    throw fhirError(404, 'not-supported', `Export non disponible pour le type ${pathType.slice(0, 40)}`, `Export not available for type ${pathType.slice(0, 40)}`);
  }
  const asked = splitList(params, '_type');
  for (const t of asked) {
    if (!isResourceType(t) || !EXPORT_TYPES.includes(t)) throw errors.invalid(`_type : type non exportable ${t.slice(0, 40)}`, `_type: type not exportable: ${t.slice(0, 40)}`, '_type');
    if (pathType && t !== pathType) throw errors.invalid(`_type (${t}) hors du type de l'export (${pathType})`, `_type ${t} is not the export type ${pathType}`, '_type');
  }
  const selected = [...new Set(asked.length ? asked : pathType ? [pathType] : EXPORT_TYPES)] as ResourceType[];

  const sinceRaw = params.find(([k]) => k === '_since')?.[1];
  if (sinceRaw !== undefined && (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(sinceRaw) || Number.isNaN(Date.parse(sinceRaw)))) {
    throw errors.invalid('_since doit être un instant ISO 8601 (ex. 2026-01-31T12:00:00Z)', '_since must be an ISO 8601 instant', '_since');
  }

  const typeFilters: ExportRequest['typeFilters'] = {};
  for (const raw of params.filter(([k]) => k === '_typeFilter').map(([, v]) => v)) {
    const q = raw.indexOf('?');
    const t = q > 0 ? raw.slice(0, q) : '';
    if (!isResourceType(t) || !selected.includes(t)) {
      throw errors.invalid(`_typeFilter doit porter sur un type exporté (Type?critères) : ${raw.slice(0, 80)}`, `_typeFilter must be Type?criteria for an exported type: ${raw.slice(0, 80)}`, '_typeFilter');
    }
    const criteria = [...new URLSearchParams(raw.slice(q + 1)).entries()] as [string, string][];
    if (criteria.some(([k]) => ['_include', '_revinclude', '_sort', '_count', '_cursor', '_elements', '_summary'].includes(k.split(':')[0]))) {
      throw errors.invalid('_typeFilter : critères de recherche seulement (pas de _include, _sort, _count…)', '_typeFilter: search criteria only (no _include, _sort, _count…)', '_typeFilter');
    }
    (typeFilters[t] ??= []).push(criteria);
  }

  const include = splitList(params, 'includeAssociatedData');
  const other = include.filter((v) => v !== '_myCompleteExtract');
  if (other.length) {
    throw fhirError(400, 'not-supported', `includeAssociatedData non pris en charge : ${other[0].slice(0, 40)} (seulement _myCompleteExtract)`, `Unsupported includeAssociatedData ${other[0].slice(0, 40)} (only _myCompleteExtract)`, 'includeAssociatedData');
  }
  const associated = include.length > 0;
  if (associated && !selected.includes('HealthcareService')) {
    throw errors.invalid('_myCompleteExtract part des offres : ajoutez HealthcareService à _type', '_myCompleteExtract starts from offers: add HealthcareService to _type', 'includeAssociatedData');
  }
  const types = associated ? [...new Set([...selected, ...ASSOCIATED_TYPES])] : selected;
  // Writing order: offers first, so that associated data is selected from them.
  types.sort((a, b) => EXPORT_TYPES.indexOf(a) - EXPORT_TYPES.indexOf(b));
  return { level: pathType ? 'type' : 'system', types, selected, since: sinceRaw, typeFilters, associated, requestUrl, baseUrl };
}
