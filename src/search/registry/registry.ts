/**
 * The search parameters the server knows, per resource type: standard R4 + ROR IG (fixed) +
 * server-computed ones, with the dedicated columns of the high-traffic parameters. Built once.
 */
import { RESOURCE_TYPES, type ResourceType } from '../../fhir/resource-types.ts';
import { loadRorSearchParameters } from './ror-parameters.ts';
import { ADDRESS_PARTS, type DedicatedColumn, type SearchParam } from './search-parameter.ts';
import { loadStandardSearchParameters } from './standard-parameters.ts';

/** Parameters stored in a column of the resource table (migration 020), besides the generic index. */
const DEDICATED: Partial<Record<ResourceType, Record<string, DedicatedColumn>>> = {
  HealthcareService: {
    specialty: { kind: 'token-array', column: 'specialty' },
    'service-type': { kind: 'token-array', column: 'service_type' },
    characteristic: { kind: 'token-array', column: 'characteristic' },
    'patient-type': { kind: 'token-array', column: 'patient_type' },
    'intervention-zone': { kind: 'token-array', column: 'intervention_zone' },
    'age-range-low': { kind: 'number', column: 'age_low' },
    'age-range-high': { kind: 'number', column: 'age_high' },
  },
  Location: {
    'commune-cog': { kind: 'token-array', column: 'commune_cog' },
  },
};

/** `addressParts` of the whole-address string parameters of one type (see SearchParam). */
function withAddressParts(params: Map<string, SearchParam>, type: ResourceType): void {
  for (const p of params.values()) {
    if (p.type !== 'string' || p.expression !== `${type}.address`) continue;
    const parts = ADDRESS_PARTS.flatMap((part) => {
      const own = [...params.values()].find((q) => q.type === 'string' && q.expression === `${type}.address.${part}`);
      return own ? [{ part, code: own.code }] : [];
    });
    if (parts.length) params.set(p.code, { ...p, addressParts: { skip: parts.map((x) => x.part), rowParams: [p.code, ...parts.map((x) => x.code)] } });
  }
}

export class SearchParamRegistry {
  private readonly byType = new Map<ResourceType, Map<string, SearchParam>>();
  readonly corrections: { id: string; why: string }[];

  constructor() {
    for (const t of RESOURCE_TYPES) this.byType.set(t, new Map());
    const serverParams: SearchParam[] = RESOURCE_TYPES.flatMap((base) => [
      { code: '_id', base, type: 'token', source: 'server', special: 'id' } satisfies SearchParam,
      { code: '_lastUpdated', base, type: 'date', source: 'server', special: 'lastUpdated' } satisfies SearchParam,
      { code: '_content', base, type: 'special', source: 'server', special: 'content' } satisfies SearchParam,
    ]);
    const ror = loadRorSearchParameters();
    this.corrections = ror.corrections;
    // Later definitions win: ROR over R4 for the same code (none collide today), server last.
    for (const p of [...loadStandardSearchParameters(), ...ror.params, ...serverParams]) {
      const column = DEDICATED[p.base]?.[p.code];
      this.byType.get(p.base)!.set(p.code, column ? { ...p, column } : p);
    }
    for (const [type, params] of this.byType) withAddressParts(params, type);
  }

  get(type: ResourceType, code: string): SearchParam | undefined {
    return this.byType.get(type)?.get(code);
  }

  /** All parameters of a type (for the CapabilityStatement and the indexer). */
  all(type: ResourceType): SearchParam[] {
    return [...(this.byType.get(type)?.values() ?? [])];
  }

  /** Parameters whose values are extracted with FHIRPath at write time. */
  indexed(type: ResourceType): SearchParam[] {
    return this.all(type).filter((p) => p.expression !== undefined && p.special !== 'near-insee-code');
  }
}

let shared: SearchParamRegistry | undefined;

/** The process-wide registry (definitions are static). */
export function searchParamRegistry(): SearchParamRegistry {
  shared ??= new SearchParamRegistry();
  return shared;
}
