/**
 * `_include` / `_revinclude` (with `:iterate`) over the search_reference index. Includes whose
 * source is not the searched type (the IG's `_include=PractitionerRole:practitioner` after
 * `_revinclude=PractitionerRole:service`) are applied to the included resources of that type.
 */
import type { Queryable } from '../db/database.ts';
import { isResourceType, tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import { baseWhere, type BaseWhereContext } from './compile/base-where.ts';
import { SqlParams } from './compile/sql-params.ts';
import type { IncludeSpec } from './parse/search-query.ts';

const MAX_ROUNDS = 10;

export async function resolveIncludes(
  db: Queryable, bw: Omit<BaseWhereContext, 'params'>, searched: ResourceType, matches: Resource[], specs: IncludeSpec[],
): Promise<Resource[]> {
  if (!specs.length || !matches.length) return [];
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  const included: Resource[] = [];
  const applied = new Set<IncludeSpec>();
  let frontier = matches;
  for (let round = 0; round < MAX_ROUNDS && frontier.length; round++) {
    const next: Resource[] = [];
    const batch: Promise<Resource[]>[] = [];
    for (const spec of specs) {
      // Round 0: reverse includes and includes from the searched type, on the matches. Later
      // rounds: iterate ones, and those not applied yet, on what the previous round added.
      if (round === 0 ? !spec.rev && spec.source !== searched : !spec.iterate && applied.has(spec)) continue;
      const sources = spec.rev ? frontier : frontier.filter((r) => r.resourceType === spec.source);
      if (!sources.length) continue;
      applied.add(spec);
      batch.push(spec.rev ? revInclude(db, bw, spec, sources) : forwardInclude(db, bw, spec, sources));
    }
    // A round's includes depend only on the previous round: their statements run side by side (on a pool).
    for (const found of await Promise.all(batch)) {
      for (const r of found) {
        const key = `${r.resourceType}/${r.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        included.push(r);
        next.push(r);
      }
    }
    frontier = next;
  }
  return included;
}

async function fetchByIds(db: Queryable, bw: Omit<BaseWhereContext, 'params'>, type: ResourceType, ids: string[]): Promise<Resource[]> {
  if (!ids.length) return [];
  const params = new SqlParams();
  const sql = `SELECT a.content FROM ${tableOf(type)} a WHERE a.id = ANY(${params.add(ids, 'text[]')}) AND ${baseWhere({ ...bw, params }, type, 'a')} ORDER BY a.id`;
  return (await db.query<{ content: Resource }>(sql, params.values)).rows.map((r) => r.content);
}

async function forwardInclude(db: Queryable, bw: Omit<BaseWhereContext, 'params'>, spec: IncludeSpec, sources: Resource[]): Promise<Resource[]> {
  const params = new SqlParams();
  const conds = [`x.rtype = ${params.add(spec.source)}`, `x.id = ANY(${params.add(sources.map((r) => r.id), 'text[]')})`, 'x.target_id IS NOT NULL'];
  if (spec.param !== '*') conds.push(`x.param = ${params.add(spec.param)}`);
  if (spec.target) conds.push(`x.target_type = ${params.add(spec.target)}`);
  const refs = await db.query<{ target_type: string; target_id: string }>(
    `SELECT DISTINCT x.target_type, x.target_id FROM search_reference x WHERE ${conds.join(' AND ')}`, params.values);
  const byType = new Map<ResourceType, string[]>();
  for (const r of refs.rows) {
    const t = r.target_type as ResourceType;
    if (!isResourceType(t)) continue;
    byType.set(t, [...(byType.get(t) ?? []), r.target_id]);
  }
  return (await Promise.all([...byType].map(([t, ids]) => fetchByIds(db, bw, t, ids)))).flat();
}

async function revInclude(db: Queryable, bw: Omit<BaseWhereContext, 'params'>, spec: IncludeSpec, targets: Resource[]): Promise<Resource[]> {
  const params = new SqlParams();
  const conds = [`x.rtype = ${params.add(spec.source)}`, `x.target_id = ANY(${params.add(targets.map((r) => r.id), 'text[]')})`,
    `x.target_type = ANY(${params.add([...new Set(targets.map((r) => r.resourceType))], 'text[]')})`];
  if (spec.param !== '*') conds.push(`x.param = ${params.add(spec.param)}`);
  const refs = await db.query<{ id: string }>(`SELECT DISTINCT x.id FROM search_reference x WHERE ${conds.join(' AND ')}`, params.values);
  return fetchByIds(db, bw, spec.source, refs.rows.map((r) => r.id));
}

