/**
 * Security entries of the audit trail (table audit_event, append-only): logins, token requests,
 * reads of restricted data; and the query behind `ror audit`. Never a password, secret or token.
 */
import type { Queryable } from '../db/database.ts';
import type { RequestContext } from '../store/context.ts';

export interface AuthEvent {
  actor: string;
  actorKind: 'user' | 'app' | 'anonymous';
  action: 'login' | 'logout' | 'token' | 'oidc-login';
  outcome: 'success' | 'failure' | 'throttled';
  remoteAddr?: string;
  detail?: Record<string, unknown>;
}

export async function recordAuthEvent(db: Queryable, e: AuthEvent): Promise<void> {
  await db.query(
    `INSERT INTO audit_event (actor, actor_kind, action, outcome, source, remote_addr, detail) VALUES ($1, $2, $3, $4, 'api', $5, $6::jsonb)`,
    [e.actor, e.actorKind, e.action, e.outcome, e.remoteAddr ?? null, e.detail ? JSON.stringify(e.detail) : null],
  );
}

/** Account administration (CLI): who was added, disabled, revoked; never the secret. */
export async function recordAdminEvent(db: Queryable, action: string, target: string, detail?: Record<string, unknown>): Promise<void> {
  const actor = `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
  await db.query(
    `INSERT INTO audit_event (actor, actor_kind, action, outcome, source, detail) VALUES ($1, 'system', $2, 'success', 'cli', $3::jsonb)`,
    [actor, action, JSON.stringify({ target, ...detail })],
  );
}

/** A read that disclosed data an anonymous visitor may not see (sensitive offer, restricted contacts…). */
export async function recordRestrictedRead(db: Queryable, ctx: RequestContext, resources: { type: string; id: string; versionId?: number }[], interaction: string): Promise<void> {
  if (resources.length === 0) return;
  const first = resources[0];
  await db.query(
    `INSERT INTO audit_event (actor, actor_kind, action, outcome, resource_type, resource_id, version_id, source, remote_addr, detail)
     VALUES ($1, $2, 'read-restricted', 'success', $3, $4, $5, $6, $7, $8::jsonb)`,
    [ctx.actor.id, ctx.actor.kind, first.type, first.id, first.versionId ?? null, ctx.source, ctx.remoteAddr ?? null,
      JSON.stringify({ interaction, resources: resources.slice(0, 200).map((r) => `${r.type}/${r.id}${r.versionId ? `/_history/${r.versionId}` : ''}`) })],
  );
}

export interface AuditQuery {
  actor?: string;
  /** `Type/id` or `Type`. */
  resource?: string;
  since?: string;
  limit?: number;
}

export interface AuditRow {
  seq: number;
  recordedAt: string;
  actor: string;
  actorKind: string;
  action: string;
  outcome: string;
  resource: string | null;
  versionId: number | null;
  source: string;
  remoteAddr: string | null;
  detail: unknown;
}

export async function queryAudit(db: Queryable, q: AuditQuery): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.actor) add('actor = ?', q.actor);
  if (q.resource) {
    const [type, id] = q.resource.split('/');
    add('resource_type = ?', type);
    if (id) add('resource_id = ?', id);
  }
  if (q.since) {
    if (Number.isNaN(Date.parse(q.since))) throw new Error(`Date invalide : ${q.since}`);
    add('recorded_at >= ?::timestamptz', q.since);
  }
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
  const r = await db.query<{
    seq: string | number; recorded_at: Date | string; actor: string; actor_kind: string; action: string; outcome: string;
    resource_type: string | null; resource_id: string | null; version_id: number | null; source: string; remote_addr: string | null; detail: unknown;
  }>(
    `SELECT seq, recorded_at, actor, actor_kind, action, outcome, resource_type, resource_id, version_id, source, remote_addr, detail
     FROM audit_event ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ${limit}`,
    params,
  );
  return r.rows.map((x) => ({
    seq: Number(x.seq), recordedAt: new Date(x.recorded_at).toISOString(), actor: x.actor, actorKind: x.actor_kind, action: x.action,
    outcome: x.outcome, resource: x.resource_type ? `${x.resource_type}${x.resource_id ? '/' + x.resource_id : ''}` : null,
    versionId: x.version_id, source: x.source, remoteAddr: x.remote_addr, detail: x.detail,
  }));
}
