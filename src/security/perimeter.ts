/**
 * Where a resource hangs in the offer tree, read from the store tables: the organizations above
 * it, the offers it belongs to. Used by the write authorizer (referent / professional perimeters)
 * and by the read facts of the redaction.
 */
import type { Queryable } from '../db/database.ts';
import { isResourceType, tableOf } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';

/** The id of a `Type/id` reference (relative, absolute or versioned), or undefined. */
export function refId(ref: unknown, type: string): string | undefined {
  const r = (ref as { reference?: unknown } | undefined)?.reference;
  if (typeof r !== 'string') return undefined;
  const m = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$`).exec(r);
  return m?.[1];
}

export function refIds(refs: unknown, type: string): string[] {
  const list = Array.isArray(refs) ? refs : refs === undefined ? [] : [refs];
  return list.map((r) => refId(r, type)).filter((x): x is string => x !== undefined);
}

const MAX_DEPTH = 8;

/** The organization ids from `startIds` up their partOf chain (EG → EJ, OI → EG), starting ids included. */
export async function organizationsAbove(q: Queryable, startIds: string[]): Promise<Set<string>> {
  if (startIds.length === 0) return new Set();
  const r = await q.query<{ id: string }>(
    `WITH RECURSIVE up(id, depth) AS (
       SELECT unnest($1::text[]), 0
       UNION
       SELECT substring(o.content -> 'partOf' ->> 'reference' from 'Organization/([A-Za-z0-9.-]+)'), up.depth + 1
       FROM up JOIN organization o ON o.id = up.id AND NOT o.deleted
       WHERE up.depth < ${MAX_DEPTH} AND o.content -> 'partOf' ->> 'reference' IS NOT NULL
     ) SELECT DISTINCT id FROM up WHERE id IS NOT NULL`,
    [startIds],
  );
  return new Set(r.rows.map((x) => x.id));
}

/** Live offers referencing a Location (HealthcareService.location). */
export async function offersAtLocation(q: Queryable, locationId: string): Promise<Resource[]> {
  const r = await q.query<{ content: Resource }>(
    `SELECT content FROM healthcare_service WHERE NOT deleted AND content -> 'location' @> $1::jsonb LIMIT 200`,
    [JSON.stringify([{ reference: `Location/${locationId}` }])],
  );
  return r.rows.map((x) => x.content);
}

export async function offersByIds(q: Queryable, ids: string[]): Promise<Resource[]> {
  if (ids.length === 0) return [];
  const r = await q.query<{ content: Resource }>('SELECT content FROM healthcare_service WHERE NOT deleted AND id = ANY($1::text[])', [ids]);
  return r.rows.map((x) => x.content);
}

/** Live PractitionerRoles of a Practitioner. */
export async function rolesOfPractitioner(q: Queryable, practitionerId: string): Promise<Resource[]> {
  const r = await q.query<{ content: Resource }>(
    `SELECT content FROM practitioner_role WHERE NOT deleted AND content -> 'practitioner' @> $1::jsonb LIMIT 500`,
    [JSON.stringify({ reference: `Practitioner/${practitionerId}` })],
  );
  return r.rows.map((x) => x.content);
}

/**
 * The organizations a resource directly hangs on (before walking up partOf). For an Organization,
 * its own partOf only: the stored chain above its id may differ from the version being checked.
 */
export async function anchorOrganizations(q: Queryable, resource: Resource): Promise<string[]> {
  switch (resource.resourceType) {
    case 'Organization':
      return refIds(resource.partOf, 'Organization');
    case 'HealthcareService':
      return refIds(resource.providedBy, 'Organization');
    case 'Location': {
      const offers = resource.id ? await offersAtLocation(q, resource.id) : [];
      return [...refIds(resource.managingOrganization, 'Organization'), ...offers.flatMap((o) => refIds(o.providedBy, 'Organization'))];
    }
    case 'PractitionerRole': {
      const offers = await offersByIds(q, refIds(resource.healthcareService, 'HealthcareService'));
      return [...refIds(resource.organization, 'Organization'), ...offers.flatMap((o) => refIds(o.providedBy, 'Organization'))];
    }
    case 'Task': {
      // An anomaly report hangs on the structure it is routed to (owner) and on the one of the resource it is about.
      const focus = await referencedResource(q, resource.focus);
      const ofFocus = !focus ? [] : focus.resourceType === 'Organization' ? [focus.id!] : await anchorOrganizations(q, focus);
      return [...refIds(resource.owner, 'Organization'), ...ofFocus];
    }
    default:
      return [];
  }
}

/** The live resource a `Type/id` reference points to (relative or absolute), or undefined. */
export async function referencedResource(q: Queryable, ref: unknown): Promise<Resource | undefined> {
  const r = (ref as { reference?: unknown } | undefined)?.reference;
  const m = typeof r === 'string' ? /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(r) : null;
  if (!m || !isResourceType(m[1]) || m[1] === 'Task') return undefined;
  const row = await q.query<{ content: Resource }>(`SELECT content FROM ${tableOf(m[1])} WHERE id = $1 AND NOT deleted`, [m[2]]);
  return row.rows[0]?.content;
}
