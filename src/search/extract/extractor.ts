/**
 * Resource → index rows: evaluates each SearchParameter's FHIRPath (compiled once per type with
 * the `fhirpath` library and the R4 model) and turns the typed results into token / string /
 * reference / date / number rows, dedicated column values, the geo point and the _content text.
 */
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import type { ResourceType } from '../../fhir/resource-types.ts';
import type { Resource } from '../../fhir/types.ts';
import type { SearchParamRegistry } from '../registry/registry.ts';
import { ADDRESS_PARTS, type SearchParam } from '../registry/search-parameter.ts';
import { MAX_DATE, MIN_DATE, parseDateRange } from './dates.ts';
import { normalizeText } from './normalize.ts';
import { compileFastPath } from './fast-path.ts';
import { tokenKeys } from './token-keys.ts';

export interface TokenRow { param: string; system: string | null; code: string | null; display: string | null; identType: string | null }
export interface StringRow { param: string; norm: string; raw: string }
export interface ReferenceRow { param: string; targetType: string | null; targetId: string | null; url: string | null }
export interface DateRow { param: string; lo: Date; hi: Date }
export interface NumberRow { param: string; value: number; system: string | null; code: string | null }

export interface IndexRows {
  token: TokenRow[];
  string: StringRow[];
  reference: ReferenceRow[];
  date: DateRow[];
  number: NumberRow[];
  /** Dedicated column name → value (text[] keys or a number). */
  columns: Record<string, string[] | number | null>;
  /** Location.position (WGS84). */
  position: { lat: number; lon: number } | null;
  /** Names and nomenclature labels, normalised (for _content). */
  text: string;
}

/** A value returned by fhirpath with `resolveInternalTypes: false`: the data and its FHIR type. */
export interface Node { data: unknown; type: string | undefined }

export type Compiled = (resource: Resource) => Node[];

/** The general FHIRPath engine (fhirpath.js), typed results. */
export function compileWithFhirpath(expression: string, base: ResourceType): Compiled {
  const fn = fhirpath.compile({ expression, base } as never, r4model, { resolveInternalTypes: false });
  return (resource) => {
    const out = fn(resource as never) as unknown[];
    return out.map((v) => {
      const node = v as { data?: unknown; fhirNodeDataType?: string; path?: string } | null;
      if (node && typeof node === 'object' && 'fhirNodeDataType' in node) {
        // Numbers come back wrapped (exact decimal arithmetic): keep the plain JSON number.
        const d = node.data as { asStr?: unknown; value?: unknown } | null;
        const data = d && typeof d === 'object' && 'asStr' in d && typeof d.value === 'number' ? d.value : node.data;
        return { data, type: node.fhirNodeDataType };
      }
      return { data: v, type: undefined };
    });
  };
}

