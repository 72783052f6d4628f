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

/** Key of the city field (champ d'activité 05) in `healthcare_service.service_type` (src/search/extract/token-keys.ts). */
const CITY_TYPE_KEY = [`${CHAMP_ACTIVITE_SYSTEM}|${FIELD_CITY}`];

/**
 * Live offers (alias `acc_hs`) of the PractitionerRole whose id is `roleId`, through the search index
 * (`search_reference`, indexed both ways) rather than the JSON of every role: the condition runs
 * once per candidate row of a search or include, and a scan of all roles there was quadratic.
 */
const offersOfRole = (roleId: string, where: string) => `SELECT 1 FROM search_reference acc_s
          JOIN healthcare_service acc_hs ON acc_hs.id = acc_s.target_id AND NOT acc_hs.deleted
          WHERE acc_s.rtype = 'PractitionerRole' AND acc_s.param = 'service' AND acc_s.id = ${roleId} AND ${where}`;

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
      if (hideSensitive) parts.push(`NOT EXISTS (${offersOfRole(`${alias}.id`, 'acc_hs.sensitive')})`);
      if (cityOnly) parts.push(`EXISTS (${offersOfRole(`${alias}.id`, `acc_hs.service_type @> ${bind(CITY_TYPE_KEY, 'text[]')}`)})`);
      break;
    case 'Practitioner':
      if (cityOnly) {
        // A practitioner with a live role in a live city offer.
        parts.push(`EXISTS (SELECT 1 FROM search_reference acc_p JOIN practitioner_role acc_pr ON acc_pr.id = acc_p.id AND NOT acc_pr.deleted
          WHERE acc_p.rtype = 'PractitionerRole' AND acc_p.param = 'practitioner' AND acc_p.target_id = ${alias}.id
          AND EXISTS (${offersOfRole('acc_p.id', `acc_hs.service_type @> ${bind(CITY_TYPE_KEY, 'text[]')}`)}))`);
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
