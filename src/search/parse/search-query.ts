/**
 * The parsed form of a search request: criteria (AND of OR-lists) and result controls.
 * Produced by parse-request.ts, consumed by the SQL compiler (../compile).
 */
import type { ResourceType } from '../../fhir/resource-types.ts';
import type { SearchParam } from '../registry/search-parameter.ts';

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';

export type Value =
  | { kind: 'token'; system?: string; code?: string; /** :of-type `typeSystem|typeCode` */ identType?: string }
  | { kind: 'string'; text: string }
  | { kind: 'reference'; type?: string; id?: string; url?: string }
  | { kind: 'date'; prefix: Prefix; lo: Date; hi: Date }
  | { kind: 'number'; prefix: Prefix; value: number; lo: number; hi: number; system?: string; code?: string }
  | { kind: 'uri'; uri: string }
  | { kind: 'near'; lat: number; lon: number; meters: number };

/** One hop of a chain `organization.` / `location.`: a reference parameter and the type it leads to. */
export interface ChainLink {
  param: SearchParam;
  target: ResourceType;
}

export type Criterion =
  /** A parameter test: OR over `values`; `chain` hops from the searched type to `param.base`. */
  | {
      kind: 'param';
      name: string;
      chain: ChainLink[];
      param: SearchParam;
      modifier?: string;
      values: Value[];
      /** `:above` on an Organization parameter: the match or any organization under it (partOf tree). */
      hierarchy?: boolean;
      /** `:not`: no value of the (innermost) resource matches. */
      negate?: boolean;
    }
  | { kind: 'missing'; name: string; chain: ChainLink[]; param: SearchParam; missing: boolean }
  /** `_has:Type:ref:…`: resources referenced through `ref` by a `type` resource matching `inner`. */
  | { kind: 'has'; name: string; type: ResourceType; ref: SearchParam; inner: Criterion }
  | {
      kind: 'content'; name: string; chain: ChainLink[]; text: string;
      /** Full-text queries after typo expansion (set by the engine): any close word, and the closest. */
      tsquery?: { all: string; best: string };
    }
  | { kind: 'and'; items: Criterion[] }
  | { kind: 'or'; items: Criterion[] }
  | { kind: 'not'; item: Criterion };

export interface IncludeSpec {
  source: ResourceType;
  /** Reference parameter code, or `*` for all of them. */
  param: string;
  target?: ResourceType;
  iterate: boolean;
  rev: boolean;
}

export interface SortKey {
  /** `_id`, `_lastUpdated`, `_score`, `distance` or a parameter code. */
  key: string;
  param?: SearchParam;
  desc: boolean;
}

export interface SearchQuery {
  type: ResourceType;
  criteria: Criterion[];
  count: number;
  sort: SortKey[];
  total: 'none' | 'estimate' | 'accurate';
  summaryCount: boolean;
  /** `_summary=true | text | data`: the elements kept in every returned resource (bundle/summary.ts). */
  summary?: 'true' | 'text' | 'data';
  elements?: string[];
  includes: IncludeSpec[];
  cursor?: string;
  /** Centre of a near / near-insee-code criterion, for distances and the distance sort. */
  near?: { lat: number; lon: number; meters: number; chained: boolean; /** first-hop reference when chained one level (`location`) */ via?: string };
  /** Parameters as received, minus the cursor: the base of the paging links. */
  linkParams: [string, string][];
}

export const DEFAULT_COUNT = 200;
export const MAX_COUNT = 200;