/** Shape-based type guess when the model gives none (extension values reached without a cast). */
function typeOf(n: Node): string {
  if (n.type) return n.type;
  const d = n.data as Record<string, unknown> | string | number | boolean;
  if (typeof d === 'string') return parseDateRange(d) && /^\d{4}/.test(d) ? 'dateTime' : 'string';
  if (typeof d === 'number') return 'decimal';
  if (typeof d === 'boolean') return 'boolean';
  if (d && typeof d === 'object') {
    if (Array.isArray(d.coding) || (typeof d.text === 'string' && !('family' in d))) return 'CodeableConcept';
    if ('reference' in d) return 'Reference';
    if ('start' in d || 'end' in d) return 'Period';
    if ('value' in d && ('unit' in d || 'code' in d || 'currency' in d)) return d.currency ? 'Money' : 'Quantity';
    if ('code' in d && 'system' in d) return 'Coding';
    if ('low' in d || 'high' in d) return 'Range';
  }
  return 'unknown';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function tokensOf(param: string, n: Node, out: TokenRow[]): void {
  const t = typeOf(n);
  const d = n.data as Record<string, unknown>;
  const push = (system: string | null, code: string | null, display: string | null, identType: string | null = null) =>
    out.push({ param, system, code, display: display ? normalizeText(display) : null, identType });
  switch (t) {
    case 'CodeableConcept': {
      const codings = (Array.isArray(d.coding) ? d.coding : []) as Record<string, unknown>[];
      for (const c of codings) push(str(c.system), str(c.code), str(c.display) ?? str(d.text));
      if (codings.length === 0 && str(d.text)) push(null, null, str(d.text));
      return;
    }
    case 'Coding':
      push(str(d.system), str(d.code), str(d.display));
      return;
    case 'Identifier': {
      const types = ((d.type as { coding?: Record<string, unknown>[] } | undefined)?.coding ?? []).filter((c) => str(c.code));
      if (types.length === 0) push(str(d.system), str(d.value), null);
      for (const c of types) push(str(d.system), str(d.value), null, `${str(c.system) ?? ''}|${c.code}`);
      return;
    }
    case 'ContactPoint':
      push(null, str(d.value), null);
      return;
    case 'boolean':
      push(null, String(n.data), null);
      return;
    default:
      if (typeof n.data === 'string' || typeof n.data === 'number') push(null, String(n.data), null);
  }
}

/** `skip`: the Address parts indexed under their own parameter (SearchParam.addressParts). */
function stringsOf(param: string, n: Node, out: StringRow[], skip: string[] = []): void {
  const t = typeOf(n);
  const d = n.data as Record<string, unknown>;
  const values: unknown[] = [];
  if (t === 'HumanName') values.push(d.text, d.family, ...((d.given as unknown[]) ?? []), ...((d.prefix as unknown[]) ?? []), ...((d.suffix as unknown[]) ?? []));
  else if (t === 'Address') {
    values.push(d.text, ...((d.line as unknown[]) ?? []));
    for (const part of ADDRESS_PARTS) if (!skip.includes(part)) values.push(d[part]);
  } else values.push(n.data);
  for (const v of values) if (typeof v === 'string' && v.trim() !== '') out.push({ param, norm: normalizeText(v), raw: v });
}

/** `Type/id`, `Type/id/_history/n`, or an absolute URL ending with them. */
export function parseReference(ref: string): { type: string; id: string } | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref);
  return m ? { type: m[1], id: m[2] } : undefined;
}

function referencesOf(param: string, n: Node, out: ReferenceRow[]): void {
  const d = n.data as Record<string, unknown> | string;
  const ref = typeof d === 'string' ? d : str(d?.reference);
  if (!ref) return;
  const parsed = parseReference(ref);
  out.push({
    param,
    targetType: parsed?.type ?? (typeof d === 'object' ? str(d.type) : null),
    targetId: parsed?.id ?? null,
    url: parsed && !ref.includes(':') ? null : ref,
  });
}

function datesOf(param: string, n: Node, out: DateRow[]): void {
  const d = n.data as Record<string, unknown> | string;
  if (typeof d === 'string') {
    const r = parseDateRange(d);
    if (r) out.push({ param, lo: r.lo, hi: r.hi });
    return;
  }
  if (d && typeof d === 'object' && ('start' in d || 'end' in d)) {
    const lo = typeof d.start === 'string' ? parseDateRange(d.start)?.lo : undefined;
    const hi = typeof d.end === 'string' ? parseDateRange(d.end)?.hi : undefined;
    out.push({ param, lo: lo ?? MIN_DATE, hi: hi ?? MAX_DATE });
  }
}

function numbersOf(param: string, n: Node, out: NumberRow[]): void {
  const d = n.data as Record<string, unknown> | number;
  if (typeof d === 'number') {
    out.push({ param, value: d, system: null, code: null });
    return;
  }
  if (d && typeof d === 'object' && typeof d.value === 'number') {
    if (typeof d.currency === 'string') out.push({ param, value: d.value, system: 'urn:iso:std:iso:4217', code: d.currency });
    else out.push({ param, value: d.value, system: str(d.system), code: str(d.code) ?? str(d.unit) });
  }
}

