/**
 * An item's versions for its referent — who, when, what changed (from the store's history and the audit
 * trail) — and "Restaurer cette version": the old content written as a new version (If-Match on the
 * current one, so a concurrent change is never overwritten).
 */
import type { Queryable } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore, WriteResult } from '../store/resource-store.ts';
import type { VersionEntry } from './api-types.ts';

export type { VersionEntry } from './api-types.ts';

const TABLE_TYPES = new Set(['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole']);

export function isHistoryType(type: string): boolean {
  return TABLE_TYPES.has(type);
}

/** The versions of one resource, newest first (at most `limit`). */
export async function versionsOf(q: Queryable, type: string, id: string, limit = 100): Promise<VersionEntry[]> {
  const r = await q.query<{
    version_id: number; last_updated: Date | string; deleted: boolean; action: string | null; actor: string | null;
    actor_kind: string | null; source: string | null; email: string | null; diff: { op: string; path: string }[] | null;
  }>(
    `SELECT h.version_id, h.last_updated, h.deleted, a.action, a.actor, a.actor_kind, a.source, acc.email, a.diff
     FROM resource_history h
     LEFT JOIN LATERAL (SELECT * FROM audit_event e
                        WHERE e.resource_type = h.resource_type AND e.resource_id = h.id AND e.version_id = h.version_id AND e.outcome = 'success'
                        ORDER BY e.seq DESC LIMIT 1) a ON true
     LEFT JOIN account acc ON acc.id = a.actor AND a.actor_kind = 'user'
     WHERE h.resource_type = $1 AND h.id = $2
     ORDER BY h.version_id DESC LIMIT $3`,
    [type, id, limit],
  );
  return r.rows.map((x) => ({
    versionId: Number(x.version_id),
    lastUpdated: new Date(x.last_updated).toISOString(),
    deleted: x.deleted,
    action: x.action,
    actor: x.email ?? x.actor,
    actorKind: x.actor_kind,
    source: x.source,
    changes: (Array.isArray(x.diff) ? x.diff : []).slice(0, 30).map((d) => ({ op: d.op, path: d.path })),
  }));
}

/**
 * Writes version `versionId` of the resource again as its newest version. `ifMatch` = the version the person
 * saw as current: a concurrent change answers 412 and nothing is written.
 */
export async function restoreVersion(
  store: ResourceStore, type: string, id: string, versionId: number, ifMatch: number, ctx: RequestContext,
): Promise<WriteResult> {
  const old = await store.vread(type, id, versionId);
  const content: Resource = structuredClone(old.resource);
  // The store stamps the new version's id and date; the old ones must not travel with the content.
  if (content.meta) {
    delete content.meta.versionId;
    delete content.meta.lastUpdated;
  }
  return store.transaction((tx) => tx.update(content, ctx, { ifMatch }, 'restore'));
}
