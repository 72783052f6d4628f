/**
 * THE place where the base condition of every resource row a search may touch is built: matches,
 * chain and `_has` hops, includes. Access rules (security profiles) plug in here as an
 * AccessFilter, so they apply to all of them alike.
 */
import type { ResourceType } from '../../fhir/resource-types.ts';
import type { RequestContext } from '../../store/context.ts';
import type { SqlParams } from './sql-params.ts';

/**
 * Extra SQL condition on the rows of `type` (table alias `alias`) a caller may see, or undefined
 * for no restriction. Values must be bound with `params.add`.
 */
export type AccessFilter = (type: ResourceType, alias: string, ctx: RequestContext, params: SqlParams) => string | undefined;

export interface BaseWhereContext {
  ctx: RequestContext;
  params: SqlParams;
  access?: AccessFilter;
}

export function baseWhere(bw: BaseWhereContext, type: ResourceType, alias: string): string {
  const parts = [`NOT ${alias}.deleted`];
  const extra = bw.access?.(type, alias, bw.ctx, bw.params);
  if (extra) parts.push(`(${extra})`);
  return parts.join(' AND ');
}