/** Collects the labels a person would type: names, aliases, titles, coding displays, concept texts. */
function collectText(resource: Resource): string {
  const parts: string[] = [];
  const name = resource.name;
  if (typeof name === 'string') parts.push(name);
  else if (Array.isArray(name)) for (const n of name as Record<string, unknown>[]) parts.push(String(n.text ?? [n.family, ...((n.given as string[]) ?? [])].filter(Boolean).join(' ')));
  for (const k of ['alias', 'title']) {
    const v = resource[k];
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) parts.push(...v.filter((x): x is string => typeof x === 'string'));
  }
  const walk = (v: unknown, key: string): void => {
    if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (key !== 'meta' && typeof o.display === 'string' && ('code' in o || 'system' in o)) parts.push(o.display);
      if (Array.isArray(o.coding) && typeof o.text === 'string') parts.push(o.text);
      for (const [k, x] of Object.entries(o)) if (k !== 'meta' && k !== 'text' && k !== 'contained') walk(x, k);
    }
  };
  walk(resource, '');
  return normalizeText([...new Set(parts)].join(' '));
}

/** The fast path when the expression is in its subset, else fhirpath.js. */
function compile(expression: string, base: ResourceType): Compiled {
  return (compileFastPath(expression, base) as Compiled | undefined) ?? compileWithFhirpath(expression, base);
}

interface CompiledParam { param: SearchParam; evaluate: Compiled }

const failures = new Map<string, number>();

function warnOnce(key: string, err: unknown): void {
  const n = (failures.get(key) ?? 0) + 1;
  failures.set(key, n);
  if (n === 1) process.emitWarning(`search index: ${key} could not be evaluated (${String((err as Error)?.message ?? err).slice(0, 200)})`, 'SearchIndexWarning');
}

/** Extracts index rows for the resources of any type; expressions compiled lazily, once per type. */
export class IndexExtractor {
  private readonly compiled = new Map<ResourceType, CompiledParam[]>();

  constructor(private readonly registry: SearchParamRegistry) {}

  private paramsOf(type: ResourceType): CompiledParam[] {
    let list = this.compiled.get(type);
    if (!list) {
      list = this.registry.indexed(type).map((param) => ({ param, evaluate: compile(param.expression!, type) }));
      this.compiled.set(type, list);
    }
    return list;
  }

  /** Types that have dedicated columns to maintain. */
  columnsOf(type: ResourceType): SearchParam[] {
    return this.registry.all(type).filter((p) => p.column);
  }

  /** How many resources each parameter failed to evaluate on (`Type.code` → count), for diagnostics. */
  readonly failures = failures;

  extract(type: ResourceType, resource: Resource): IndexRows {
    const rows: IndexRows = { token: [], string: [], reference: [], date: [], number: [], columns: {}, position: null, text: '' };
    for (const { param, evaluate } of this.paramsOf(type)) {
      let nodes: Node[];
      try {
        nodes = evaluate(resource);
      } catch (err) {
        // A value the expression cannot handle is not indexed (validation reports bad content), but an
        // expression failing on valid data is a defect: say it once per parameter, never silently.
        warnOnce(`${type}.${param.code}`, err);
        continue;
      }
      const before = rows.token.length;
      const numBefore = rows.number.length;
      for (const n of nodes) {
        switch (param.type) {
          case 'token': tokensOf(param.code, n, rows.token); break;
          case 'uri': if (typeof n.data === 'string') rows.token.push({ param: param.code, system: null, code: n.data, display: null, identType: null }); break;
          case 'string': stringsOf(param.code, n, rows.string, param.addressParts?.skip); break;
          case 'reference': referencesOf(param.code, n, rows.reference); break;
          case 'date': datesOf(param.code, n, rows.date); break;
          case 'number':
          case 'quantity': numbersOf(param.code, n, rows.number); break;
          default: break;
        }
      }
      if (param.column?.kind === 'token-array') {
        const keys = new Set<string>();
        for (const t of rows.token.slice(before)) for (const k of tokenKeys(t.system, t.code)) keys.add(k);
        rows.columns[param.column.column] = [...keys];
      } else if (param.column?.kind === 'number') {
        rows.columns[param.column.column] = rows.number[numBefore]?.value ?? null;
      }
    }
    if (type === 'Location') {
      const p = resource.position as { latitude?: unknown; longitude?: unknown } | undefined;
      if (p && typeof p.latitude === 'number' && typeof p.longitude === 'number' && Math.abs(p.latitude) <= 90 && Math.abs(p.longitude) <= 180) {
        rows.position = { lat: p.latitude, lon: p.longitude };
      }
    }
    rows.text = collectText(resource);
    return rows;
  }
}
