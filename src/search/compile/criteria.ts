/**
 * Criterion → SQL condition on a resource row (alias). Chains become EXISTS hops through
 * search_reference; high-traffic parameters use their dedicated columns; OR-lists bind one array.
 */
import { REGION_TAG_SYSTEM, tableOf, type ResourceType } from '../../fhir/resource-types.ts';
import { escapeLike, normalizeText } from '../extract/normalize.ts';
import { queryTokenKey } from '../extract/token-keys.ts';
import type { SearchParam } from '../registry/search-parameter.ts';
import type { ChainLink, Criterion, Prefix, Value } from '../parse/search-query.ts';
import { cellsAround } from '../geo/geo-cell.ts';
import { baseWhere, type BaseWhereContext } from './base-where.ts';
import { drivingSet, useDrivingSet } from './driving-set.ts';

const JDV_REGION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/JDV_J237-RegionOM-ROR/FHIR/JDV-J237-RegionOM-ROR';
const COMMUNE_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM';
const DEPARTEMENT_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G09-DepartementOM/FHIR/TRE-G09-DepartementOM';

export interface CompileContext extends BaseWhereContext {
  /** Département and région of a commune (intervention-zone expansion). */
  commune?(cog: string): { departement: string; region: string } | undefined;
  /**
   * The searched rows are narrowed by their own index (an activity, an id, an identifier): chain hops
   * then run per candidate row (EXISTS fenced with OFFSET 0, which the planner may not turn into a join)
   * instead of joining every reference of the hop — for `location.capacity-status=…&location.nb-capacity=…`
   * the planner hashed all places with a capacity against all offer→place references.
   */
  fenceChains?: boolean;
}

/** Parameters whose values select a small share of the rows (≤ ~10 % of offers for one activity). */
const ANCHOR_PARAMS = new Set(['specialty', '_id', 'identifier']);

/** Does a top-level criterion of the query narrow the searched rows through their own index? */
export function anchoredQuery(criteria: Criterion[]): boolean {
  return criteria.some((c) => c.kind === 'param' && c.chain.length === 0 && !c.negate && !c.modifier && !c.hierarchy
    && ANCHOR_PARAMS.has(c.param.code) && c.values.length <= MAX_ARRAY_OR);
}

type TokenValue = Extract<Value, { kind: 'token' }>;

/** Longest OR list answered from a dedicated token array column. */
const MAX_ARRAY_OR = 32;

const TABLE_OF_TYPE: Record<string, string> = {
  token: 'search_token', uri: 'search_token', string: 'search_string', reference: 'search_reference',
  date: 'search_date', number: 'search_number', quantity: 'search_number',
};

/**
 * `siblings`: the criteria ANDed with `c` at the top of the query (never inside an OR or a NOT), which a driving set
 * may also test on its own rows to start from fewer (see driving-set.ts).
 */
export function compileCriterion(cc: CompileContext, c: Criterion, type: ResourceType, alias: string, siblings: Criterion[] = []): string {
  const p = cc.params;
  // Narrow chains and _has: from the inside out (see driving-set.ts). The row's own base condition is the caller's.
  if (useDrivingSet(c)) return `${alias}.id IN (${drivingSet(cc, c, type, (x, t, a) => compileCriterion(cc, x, t, a), true, siblings)})`;
  switch (c.kind) {
    case 'and':
      return `(${c.items.map((x) => compileCriterion(cc, x, type, alias)).join(' AND ')})`;
    case 'or':
      return `(${c.items.map((x) => compileCriterion(cc, x, type, alias)).join(' OR ')})`;
    case 'not':
      return `NOT COALESCE((${compileCriterion(cc, c.item, type, alias)}), false)`;
    case 'has': {
      const h = p.alias('h');
      const s = p.alias('s');
      return `EXISTS (SELECT 1 FROM search_reference ${h} JOIN ${tableOf(c.type)} ${s} ON ${s}.id = ${h}.id
        WHERE ${h}.rtype = ${p.add(c.type)} AND ${h}.param = ${p.add(c.ref.code)} AND ${h}.target_id = ${alias}.id
        AND ${h}.target_type = ${p.add(type)} AND ${baseWhere(cc, c.type, s)} AND ${compileCriterion(cc, c.inner, c.type, s)})`;
    }
    case 'content':
      return viaChain(cc, c.chain, type, alias, (t, a) => contentCondition(cc, c, t, a));
    case 'missing':
      return viaChain(cc, c.chain, type, alias, (t, a) => {
        const present = presence(cc, c.param, t, a);
        return c.missing ? `NOT COALESCE((${present}), false)` : present;
      });
    case 'param':
      return viaChain(cc, c.chain, type, alias, (t, a) => {
        const inner = (t2: ResourceType, a2: string) => {
          const cond = paramCondition(cc, c.param, c.modifier, c.values, t2, a2);
          return c.negate ? `NOT COALESCE((${cond}), false)` : cond;
        };
        return c.hierarchy ? hierarchyCondition(cc, t, a, inner) : inner(t, a);
      });
  }
}

