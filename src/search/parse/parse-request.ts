/**
 * Search request → SearchQuery: resolves parameter names (chains, `_has`, modifiers) against the
 * registry, parses values, reads the result controls. Bad input raises SearchInputError, or is
 * collected as a warning when the request is lenient.
 */
import { isResourceType, type ResourceType } from '../../fhir/resource-types.ts';
import type { SearchParamRegistry } from '../registry/registry.ts';
import type { SearchParam } from '../registry/search-parameter.ts';
import { parseFilter, type FilterExpr } from './filter-parser.ts';
import {
  DEFAULT_COUNT, MAX_COUNT, type ChainLink, type Criterion, type IncludeSpec, type Prefix, type SearchQuery, type SortKey, type Value,
} from './search-query.ts';
import {
  parseDateValue, parseNearInseeValue, parseNearValue, parseNumberValue, parseReferenceValue, parseTokenValue, SearchInputError, splitEscaped, unescape,
} from './values.ts';

export interface ParseContext {
  registry: SearchParamRegistry;
  /** Commune centroid by COG code (near-insee-code). */
  centroid(cog: string): { lat: number; lon: number } | undefined;
}

/** Parameters that are not indexed but accepted: formats and the paging cursor. */
const IGNORED = new Set(['_format', '_pretty']);
const CONTROLS = new Set(['_count', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude', '_cursor', '_filter', '_contained', '_containedType']);

const MODIFIERS_BY_TYPE: Record<string, Set<string>> = {
  token: new Set(['not', 'text', 'missing', 'of-type', 'above', 'in', 'not-in']),
  string: new Set(['exact', 'contains', 'missing', 'above']),
  reference: new Set(['missing']),
  date: new Set(['missing', 'above']),
  number: new Set(['missing']),
  quantity: new Set(['missing']),
  uri: new Set(['missing', 'above', 'below']),
  special: new Set([]),
};

function unknownParam(name: string, type: string): SearchInputError {
  return new SearchInputError(name, `Paramètre de recherche inconnu « ${name} » pour ${type}`, `Unknown search parameter "${name}" for ${type}`);
}

interface Resolved {
  chain: ChainLink[];
  param: SearchParam;
  modifier?: string;
}

/** Resolves `a.b:mod` / `location:equipment-type` (sic, IG §3.4) from `type`. */
export function resolveParam(pc: ParseContext, type: ResourceType, fullName: string): Resolved {
  const segments = fullName.split('.');
  const chain: ChainLink[] = [];
  let cur = type;
  for (let i = 0; i < segments.length; i++) {
    const last = i === segments.length - 1;
    const [code, modifier, ...extra] = segments[i].split(':');
    if (extra.length) throw unknownParam(fullName, type);
    const param = pc.registry.get(cur, code);
    if (!param) throw unknownParam(fullName, type);
    if (last) {
      // `location:equipment-type`: a reference "modifier" naming a parameter of the target = a chain.
      if (param.type === 'reference' && modifier && !isResourceType(modifier) && !MODIFIERS_BY_TYPE.reference.has(modifier)) {
        const target = singleTarget(param, undefined, fullName);
        const next = pc.registry.get(target, modifier);
        if (!next) throw unknownParam(fullName, type);
        return { chain: [...chain, { param, target }], param: next };
      }
      return { chain, param, modifier };
    }
    if (param.type !== 'reference') {
      throw new SearchInputError(fullName, `Chaînage impossible : « ${code} » n'est pas une référence (${fullName})`, `Cannot chain: "${code}" is not a reference parameter (${fullName})`);
    }
    const target = singleTarget(param, modifier, fullName);
    chain.push({ param, target });
    cur = target;
  }
  throw unknownParam(fullName, type);
}

function singleTarget(param: SearchParam, typeModifier: string | undefined, name: string): ResourceType {
  if (typeModifier) {
    if (!isResourceType(typeModifier) || (param.targets && !param.targets.includes(typeModifier))) throw unknownParam(name, param.base);
    return typeModifier;
  }
  if (param.targets?.length === 1) return param.targets[0];
  throw new SearchInputError(name, `Chaînage ambigu sur « ${param.code} » : précisez le type (${param.code}:Type.…)`, `Ambiguous chain on "${param.code}": give the type (${param.code}:Type.…)`);
}

function parseValue(pc: ParseContext, name: string, param: SearchParam, modifier: string | undefined, raw: string, prefixOverride?: Prefix): Value {
  if (raw === '') throw new SearchInputError(name, `Valeur vide pour le paramètre ${name}`, `Empty value for parameter ${name}`);
  switch (param.special === 'id' ? 'id' : param.type) {
    case 'id':
      return { kind: 'token', code: unescape(raw) };
    case 'token':
      return parseTokenValue(raw, modifier === 'of-type', name);
    case 'string':
      return { kind: 'string', text: unescape(raw) };
    case 'reference':
      return parseReferenceValue(raw, modifier);
    case 'date': {
      const v = parseDateValue(name, prefixOverride ? prefixOverride + raw : raw);
      return v;
    }
    case 'number':
    case 'quantity':
      return parseNumberValue(name, prefixOverride ? prefixOverride + raw : raw, param.type === 'quantity');
    case 'uri':
      return { kind: 'uri', uri: unescape(raw) };
    case 'special':
      if (param.special === 'near') return parseNearValue(name, raw);
      if (param.special === 'near-insee-code') return parseNearInseeValue(name, raw, (c) => pc.centroid(c));
      break;
  }
  throw new SearchInputError(name, `Paramètre ${name} non pris en charge`, `Parameter ${name} is not supported`, 'not-supported');
}

/** One `name=value` criterion on `type` (also used by `_has` and `_filter`). */
export function parseCriterion(pc: ParseContext, type: ResourceType, name: string, rawValue: string, q?: { near?: SearchQuery['near'] }): Criterion {
  if (name.startsWith('_has:')) {
    const [, srcType, refCode, ...rest] = name.split(':');
    if (!isResourceType(srcType) || !refCode || rest.length === 0) {
      throw new SearchInputError(name, `Paramètre _has invalide « ${name} » (attendu _has:Type:référence:paramètre)`, `Invalid _has parameter "${name}" (expected _has:Type:reference:parameter)`);
    }
    const ref = pc.registry.get(srcType, refCode);
    if (!ref || ref.type !== 'reference' || (ref.targets && !ref.targets.includes(type))) throw unknownParam(name, type);
    return { kind: 'has', name, type: srcType, ref, inner: parseCriterion(pc, srcType, rest.join(':'), rawValue) };
  }
  const { chain, param, modifier } = resolveParam(pc, type, name);
  if (modifier && !MODIFIERS_BY_TYPE[param.type]?.has(modifier) && !(param.type === 'reference' && isResourceType(modifier))) {
    throw new SearchInputError(name, `Modificateur « :${modifier} » non pris en charge pour le paramètre ${name}`, `Modifier ":${modifier}" is not supported for parameter ${name}`, 'not-supported');
  }
  if (param.special === 'content') return { kind: 'content', name, chain, text: unescape(rawValue) };
  if (modifier === 'missing') {
    if (rawValue !== 'true' && rawValue !== 'false') {
      throw new SearchInputError(name, `:missing attend true ou false pour le paramètre ${name}`, `:missing expects true or false for parameter ${name}`);
    }
    return { kind: 'missing', name, chain, param, missing: rawValue === 'true' };
  }
  if (modifier === 'in' || modifier === 'not-in') {
    // Value set canonical URLs, expanded by the engine (value-set-in.ts).
    return { kind: 'param', name, chain, param, modifier, values: splitEscaped(rawValue, ',').map((raw) => ({ kind: 'uri', uri: unescape(raw) })) };
  }
  const values = splitEscaped(rawValue, ',').map((raw) => parseValue(pc, name, param, modifier, raw));
  const near = values.find((v) => v.kind === 'near');
  if (near && near.kind === 'near' && q && !q.near) q.near = { lat: near.lat, lon: near.lon, meters: near.meters, chained: chain.length > 0, via: chain.length === 1 ? chain[0].param.code : undefined };
  const hierarchy = modifier === 'above' && param.type !== 'uri' && (param.base === 'Organization');
  if (modifier === 'above' && !hierarchy && param.type !== 'uri') {
    throw new SearchInputError(name, `:above n'est pris en charge que sur la hiérarchie des organisations (${name})`, `:above is only supported on the Organization hierarchy (${name})`, 'not-supported');
  }
  return { kind: 'param', name, chain, param, modifier: hierarchy ? undefined : modifier, values, hierarchy, negate: modifier === 'not' };
}

const FILTER_PREFIX: Record<string, Prefix | undefined> = { eq: 'eq', ne: 'ne', gt: 'gt', lt: 'lt', ge: 'ge', le: 'le', sa: 'sa', eb: 'eb', ap: 'ap' };

function filterToCriterion(pc: ParseContext, type: ResourceType, e: FilterExpr, q: { near?: SearchQuery['near'] }): Criterion {
  if (e.kind === 'not') return { kind: 'not', item: filterToCriterion(pc, type, e.item, q) };
  if (e.kind !== 'cmp') return { kind: e.kind, items: e.items.map((x) => filterToCriterion(pc, type, x, q)) };
  const { chain, param, modifier } = resolveParam(pc, type, e.path);
  const name = `_filter (${e.path})`;
  if (e.op === 'pr') return { kind: 'missing', name, chain, param, missing: e.value === 'false' };
  const hierarchy = modifier === 'above' && param.base === 'Organization';
  const base = { kind: 'param' as const, name, chain, param, hierarchy };
  switch (param.special === 'id' ? 'token' : param.type) {
    case 'date': case 'number': case 'quantity': {
      const prefix = FILTER_PREFIX[e.op];
      if (!prefix) throw new SearchInputError('_filter', `Opérateur ${e.op} invalide pour ${e.path}`, `Operator ${e.op} is invalid for ${e.path}`);
      return { ...base, values: [parseValue(pc, name, param, undefined, e.value, prefix)] };
    }
    case 'string':
      if (e.op === 'co') return { ...base, modifier: 'contains', values: [{ kind: 'string', text: e.value }] };
      if (e.op === 'eq') return { ...base, modifier: 'exact-ci', values: [{ kind: 'string', text: e.value }] };
      if (e.op === 'sw') return { ...base, values: [{ kind: 'string', text: e.value }] };
      if (e.op === 'ne') return { ...base, modifier: 'exact-ci', negate: true, values: [{ kind: 'string', text: e.value }] };
      break;
    case 'token': case 'reference': case 'uri':
      if (e.op === 'eq' || e.op === 'ne') return { ...base, negate: e.op === 'ne', values: [parseValue(pc, name, param, undefined, e.value)] };
      break;
  }
  throw new SearchInputError('_filter', `Opérateur ${e.op} non pris en charge pour ${e.path}`, `Operator ${e.op} is not supported for ${e.path}`, 'not-supported');
}

function parseInclude(name: string, value: string, rev: boolean, pc: ParseContext): IncludeSpec {
  const iterate = name.endsWith(':iterate') || name.endsWith(':recurse');
  const [source, param, target] = value.split(':');
  const bad = () => new SearchInputError(name, `Valeur « ${value} » invalide pour ${name} (attendu Type:paramètre[:Cible])`, `Invalid value "${value}" for ${name} (expected Type:parameter[:Target])`);
  if (!isResourceType(source) || !param) throw bad();
  if (param !== '*') {
    const p = pc.registry.get(source, param);
    if (!p || p.type !== 'reference') throw bad();
  }
  if (target !== undefined && !isResourceType(target)) throw bad();
  return { source, param, target: target as ResourceType | undefined, iterate, rev };
}

function parseSort(pc: ParseContext, type: ResourceType, value: string): SortKey[] {
  return value.split(',').filter(Boolean).map((raw) => {
    const desc = raw.startsWith('-');
    const key = desc ? raw.slice(1) : raw;
    if (key === '_id' || key === '_lastUpdated' || key === '_score') return { key, desc };
    if (key === '_distance' || key === 'near' || key === 'near-insee-code' || key.endsWith('.near') || key.endsWith('.near-insee-code')) return { key: 'distance', desc };
    const param = pc.registry.get(type, key);
    if (!param || !['string', 'token', 'date', 'number', 'quantity', 'uri'].includes(param.type) || param.special) {
      throw new SearchInputError('_sort', `Tri impossible sur « ${key} » pour ${type}`, `Cannot sort on "${key}" for ${type}`);
    }
    return { key, param, desc };
  });
}

export interface ParsedRequest {
  query: SearchQuery;
  /** Parameters ignored because the request is lenient: reported in an OperationOutcome entry. */
  warnings: SearchInputError[];
}

export function parseSearchRequest(pc: ParseContext, type: ResourceType, params: [string, string][], lenient = false): ParsedRequest {
  const query: SearchQuery = {
    type, criteria: [], count: DEFAULT_COUNT, sort: [], total: 'accurate', summaryCount: false, includes: [],
    linkParams: params.filter(([k]) => k !== '_cursor'),
  };
  const warnings: SearchInputError[] = [];
  for (const [name, value] of params) {
    try {
      if (IGNORED.has(name)) continue;
      const control = name.replace(/:(iterate|recurse)$/, '');
      if (CONTROLS.has(control)) {
        readControl(pc, query, name, control, value);
        continue;
      }
      query.criteria.push(parseCriterion(pc, type, name, value, query));
    } catch (err) {
      if (!(err instanceof SearchInputError) || !lenient || name === '_cursor') throw err;
      warnings.push(err);
    }
  }
  if (query.sort.some((s) => s.key === 'distance') && !query.near) {
    throw new SearchInputError('_sort', 'Le tri par distance demande un critère near ou near-insee-code', 'Sorting by distance needs a near or near-insee-code criterion');
  }
  return { query, warnings };
}

function readControl(pc: ParseContext, q: SearchQuery, name: string, control: string, value: string): void {
  switch (control) {
    case '_count': {
      const n = Number(value);
      if (!/^\d+$/.test(value)) throw new SearchInputError('_count', `_count doit être un entier positif (reçu « ${value} »)`, `_count must be a non-negative integer (got "${value}")`);
      q.count = Math.min(n, MAX_COUNT);
      if (n === 0) q.summaryCount = true;
      return;
    }
    case '_sort':
      q.sort = parseSort(pc, q.type, value);
      return;
    case '_total':
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
        throw new SearchInputError('_total', `_total attend none, estimate ou accurate (reçu « ${value} »)`, `_total expects none, estimate or accurate (got "${value}")`);
      }
      q.total = value;
      return;
    case '_summary':
      if (value === 'count') q.summaryCount = true;
      else if (value === 'true' || value === 'text' || value === 'data') q.summary = value;
      else if (value !== 'false') throw new SearchInputError('_summary', `_summary attend true, text, data, count ou false (reçu « ${value} »)`, `_summary expects true, text, data, count or false (got "${value}")`);
      return;
    case '_elements':
      q.elements = value.split(',').map((s) => s.trim()).filter(Boolean);
      return;
    case '_include':
    case '_revinclude':
      q.includes.push(parseInclude(name, value, control === '_revinclude', pc));
      return;
    case '_cursor':
      q.cursor = value;
      return;
    case '_filter':
      q.criteria.push(filterToCriterion(pc, q.type, parseFilter(value), q));
      return;
    default:
      throw new SearchInputError(name, `Paramètre ${name} non pris en charge`, `Parameter ${name} is not supported`, 'not-supported');
  }
}
