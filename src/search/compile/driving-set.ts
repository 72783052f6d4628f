/**
 * Chains and `_has` whose innermost test is narrow (a place within a radius, an identifier, an id, a
 * commune) compiled from the inside out: the few target rows first (through their own index), then the
 * references that point to (or from) them, hop by hop, and only then the searched rows — instead of a
 * correlated EXISTS per searched row, which lets the planner hash every reference of the hop (all
 * offer→place references for `location.near…`) or evaluate an access rule on every row of an inner
 * type (all roles for `_has:PractitionerRole:service:practitioner.identifier`) before the narrow test.
 *
 * Each step is a LATERAL sub-query with `OFFSET 0`, which the planner may not flatten: it must run as a
 * nested loop over the rows found so far, through the reference indexes (both directions are indexed).
 * The access rule (base condition) of an intermediate type is applied to the rows reached, fenced the
 * same way so it runs once per reached row. Same results as the EXISTS form: only the order of work changes.
 */
import { tableOf, type ResourceType } from '../../fhir/resource-types.ts';
import { cellsAround } from '../geo/geo-cell.ts';
import type { ChainLink, Criterion } from '../parse/search-query.ts';
import { baseWhere } from './base-where.ts';
import { arrayColumnTest, tokenValues, type CompileContext } from './criteria.ts';
import { SqlParams } from './sql-params.ts';

type ParamCriterion = Extract<Criterion, { kind: 'param' }>;
type LeafCompiler = (c: Criterion, type: ResourceType, alias: string) => string;

/** Token parameters narrow enough to start from (a handful of rows per value). */
const NARROW_TOKENS = new Set(['identifier', 'commune-cog']);

/** Is this (chain-less) test narrow enough to start from its own rows? */
function narrowLeaf(c: ParamCriterion): boolean {
  if (c.negate || c.hierarchy || c.modifier) return false;
  const p = c.param;
  if (p.special === 'id') return true;
  if (p.special === 'near' || p.special === 'near-insee-code') {
    return c.values.every((v) => v.kind === 'near' && cellsAround(v.lat, v.lon, v.meters) !== undefined);
  }
  return p.type === 'token' && NARROW_TOKENS.has(p.code) && c.values.every((v) => v.kind === 'token' && v.code !== undefined);
}

/** Can `c` (a chain or `_has`) be compiled from the inside out? */
export function isDrivable(c: Criterion): boolean {
  if (c.kind === 'param') return narrowLeaf(c);
  if (c.kind === 'has') return isDrivable(c.inner);
  return false;
}

/** Should the top-level criterion `c` use the driving form (chains and `_has` only)? */
export function useDrivingSet(c: Criterion): boolean {
  if (c.kind === 'has') return isDrivable(c.inner);
  return c.kind === 'param' && c.chain.length > 0 && narrowLeaf(c);
}

/** Ids of the rows of `type` meeting `cond`, then the base condition, fenced (run once per row found). */
function checked(cc: CompileContext, type: ResourceType, cond: (alias: string) => string): string {
  const p = cc.params;
  const f0 = p.alias('f');
  const f = p.alias('g');
  return `SELECT ${f}.id FROM (SELECT * FROM ${tableOf(type)} ${f0} WHERE ${cond(f0)} OFFSET 0) ${f} WHERE ${baseWhere(cc, type, f)}`;
}

/** Ids of `type` rows that reference, through `link`, one of the rows of `targets` (a SELECT of ids). */
function referrers(cc: CompileContext, type: ResourceType, link: ChainLink, targets: string): string {
  const p = cc.params;
  const d = p.alias('d');
  const r = p.alias('r');
  const s = p.alias('s');
  return `SELECT ${s}.id FROM (${targets}) ${d} CROSS JOIN LATERAL (SELECT ${r}.id FROM search_reference ${r}
    WHERE ${r}.rtype = ${p.add(type)} AND ${r}.param = ${p.add(link.param.code)} AND ${r}.target_id = ${d}.id
    AND ${r}.target_type = ${p.add(link.target)} OFFSET 0) ${s}`;
}

/**
 * `HealthcareService?location.near…`: the offers with a live place within the radius, straight from
 * `search_offer_place` (migrations 108–109: one row per live offer × live located place, with the place's geo cell
 * and point), the same distance test on the same point — one range scan instead of the places, then each place's
 * offer references. Only when the caller's access rules put no condition on places beyond "not deleted" (the table
 * holds live places only). Undefined when it does not apply.
 */
