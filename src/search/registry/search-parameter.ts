import type { ResourceType } from '../../fhir/resource-types.ts';

export type SearchParamType = 'token' | 'string' | 'reference' | 'date' | 'number' | 'quantity' | 'uri' | 'special';

/**
 * Where the values of a parameter live besides the generic index tables: a dedicated column of
 * the resource table, for the high-traffic parameters (see migration 020_search_index.sql).
 */
export type DedicatedColumn =
  /** text[] with GIN: `system|code` and `code` keys of every coding (see tokenKeys). */
  | { kind: 'token-array'; column: string }
  /** numeric column holding the single value (first one) — age ranges. */
  | { kind: 'number'; column: string };

/** The Address elements that may have their own string parameter (`address-city`…), as FHIRPath names. */
export const ADDRESS_PARTS = ['city', 'district', 'state', 'postalCode', 'country'];

/** One search parameter as the server understands it, after the IG's defects are fixed. */
export interface SearchParam {
  code: string;
  base: ResourceType;
  type: SearchParamType;
  /** FHIRPath evaluated at write time, restricted to this base type. Absent for server-computed ones. */
  expression?: string;
  /** Reference targets (reference parameters). */
  targets?: ResourceType[];
  /** Canonical URL of the definition this parameter comes from. */
  url?: string;
  source: 'r4' | 'ror' | 'server';
  column?: DedicatedColumn;
  /**
   * A string parameter over whole addresses (`Location.address`) whose parts also have their own parameter
   * (`Location.address.city`…): those parts are indexed under their own parameter only (`skip`), and the rows of
   * `rowParams` (this code and theirs) together answer this one — the same values, one row each instead of two.
   */
  addressParts?: { skip: string[]; rowParams: string[] };
  /** How the value is obtained when not through the generic index (`_id`, `_lastUpdated`, geo, full text). */
  special?: 'id' | 'lastUpdated' | 'near' | 'near-insee-code' | 'content';
}
