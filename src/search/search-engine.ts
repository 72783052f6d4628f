import type { Bundle } from '../fhir/types.ts';
import type { ResourceType } from '../fhir/resource-types.ts';
import type { RequestContext } from '../store/context.ts';

/** A search request as received: parameters in order, repeated names kept (repeated = AND). */
export interface SearchRequest {
  /** Undefined for a system-level search (`GET [base]?…`). */
  resourceType?: ResourceType;
  params: [name: string, value: string][];
  /** Base URL of the FHIR API, for `fullUrl` and `Bundle.link` (e.g. `http://host:8080/fhir`). */
  baseUrl: string;
  /** `Prefer: handling=lenient`: unknown parameters are ignored (and reported) instead of a 400. */
  lenient?: boolean;
  ctx: RequestContext;
}

/** FHIR search over the store: compiles a SearchRequest to SQL and returns a searchset Bundle. */
export interface SearchEngine {
  search(req: SearchRequest): Promise<Bundle>;
  /** The search parameters supported for a type, for the CapabilityStatement. */
  supportedParameters?(type: ResourceType): { name: string; type: string; definition?: string; documentation?: string }[];
  /** The `_include` / `_revinclude` values accepted for a type, for the CapabilityStatement. */
  includes?(type: ResourceType): { include: string[]; revInclude: string[] };
}