function offersNearPlaces(cc: CompileContext, c: ParamCriterion, type: ResourceType, leaf: LeafCompiler, siblings: Criterion[]): string | undefined {
  const link = c.chain[0];
  if (type !== 'HealthcareService' || c.chain.length !== 1 || link.param.code !== 'location' || link.target !== 'Location') return undefined;
  if (c.param.special !== 'near' && c.param.special !== 'near-insee-code') return undefined;
  if (cc.access?.('Location', 'x', cc.ctx, new SqlParams())) return undefined;
  const x = cc.params.alias('x');
  const tests = [leaf({ ...c, chain: [] }, 'Location', x), ...siblings.flatMap((s) => offerPlaceTest(cc, s, x) ?? [])];
  return `SELECT ${x}.offer_id AS id FROM search_offer_place ${x} WHERE ${tests.join(' AND ')}`;
}

/** Offer columns search_offer_place copies as they are (migration 108). */
const COPIED_OFFER_COLUMNS = new Set(['specialty', 'characteristic', 'service_type', 'intervention_zone']);

/**
 * A criterion ANDed with `location.near…` also tested on the rows of search_offer_place (alias `x`), so that the
 * offers of another activity are dropped in its index-only scan instead of being looked up one by one (3,273 offers
 * within 30 km for 317 hits of the IG coordinator query). The test must be implied by the criterion — the page
 * statement still applies the criterion itself to the offers: the same overlap on a copied column, or for
 * `patient-type` the codes of system-keyed values on `public_codes` (the codes of the offer's system-keyed tokens).
 */
function offerPlaceTest(cc: CompileContext, s: Criterion, x: string): string | undefined {
  if (s.kind !== 'param' || s.chain.length || s.negate || s.modifier || s.hierarchy || s.param.type !== 'token') return undefined;
  const tokens = s.values.flatMap((v) => (v.kind === 'token' ? [v] : []));
  const array = tokens.length === s.values.length ? arrayColumnTest(s.param, tokenValues(cc, s.param, tokens)) : undefined;
  if (!array) return undefined;
  if (COPIED_OFFER_COLUMNS.has(array.column)) return `${x}.${array.column} && ${cc.params.add(array.keys, 'text[]')}`;
  if (array.column === 'patient_type' && array.keys.every((k) => k.includes('|'))) {
    return `${x}.public_codes && ${cc.params.add(array.keys.map((k) => k.slice(k.lastIndexOf('|') + 1)), 'text[]')}`;
  }
  return undefined;
}

/**
 * Ids of `type` rows satisfying `c` (drivable), checked against the base condition of `type` unless
 * `skipBase` (the searched type: its base condition is in the page statement already).
 */
export function drivingSet(cc: CompileContext, c: Criterion, type: ResourceType, leaf: LeafCompiler, skipBase = false,
  siblings: Criterion[] = []): string {
  const p = cc.params;
  if (c.kind === 'has') {
    // Rows of c.type matching the inner criterion (checked), then what they reference through c.ref.
    const inner = drivingSet(cc, c.inner, c.type, leaf);
    const d = p.alias('d');
    const h = p.alias('h');
    const t = p.alias('t');
    const ids = `SELECT ${t}.target_id AS id FROM (${inner}) ${d} CROSS JOIN LATERAL (SELECT ${h}.target_id FROM search_reference ${h}
      WHERE ${h}.rtype = ${p.add(c.type)} AND ${h}.param = ${p.add(c.ref.code)} AND ${h}.id = ${d}.id
      AND ${h}.target_type = ${p.add(type)} AND ${h}.target_id IS NOT NULL OFFSET 0) ${t}`;
    return skipBase ? ids : checked(cc, type, (a) => `${a}.id IN (${ids})`);
  }
  if (c.kind !== 'param') throw new Error('drivingSet: not a drivable criterion');
  const near = offersNearPlaces(cc, c, type, leaf, siblings);
  if (near) return skipBase ? near : checked(cc, type, (a) => `${a}.id IN (${near})`);
  // Types along the chain: types[0] = searched type … types[n] = the leaf's type.
  const types: ResourceType[] = [type, ...c.chain.map((l) => l.target)];
  const leafType = types[types.length - 1];
  const own = (a: string) => leaf({ ...c, chain: [] }, leafType, a);
  let ids: string;
  if (c.chain.length === 0 && skipBase) {
    const x = p.alias('x');
    ids = `SELECT ${x}.id FROM ${tableOf(leafType)} ${x} WHERE ${own(x)}`;
  } else {
    ids = checked(cc, leafType, own);
  }
  for (let level = c.chain.length - 1; level >= 0; level--) {
    const refs = referrers(cc, types[level], c.chain[level], ids);
    ids = level === 0 && skipBase ? refs : checked(cc, types[level], (a) => `${a}.id IN (${refs})`);
  }
  return ids;
}
