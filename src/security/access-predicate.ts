/**
 * Access rules compiled into SQL: the condition a row of a type must meet to be visible to a
 * caller, so that search counts (`total`), paging, `_include`, `_revinclude`, `_has` and export
 * never see what the caller may not read. Mirrors the row-level part of the redaction
 * (src/security/redact.ts); element-level redaction is then applied to the rows returned.
 */
import { isResourceType, type ResourceType } from '../fhir/resource-types.ts';
import type { RequestContext } from '../store/context.ts';
import { ruleFor, visibilityOf } from './access-matrix.ts';
import { readProfileOf, type Principal } from './principal.ts';
import { CHAMP_ACTIVITE_SYSTEM, FIELD_CITY } from './redact.ts';
import { principalOf } from './write-authorizer.ts';

/** Binds a value and returns its placeholder (e.g. the search engine's `SqlParams.add`). */
export type Bind = (value: unknown, cast?: string) => string;

const CITY_TYPE = JSON.stringify([{ coding: [{ system: CHAMP_ACTIVITE_SYSTEM, code: FIELD_CITY }] }]);

/** Offers (alias `hs`) that `refs` (a jsonb array of References) points to. */
const pointsTo = (refs: string) => `${refs} @> jsonb_build_array(jsonb_build_object('reference', 'HealthcareService/' || hs.id))`;

/** Uncorrelated sub-query: the given organizations and every unit below them (partOf, any depth up to 8). */
function organizationsBelow(ids: string): string {
  return `WITH RECURSIVE down(id, depth) AS (
      SELECT unnest(${ids}), 0
      UNION
      SELECT o.id, down.depth + 1 FROM organization o JOIN down ON o.content -> 'partOf' ->> 'reference' = 'Organization/' || down.id
      WHERE NOT o.deleted AND down.depth < 8
    ) SELECT id FROM down`;
}

/**
 * The SQL condition on the rows of `type` (table alias `alias`) visible to `principal`, or
 * undefined when everything is visible. Values are bound through `bind`.
 */
export function accessCondition(type: ResourceType, principal: Principal, alias: string, bind: Bind): string | undefined {
  if (ruleFor(principal, type, 'search') === 'none') return 'FALSE';
  const profile = readProfileOf(principal);
  if (profile === 'full') return undefined;
  const hideSensitive = visibilityOf('sensitive-offer', profile) === 'none';
  const cityOnly = visibilityOf('practitioner', profile) === 'city';
  const parts: string[] = [];
  switch (type) {
    case 'HealthcareService':
      if (hideSensitive) {
        // A referent still finds the sensitive offers of its own structures (it maintains them).
        const own = principal.kind === 'user' && principal.role === 'referent' && principal.organizations.length
          ? ` OR substring(${alias}.content -> 'providedBy' ->> 'reference' from 'Organization/([A-Za-z0-9.-]+)') IN (${organizationsBelow(bind(principal.organizations, 'text[]'))})`
          : '';
        parts.push(own ? `(NOT ${alias}.sensitive${own})` : `NOT ${alias}.sensitive`);
      }
      break;
    case 'PractitionerRole':
      if (hideSensitive) {
        parts.push(`NOT EXISTS (SELECT 1 FROM healthcare_service hs WHERE hs.sensitive AND NOT hs.deleted AND ${pointsTo(`${alias}.content -> 'healthcareService'`)})`);
      }
      if (cityOnly) {
        parts.push(`EXISTS (SELECT 1 FROM healthcare_service hs WHERE NOT hs.deleted AND hs.content -> 'type' @> ${bind(CITY_TYPE, 'jsonb')}
          AND ${pointsTo(`${alias}.content -> 'healthcareService'`)})`);
      }
      break;
    case 'Practitioner':
      if (cityOnly) {
        parts.push(`EXISTS (SELECT 1 FROM practitioner_role pr JOIN healthcare_service hs ON NOT hs.deleted AND ${pointsTo(`pr.content -> 'healthcareService'`)}
          WHERE NOT pr.deleted AND pr.content -> 'practitioner' ->> 'reference' = 'Practitioner/' || ${alias}.id
          AND hs.content -> 'type' @> ${bind(CITY_TYPE, 'jsonb')})`);
      }
      break;
    default:
      break;
  }
  return parts.length ? parts.join(' AND ') : undefined;
}

/**
 * Standalone form: `{ sql, params }` with placeholders `$1…` numbered from `firstParam`
 * (an empty `sql` means no restriction).
 */
export function accessPredicate(type: string, principal: Principal, alias: string, firstParam = 1): { sql: string; params: unknown[] } {
  if (!isResourceType(type)) return { sql: 'FALSE', params: [] };
  const params: unknown[] = [];
  const sql = accessCondition(type, principal, alias, (v, cast) => {
    params.push(v);
    return `$${firstParam + params.length - 1}${cast ? `::${cast}` : ''}`;
  }) ?? '';
  return { sql, params };
}

/**
 * The search engine's AccessFilter (src/search/compile/base-where.ts):
 * `createSearchEngine(db, { accessFilter: searchAccessFilter })`.
 */
export function searchAccessFilter(type: ResourceType, alias: string, ctx: RequestContext, params: { add(value: unknown, cast?: string): string }): string | undefined {
  return accessCondition(type, principalOf(ctx), alias, (v, c) => params.add(v, c));
}
