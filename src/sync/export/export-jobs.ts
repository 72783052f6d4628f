/** The `export_job` table (migration 070): jobs of `$export`, shared by every API node. */
import type { Queryable } from '../../db/database.ts';
import type { RequestContext } from '../../store/context.ts';
import type { ExportRequest } from './export-request.ts';

export type JobStatus = 'accepted' | 'in-progress' | 'completed' | 'failed' | 'cancelled';

/** One written file of a job: type, file name in the job folder, resources written. */
export interface OutputFile {
  type: string;
  file: string;
  count: number;
}

export interface ExportJob {
  id: string;
  status: JobStatus;
  request: ExportRequest;
  caller: RequestContext;
  transactionTime: string;
  feedCursor: string;
  finishedAt: string | null;
  progress: string | null;
  output: OutputFile[];
  deleted: OutputFile[];
  error: { fr: string; en: string } | null;
}

interface Row {
  id: string;
  status: JobStatus;
  request: ExportRequest;
  caller: RequestContext;
  transaction_time: Date | string;
  feed_cursor: string;
  finished_at: Date | string | null;
  progress: string | null;
  output: OutputFile[];
  deleted: OutputFile[];
  error: { fr: string; en: string } | null;
}

const COLUMNS = 'id, status, request, caller, transaction_time, feed_cursor, finished_at, progress, output, deleted, error';

function toJob(r: Row): ExportJob {
  return {
    id: r.id, status: r.status, request: r.request, caller: r.caller,
    transactionTime: new Date(r.transaction_time).toISOString(), feedCursor: r.feed_cursor,
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    progress: r.progress, output: r.output, deleted: r.deleted, error: r.error,
  };
}

export async function insertJob(q: Queryable, job: { id: string; request: ExportRequest; caller: RequestContext; transactionTime: string; feedCursor: string }): Promise<void> {
  await q.query(
    `INSERT INTO export_job (id, status, request, caller, transaction_time, feed_cursor) VALUES ($1, 'accepted', $2::jsonb, $3::jsonb, $4, $5)`,
    [job.id, JSON.stringify(job.request), JSON.stringify(job.caller), job.transactionTime, job.feedCursor],
  );
}

export async function findJob(q: Queryable, id: string): Promise<ExportJob | null> {
  const r = await q.query<Row>(`SELECT ${COLUMNS} FROM export_job WHERE id = $1`, [id]);
  return r.rows[0] ? toJob(r.rows[0]) : null;
}

/** Takes the oldest unfinished job nobody holds (never started, or its holder's lease lapsed). */
export async function claimJob(q: Queryable, owner: string, leaseSeconds: number): Promise<ExportJob | null> {
  const r = await q.query<Row>(
    `UPDATE export_job SET status = 'in-progress', lease_owner = $1, lease_until = now() + make_interval(secs => $2)
     WHERE id = (SELECT id FROM export_job WHERE status IN ('accepted', 'in-progress') AND (lease_until IS NULL OR lease_until < now())
                 ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [owner, leaseSeconds],
  );
  return r.rows[0] ? toJob(r.rows[0]) : null;
}

/** Renews the lease and records progress; false when the job is no longer ours to run (cancelled, taken over). */
export async function renewLease(q: Queryable, id: string, owner: string, leaseSeconds: number, progress: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE export_job SET lease_until = now() + make_interval(secs => $3), progress = $4
     WHERE id = $1 AND lease_owner = $2 AND status = 'in-progress' RETURNING id`,
    [id, owner, leaseSeconds, progress],
  );
  return r.rowCount > 0;
}

/** Appends a finished file to the job's output (or deletions); false when the job is no longer ours. */
export async function addOutput(q: Queryable, id: string, owner: string, kind: 'output' | 'deleted', file: OutputFile): Promise<boolean> {
  const r = await q.query(
    `UPDATE export_job SET ${kind} = ${kind} || $3::jsonb WHERE id = $1 AND lease_owner = $2 AND status = 'in-progress' RETURNING id`,
    [id, owner, JSON.stringify([file])],
  );
  return r.rowCount > 0;
}

export async function finishJob(q: Queryable, id: string, owner: string, status: 'completed' | 'failed', error?: { fr: string; en: string }): Promise<void> {
  await q.query(
    `UPDATE export_job SET status = $3, finished_at = now(), error = $4::jsonb, lease_owner = NULL, lease_until = NULL, progress = NULL
     WHERE id = $1 AND lease_owner = $2 AND status = 'in-progress'`,
    [id, owner, status, error ? JSON.stringify(error) : null],
  );
  await q.query('DELETE FROM export_member WHERE job_id = $1', [id]);
}

/** Lets another node (or this one after a restart) take the job at once. */
export async function releaseJob(q: Queryable, id: string, owner: string): Promise<void> {
  await q.query(`UPDATE export_job SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [id, owner]);
}

export async function cancelJob(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query(
    `UPDATE export_job SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_until = NULL WHERE id = $1 AND status <> 'cancelled' RETURNING id`,
    [id],
  );
  await q.query('DELETE FROM export_member WHERE job_id = $1', [id]);
  return r.rowCount > 0;
}

/** Jobs finished before `hours` ago (their files are to be removed), deleted from the table. */
export async function purgeJobs(q: Queryable, hours: number): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `DELETE FROM export_job WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at < now() - make_interval(hours => $1) RETURNING id`,
    [hours],
  );
  return r.rows.map((x) => x.id);
}
