/**
 * Which structures a signed-in person may open in "Mon espace": national administrators all, regional
 * administrators those of their régions, referents their EJ/EG and what hangs below. Writes are still
 * decided by the store's write authorizer; this only keeps pages and histories to their owners.
 */
import type { Queryable } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import { organizationsAbove } from '../security/perimeter.ts';
import { MatrixWriteAuthorizer } from '../security/write-authorizer.ts';
import type { Principal, UserPrincipal } from '../security/principal.ts';
import { ApiFailure } from '../web/api-errors.ts';

/** The signed-in person, or 401. */
export function signedIn(p: Principal | undefined): UserPrincipal {
  if (p?.kind === 'user') return p;
  throw new ApiFailure(401, 'login', 'Connectez-vous pour accéder à votre espace', 'Sign in first');
}

export function isAdmin(p: UserPrincipal): boolean {
  return p.role === 'national-admin' || p.role === 'regional-admin';
}

/** May this person see the structure (organization) `orgId` and its tree? */
export async function mayOpenStructure(q: Queryable, p: UserPrincipal, orgId: string): Promise<boolean> {
  if (p.role === 'national-admin') return true;
  if (p.role === 'regional-admin') {
    const r = await q.query<{ region: string | null }>('SELECT region FROM organization WHERE id = $1', [orgId]);
    return !!r.rows[0]?.region && p.regions.includes(r.rows[0].region);
  }
  if (p.role === 'referent') {
    const above = await organizationsAbove(q, [orgId]);
    return p.organizations.some((o) => above.has(o));
  }
  return false;
}

/** 403 unless the person may open the structure. */
export async function assertStructure(q: Queryable, p: UserPrincipal, orgId: string): Promise<void> {
  if (!(await mayOpenStructure(q, p, orgId))) {
    throw new ApiFailure(403, 'forbidden', 'Cette structure n’est pas dans votre périmètre', 'This structure is outside your perimeter');
  }
}

/** The organization an offer, place or organization hangs on (for the perimeter check of one item). */
export async function anchorOf(q: Queryable, type: string, id: string): Promise<string | undefined> {
  if (type === 'Organization') return id;
  if (type === 'HealthcareService') {
    const r = await q.query<{ org: string | null }>(
      `SELECT substring(content->'providedBy'->>'reference' from 'Organization/([A-Za-z0-9.-]+)') AS org FROM healthcare_service WHERE id = $1`, [id]);
    return r.rows[0]?.org ?? undefined;
  }
  if (type === 'Location') {
    const r = await q.query<{ org: string | null }>(
      `SELECT coalesce(
         (SELECT substring(h.content->'providedBy'->>'reference' from 'Organization/([A-Za-z0-9.-]+)') FROM healthcare_service h
           WHERE NOT h.deleted AND h.content->'location' @> jsonb_build_array(jsonb_build_object('reference', 'Location/' || l.id)) LIMIT 1),
         substring(l.content->'managingOrganization'->>'reference' from 'Organization/([A-Za-z0-9.-]+)')) AS org
       FROM location l WHERE l.id = $1`, [id]);
    return r.rows[0]?.org ?? undefined;
  }
  return undefined;
}

/** 403 unless the item (Organization, HealthcareService or Location) hangs in the person's perimeter. */
export async function assertItem(q: Queryable, p: UserPrincipal, type: string, id: string): Promise<void> {
  if (p.role === 'professional') {
    // A professional's own Practitioner, practices, city offers and their places: the write rules say which.
    const table = ({ Practitioner: 'practitioner', PractitionerRole: 'practitioner_role', HealthcareService: 'healthcare_service', Location: 'location' } as Record<string, string>)[type];
    const row = table ? (await q.query<{ content: Resource }>(`SELECT content FROM ${table} WHERE id = $1`, [id])).rows[0] : undefined;
    if (row && (await new MatrixWriteAuthorizer().mayUpdate(q, p, row.content))) return;
    throw new ApiFailure(403, 'forbidden', 'Cet élément n’est pas dans votre périmètre', 'This item is outside your perimeter');
  }
  const anchor = await anchorOf(q, type, id);
  if (!anchor) throw new ApiFailure(404, 'not-found', `${type}/${id} introuvable ou rattaché à aucune structure`, `${type}/${id} not found or attached to no structure`);
  await assertStructure(q, p, anchor);
}