/** Follows `chain` from (type, alias) and applies `last` on the final resource. */
function viaChain(cc: CompileContext, chain: ChainLink[], type: ResourceType, alias: string, last: (t: ResourceType, a: string) => string): string {
  if (chain.length === 0) return last(type, alias);
  const [hop, ...rest] = chain;
  const p = cc.params;
  const r = p.alias('r');
  const t = p.alias('c');
  return `EXISTS (SELECT 1 FROM search_reference ${r} JOIN ${tableOf(hop.target)} ${t} ON ${t}.id = ${r}.target_id
    WHERE ${r}.rtype = ${p.add(type)} AND ${r}.id = ${alias}.id AND ${r}.param = ${p.add(hop.param.code)}
    AND ${r}.target_type = ${p.add(hop.target)} AND ${baseWhere(cc, hop.target, t)} AND ${viaChain(cc, rest, hop.target, t, last)}${cc.fenceChains ? ' OFFSET 0' : ''})`;
}

/** `:above` on Organization: the organization matching, or any one under it through partOf. */
function hierarchyCondition(cc: CompileContext, type: ResourceType, alias: string, cond: (t: ResourceType, a: string) => string): string {
  const p = cc.params;
  const o = p.alias('o');
  const rr = p.alias('pr');
  const tree = p.alias('tree');
  return `${alias}.id IN (WITH RECURSIVE ${tree}(id) AS (
      SELECT ${o}.id FROM ${tableOf(type)} ${o} WHERE ${baseWhere(cc, type, o)} AND ${cond(type, o)}
      UNION SELECT ${rr}.id FROM search_reference ${rr} JOIN ${tree} ON ${rr}.target_id = ${tree}.id
        WHERE ${rr}.rtype = ${p.add(type)} AND ${rr}.param = ${p.add('partof')} AND ${rr}.target_type = ${p.add(type)})
    SELECT id FROM ${tree})`;
}

function presence(cc: CompileContext, param: SearchParam, type: ResourceType, alias: string): string {
  const p = cc.params;
  if (param.special === 'id' || param.special === 'lastUpdated') return 'TRUE';
  if (param.special === 'near') return `${alias}.position IS NOT NULL`;
  const table = TABLE_OF_TYPE[param.type];
  if (!table) return 'FALSE';
  const x = p.alias('x');
  return `EXISTS (SELECT 1 FROM ${table} ${x} WHERE ${x}.rtype = ${p.add(type)} AND ${x}.id = ${alias}.id AND ${paramRows(cc, x, param)})`;
}

/** Which index rows hold a parameter's values: its own, and for a whole address those of its parts too (addressParts). */
export function paramRows(cc: BaseWhereContext, x: string, param: SearchParam): string {
  const codes = param.addressParts?.rowParams;
  return codes ? `${x}.param = ANY(${cc.params.add(codes, 'text[]')})` : `${x}.param = ${cc.params.add(param.code)}`;
}

/** Query words of a _content text (normalised, 3 characters or more). */
export function queryWords(text: string): string[] {
  return [...new Set(normalizeText(text).match(/[a-z0-9]{3,}/g) ?? [])];
}

/**
 * tsquery texts for `words`: each word as a prefix OR one of its close dictionary words (`all`),
 * and each word OR its closest one (`best`, used to rank exact and near matches first).
 */
export function buildTsQuery(words: string[], close: Map<string, string[]>): { all: string; best: string } {
  const lex = (w: string) => `'${w}'`;
  // A word the dictionary knows as such is not a typo: no alternatives then.
  const alternatives = (w: string) => (close.get(w)?.includes(w) ? [] : close.get(w) ?? []);
  const all = words.map((w) => `(${[`${lex(w)}:*`, ...alternatives(w).map(lex)].join(' | ')})`);
  const best = words.map((w) => {
    const c = alternatives(w)[0];
    return c ? `(${lex(w)}:* | ${lex(c)})` : `${lex(w)}:*`;
  });
  return { all: all.join(' & ') || "''", best: best.join(' & ') || "''" };
}

