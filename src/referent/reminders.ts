/**
 * The freshness reminder job: for every enabled referent, the items of their structures not confirmed nor
 * updated for `staleAfterDays`, sent as one e-mail digest through the mailer. Each run is recorded in
 * `reminder_run` (migration 091) and listed for administrators. Run by the server on an interval
 * (`ROR_REMINDER_INTERVAL_HOURS`) and by `ror reminders`.
 */
import type { Database, Queryable } from '../db/database.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { ReminderRun } from './api-types.ts';

export interface StaleItem {
  type: 'Organization' | 'HealthcareService';
  id: string;
  name: string;
  lastUpdated: string;
}

export type { ReminderRun } from './api-types.ts';

const ORG = (col: string) => `substring(${col} from 'Organization/([A-Za-z0-9.-]+)')`;

/** Structures (below the given EJ/EG, up to 8 levels) and their offers last updated more than `days` ago. */
export async function staleItemsBelow(q: Queryable, orgIds: string[], days: number, now = new Date()): Promise<StaleItem[]> {
  if (!orgIds.length) return [];
  const r = await q.query<{ type: StaleItem['type']; id: string; name: string | null; last_updated: Date | string }>(
    `WITH RECURSIVE down(id, depth) AS (
       SELECT unnest($1::text[]), 0
       UNION
       SELECT o.id, down.depth + 1 FROM down JOIN organization o ON NOT o.deleted AND ${ORG("o.content->'partOf'->>'reference'")} = down.id
       WHERE down.depth < 8
     ), orgs AS (SELECT DISTINCT id FROM down)
     SELECT 'Organization' AS type, o.id, o.content->>'name' AS name, o.last_updated FROM organization o JOIN orgs USING (id)
       WHERE NOT o.deleted AND o.last_updated < $2::timestamptz
     UNION ALL
     SELECT 'HealthcareService', h.id, h.content->>'name', h.last_updated FROM healthcare_service h
       WHERE NOT h.deleted AND ${ORG("h.content->'providedBy'->>'reference'")} IN (SELECT id FROM orgs) AND h.last_updated < $2::timestamptz
     ORDER BY 4, 2`,
    [orgIds, new Date(now.getTime() - days * 86_400_000).toISOString()],
  );
  return r.rows.map((x) => ({ type: x.type, id: x.id, name: x.name ?? x.id, lastUpdated: new Date(x.last_updated).toISOString() }));
}

/** The French digest for one referent. */
export function digestText(items: StaleItem[], days: number, baseUrl: string): string {
  const lines = items.slice(0, 50).map((i) => `- ${i.type === 'HealthcareService' ? 'Offre' : 'Structure'} « ${i.name} » : dernière mise à jour le ${i.lastUpdated.slice(0, 10)}`);
  return [
    'Bonjour,',
    '',
    `Les données suivantes de vos structures n’ont été ni confirmées ni mises à jour depuis plus de ${days} jours :`,
    '',
    ...lines,
    ...(items.length > 50 ? [`… et ${items.length - 50} autres.`] : []),
    '',
    `Vérifiez-les et cliquez sur « Confirmer comme exact » dans votre espace : ${baseUrl}/espace`,
    '',
    'Le Répertoire Opérationnel des Ressources',
  ].join('\n');
}

/** Runs the job once: one digest per referent with stale items. The run is recorded whatever happens. */
export async function runReminders(
  db: Database, deps: { mailer: Mailer; staleAfterDays: number; baseUrl: string; trigger: string; now?: Date },
): Promise<ReminderRun> {
  const started = await db.query<{ id: number }>(
    'INSERT INTO reminder_run (trigger, stale_after_days) VALUES ($1, $2) RETURNING id', [deps.trigger, deps.staleAfterDays]);
  const id = Number(started.rows[0].id);
  let referents = 0;
  let staleItems = 0;
  let emailsSent = 0;
  try {
    const accounts = (await db.query<{ email: string; organizations: string[] }>(
      `SELECT email, organizations FROM account WHERE role = 'referent' AND NOT disabled AND cardinality(organizations) > 0 ORDER BY email`)).rows;
    for (const a of accounts) {
      referents++;
      const items = await staleItemsBelow(db, a.organizations, deps.staleAfterDays, deps.now);
      if (!items.length) continue;
      staleItems += items.length;
      await deps.mailer.send({
        to: a.email,
        subject: `ROR : ${items.length} donnée${items.length > 1 ? 's' : ''} à confirmer`,
        text: digestText(items, deps.staleAfterDays, deps.baseUrl),
      });
      emailsSent++;
    }
    await db.query(
      `UPDATE reminder_run SET finished_at = now(), status = 'done', referents = $2, stale_items = $3, emails_sent = $4 WHERE id = $1`,
      [id, referents, staleItems, emailsSent]);
  } catch (err) {
    await db.query(
      `UPDATE reminder_run SET finished_at = now(), status = 'failed', referents = $2, stale_items = $3, emails_sent = $4, error = $5 WHERE id = $1`,
      [id, referents, staleItems, emailsSent, err instanceof Error ? err.message.slice(0, 500) : String(err)]);
  }
  return (await listReminderRuns(db, 1, id))[0];
}

/** The latest runs, newest first. */
export async function listReminderRuns(q: Queryable, limit = 50, onlyId?: number): Promise<ReminderRun[]> {
  const r = await q.query<Record<string, unknown>>(
    `SELECT * FROM reminder_run ${onlyId !== undefined ? 'WHERE id = $2' : ''} ORDER BY started_at DESC, id DESC LIMIT $1`,
    onlyId !== undefined ? [limit, onlyId] : [limit]);
  return r.rows.map((x) => ({
    id: Number(x.id),
    startedAt: new Date(x.started_at as string).toISOString(),
    finishedAt: x.finished_at ? new Date(x.finished_at as string).toISOString() : null,
    trigger: String(x.trigger),
    staleAfterDays: Number(x.stale_after_days),
    status: x.status as ReminderRun['status'],
    referents: Number(x.referents),
    staleItems: Number(x.stale_items),
    emailsSent: Number(x.emails_sent),
    error: (x.error as string | null) ?? null,
  }));
}

/** Reminder interval from `ROR_REMINDER_INTERVAL_HOURS` (default 24; 0 = the server never runs the job itself). */
export function reminderIntervalHours(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ROR_REMINDER_INTERVAL_HOURS;
  if (raw === undefined || raw === '') return 24;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`ROR_REMINDER_INTERVAL_HOURS must be a number of hours ≥ 0, got "${raw}"`);
  return n;
}
