import type { Queryable } from '../db/database.ts';
import type { RequestContext } from './context.ts';

export interface AuditEntry {
  action: 'create' | 'update' | 'patch' | 'delete' | 'read' | 'search' | 'import' | 'login' | 'export' | string;
  outcome?: 'success' | 'failure';
  resourceType?: string;
  resourceId?: string;
  versionId?: number;
  diff?: unknown;
  detail?: unknown;
}

/** Appends one audit row (the table refuses updates and deletes). */
export async function recordAudit(tx: Queryable, ctx: RequestContext, e: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO audit_event (actor, actor_kind, action, outcome, resource_type, resource_id, version_id, source, remote_addr, diff, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb)`,
    [
      ctx.actor.id,
      ctx.actor.kind,
      e.action,
      e.outcome ?? 'success',
      e.resourceType ?? null,
      e.resourceId ?? null,
      e.versionId ?? null,
      ctx.source,
      ctx.remoteAddr ?? null,
      e.diff === undefined ? null : JSON.stringify(e.diff),
      e.detail === undefined ? null : JSON.stringify(e.detail),
    ],
  );
}