function contentQuery(c: { text: string; tsquery?: { all: string; best: string } }): { all: string; best: string } {
  return c.tsquery ?? buildTsQuery(queryWords(c.text), new Map());
}

function contentCondition(cc: CompileContext, c: { text: string; tsquery?: { all: string; best: string } }, type: ResourceType, alias: string): string {
  const p = cc.params;
  const x = p.alias('x');
  return `EXISTS (SELECT 1 FROM search_text ${x} WHERE ${x}.rtype = ${p.add(type)} AND ${x}.id = ${alias}.id
    AND ${x}.tsv @@ to_tsquery('french', ${p.add(contentQuery(c).all, 'text')}))`;
}

/** Relevance of a resource for `_content`: closest-word matches weigh double. */
export function contentRank(cc: CompileContext, c: { text: string; tsquery?: { all: string; best: string } }, type: ResourceType, alias: string): string {
  const p = cc.params;
  const x = p.alias('x');
  const q = contentQuery(c);
  return `COALESCE((SELECT max(2 * ts_rank(${x}.tsv, to_tsquery('french', ${p.add(q.best, 'text')})) + ts_rank(${x}.tsv, to_tsquery('french', ${p.add(q.all, 'text')})))
    FROM search_text ${x} WHERE ${x}.rtype = ${p.add(type)} AND ${x}.id = ${alias}.id), 0)::float8`;
}

/** The OR of `values` for one parameter on (type, alias). */
function paramCondition(cc: CompileContext, param: SearchParam, modifier: string | undefined, values: Value[], type: ResourceType, alias: string): string {
  const p = cc.params;
  if (param.special === 'id') {
    return `${alias}.id = ANY(${p.add(values.map((v) => (v.kind === 'token' ? v.code : '')), 'text[]')})`;
  }
  if (param.special === 'lastUpdated') {
    return or(values.map((v) => (v.kind === 'date' ? pointDate(cc, `${alias}.last_updated`, v.prefix, v.lo, v.hi) : 'FALSE')));
  }
  if (param.special === 'near' || param.special === 'near-insee-code') {
    return or(values.map((v) => {
      if (v.kind !== 'near') return 'FALSE';
      const centre = `ll_to_earth(${p.add(v.lat, 'float8')}, ${p.add(v.lon, 'float8')})`;
      const m = p.add(v.meters, 'float8');
      const cells = cellsAround(v.lat, v.lon, v.meters);
      // Grid cells (btree, with statistics) when the radius is not huge, else the cube index.
      const area = cells ? `${alias}.geo_cell = ANY(${p.add(cells, 'int[]')})` : `earth_box(${centre}, ${m}) @> ${alias}.position`;
      return `(${area} AND earth_distance(${centre}, ${alias}.position) <= ${m})`;
    }));
  }
  if (param.type === 'token') return tokenCondition(cc, param, modifier, values as TokenValue[], type, alias);
  if (param.column?.kind === 'number') {
    return or(values.map((v) => (v.kind === 'number' ? numberPredicate(cc, `${alias}.${param.column!.column}`, v) : 'FALSE')));
  }
  const table = TABLE_OF_TYPE[param.type];
  const x = p.alias('x');
  const preds = values.map((v) => valuePredicate(cc, x, modifier, v));
  return `EXISTS (SELECT 1 FROM ${table} ${x} WHERE ${x}.rtype = ${p.add(type)} AND ${x}.id = ${alias}.id
    AND ${paramRows(cc, x, param)} AND ${or(preds)})`;
}

const or = (parts: string[]) => (parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`);

/** intervention-zone: a commune also matches the zones of its département and région. */
function expandZone(cc: CompileContext, values: TokenValue[]): TokenValue[] {
  const out: TokenValue[] = [];
  for (const v of values) {
    out.push(v);
    const info = v.code && (!v.system || v.system === COMMUNE_SYSTEM) ? cc.commune?.(v.code) : undefined;
    if (info) {
      out.push({ kind: 'token', system: DEPARTEMENT_SYSTEM, code: info.departement });
      out.push({ kind: 'token', system: REGION_TAG_SYSTEM, code: info.region });
    }
  }
  return out;
}

/** The values a token test matches: as given, and for intervention-zone a commune's département and région too. */
export function tokenValues(cc: CompileContext, param: SearchParam, input: TokenValue[]): TokenValue[] {
  return param.code === 'intervention-zone' ? expandZone(cc, input) : input;
}

/**
 * The dedicated token-array column and index keys a plain token test of `values` (tokenValues) is answered from
 * (`column && keys`), when it is: array overlap costs (row values × list) per row, so long OR lists go to
 * search_token (hash join) instead.
 */
export function arrayColumnTest(param: SearchParam, values: TokenValue[]): { column: string; keys: string[] } | undefined {
  if (param.column?.kind !== 'token-array' || values.length > MAX_ARRAY_OR) return undefined;
  const keys = values.map((v) => queryTokenKey(v.system, v.code));
  return keys.every((k) => k !== undefined) ? { column: param.column.column, keys: keys as string[] } : undefined;
}

function tokenCondition(cc: CompileContext, param: SearchParam, modifier: string | undefined, input: TokenValue[], type: ResourceType, alias: string): string {
  const p = cc.params;
  const values = tokenValues(cc, param, input);
  const plain = !modifier || modifier === 'not';
  // Source region tag: the `region` column (TRE_R30 / JDV_J237 codes).
  if (param.code === '_tag' && plain && values.every((v) => v.code && (v.system === REGION_TAG_SYSTEM || v.system === JDV_REGION_SYSTEM))) {
    return `${alias}.region = ANY(${p.add(values.map((v) => v.code), 'text[]')})`;
  }
  const array = plain ? arrayColumnTest(param, values) : undefined;
  if (array) return `${alias}.${array.column} && ${p.add(array.keys, 'text[]')}`;
  const x = p.alias('x');
  const preds: string[] = [];
  if (modifier === 'text') {
    for (const v of values) {
      const t = escapeLike(normalizeText(v.code ?? ''));
      preds.push(`(${x}.display LIKE ${p.add(t + '%')} OR ${x}.display LIKE ${p.add('% ' + t + '%')})`);
    }
  } else {
    const codesOnly = values.filter((v) => v.system === undefined && v.identType === undefined && v.code !== undefined);
    if (codesOnly.length) preds.push(`${x}.code = ANY(${p.add(codesOnly.map((v) => v.code), 'text[]')})`);
    const pairs = values.filter((v) => v.system && v.code !== undefined && !v.identType);
    if (pairs.length === 1) {
      // Plain equalities: the planner estimates them from the column statistics.
      preds.push(`(${x}.code = ${p.add(pairs[0].code)} AND ${x}.system = ${p.add(pairs[0].system)})`);
    } else if (pairs.length > 1) {
      // ANY() on each column gives the planner estimates; the pair list keeps the match exact.
      preds.push(`(${x}.code = ANY(${p.add(pairs.map((v) => v.code), 'text[]')}) AND ${x}.system = ANY(${p.add([...new Set(pairs.map((v) => v.system))], 'text[]')})
        AND (${x}.system, ${x}.code) IN (SELECT * FROM unnest(${p.add(pairs.map((v) => v.system), 'text[]')}, ${p.add(pairs.map((v) => v.code), 'text[]')})))`);
    }
    for (const v of values) {
      if (v.identType) preds.push(`(${x}.ident_type = ${p.add(v.identType)} AND ${x}.code = ${p.add(v.code)})`);
      else if (v.system === '' && v.code !== undefined) preds.push(`(${x}.system IS NULL AND ${x}.code = ${p.add(v.code)})`);
      else if (v.system && v.code === undefined) preds.push(`${x}.system = ${p.add(v.system)}`);
    }
  }
  return `EXISTS (SELECT 1 FROM search_token ${x} WHERE ${x}.rtype = ${p.add(type)} AND ${x}.id = ${alias}.id
    AND ${x}.param = ${p.add(param.code)} AND ${or(preds.length ? preds : ['FALSE'])})`;
}

function valuePredicate(cc: CompileContext, x: string, modifier: string | undefined, v: Value): string {
  const p = cc.params;
  switch (v.kind) {
    case 'string': {
      const norm = normalizeText(v.text);
      if (modifier === 'exact') return `${x}.raw = ${p.add(v.text)}`;
      if (modifier === 'exact-ci') return `${x}.norm = ${p.add(norm)}`;
      if (modifier === 'contains') return `${x}.norm LIKE ${p.add('%' + escapeLike(norm) + '%')}`;
      return `${x}.norm LIKE ${p.add(escapeLike(norm) + '%')}`;
    }
    case 'reference': {
      if (v.url) return `${x}.url = ${p.add(v.url)}`;
      const id = `${x}.target_id = ${p.add(v.id)}`;
      return v.type ? `(${id} AND ${x}.target_type = ${p.add(v.type)})` : id;
    }
    case 'date':
      return rangeDate(cc, `${x}.lo`, `${x}.hi`, v.prefix, v.lo, v.hi);
    case 'number': {
      const parts = [numberPredicate(cc, `${x}.value`, v)];
      if (v.code) parts.push(`${x}.code = ${p.add(v.code)}`);
      if (v.system) parts.push(`${x}.system = ${p.add(v.system)}`);
      return `(${parts.join(' AND ')})`;
    }
    case 'uri':
      if (modifier === 'below') return `${x}.code LIKE ${p.add(escapeLike(v.uri) + '%')}`;
      if (modifier === 'above') return `${p.add(v.uri, 'text')} LIKE ${x}.code || '%'`;
      return `${x}.code = ${p.add(v.uri)}`;
    default:
      return 'FALSE';
  }
}

function approxMargin(lo: Date, hi: Date): number {
  const now = Date.now();
  const distance = Math.max(Math.abs(now - lo.getTime()), Math.abs(now - hi.getTime()));
  return Math.max(0.1 * distance, 86_400_000);
}

/** Stored range [lo, hi) against the search range [vlo, vhi) (R4 date prefix semantics). */
function rangeDate(cc: CompileContext, lo: string, hi: string, prefix: Prefix, vlo: Date, vhi: Date): string {
  const p = cc.params;
  const L = () => p.add(vlo.toISOString(), 'timestamptz');
  const H = () => p.add(vhi.toISOString(), 'timestamptz');
  switch (prefix) {
    case 'eq': return `(${lo} >= ${L()} AND ${hi} <= ${H()})`;
    case 'ne': return `NOT (${lo} >= ${L()} AND ${hi} <= ${H()})`;
    case 'gt': return `${hi} > ${H()}`;
    case 'lt': return `${lo} < ${L()}`;
    case 'ge': return `${hi} > ${L()}`;
    case 'le': return `${lo} < ${H()}`;
    case 'sa': return `${lo} >= ${H()}`;
    case 'eb': return `${hi} <= ${L()}`;
    case 'ap': {
      const m = approxMargin(vlo, vhi);
      return `(${lo} < ${p.add(new Date(vhi.getTime() + m).toISOString(), 'timestamptz')} AND ${hi} > ${p.add(new Date(vlo.getTime() - m).toISOString(), 'timestamptz')})`;
    }
  }
}

/** A point in time (meta.lastUpdated) against the search range [vlo, vhi). */
function pointDate(cc: CompileContext, t: string, prefix: Prefix, vlo: Date, vhi: Date): string {
  const p = cc.params;
  const L = () => p.add(vlo.toISOString(), 'timestamptz');
  const H = () => p.add(vhi.toISOString(), 'timestamptz');
  switch (prefix) {
    case 'eq': return `(${t} >= ${L()} AND ${t} < ${H()})`;
    case 'ne': return `NOT (${t} >= ${L()} AND ${t} < ${H()})`;
    case 'gt': case 'sa': return `${t} >= ${H()}`;
    case 'lt': case 'eb': return `${t} < ${L()}`;
    case 'ge': return `${t} >= ${L()}`;
    case 'le': return `${t} < ${H()}`;
    case 'ap': {
      const m = approxMargin(vlo, vhi);
      return `(${t} >= ${p.add(new Date(vlo.getTime() - m).toISOString(), 'timestamptz')} AND ${t} < ${p.add(new Date(vhi.getTime() + m).toISOString(), 'timestamptz')})`;
    }
  }
}

function numberPredicate(cc: CompileContext, col: string, v: Extract<Value, { kind: 'number' }>): string {
  const p = cc.params;
  const n = (x: number) => p.add(String(x), 'numeric');
  switch (v.prefix) {
    case 'eq': return `(${col} >= ${n(v.lo)} AND ${col} < ${n(v.hi)})`;
    case 'ne': return `NOT (${col} >= ${n(v.lo)} AND ${col} < ${n(v.hi)})`;
    case 'gt': case 'sa': return `${col} > ${n(v.value)}`;
    case 'lt': case 'eb': return `${col} < ${n(v.value)}`;
    case 'ge': return `${col} >= ${n(v.value)}`;
    case 'le': return `${col} <= ${n(v.value)}`;
    case 'ap': {
      const m = Math.abs(v.value) * 0.1;
      return `(${col} >= ${n(v.value - m)} AND ${col} <= ${n(v.value + m)})`;
    }
  }
}
