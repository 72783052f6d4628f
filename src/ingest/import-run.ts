/**
 * Bookkeeping of an import in `import_run`: started, completed with its report, or failed. A dry run
 * writes nothing, not even its run (id -1). A run killed with SIGKILL stays `running`.
 */
import type { Database } from '../db/database.ts';
import { analyzeSearchIndex } from '../search/statistics.ts';

export const DRY_RUN_ID = -1;

export async function startImportRun(db: Database, source: string, file: string, dryRun: boolean): Promise<number> {
  if (dryRun) return DRY_RUN_ID;
  const r = await db.query<{ id: number }>(`INSERT INTO import_run (source, file) VALUES ($1, $2) RETURNING id`, [source, file]);
  return Number(r.rows[0]!.id);
}

/** Marks the run completed with its (trimmed) report; refreshes planner statistics after a bulk load. */
export async function completeImportRun(db: Database, runId: number, wrote: boolean, report: unknown): Promise<void> {
  if (runId === DRY_RUN_ID) return;
  // PGlite has no autovacuum: without this its planner would know nothing of the new rows.
  if (wrote) await analyzeSearchIndex(db);
  await db.query(`UPDATE import_run SET finished_at = now(), status = 'completed', report = $2::jsonb WHERE id = $1`, [runId, JSON.stringify(report)]);
}

/** Marks the run failed with the error (never throws: the caller rethrows the original error). */
export async function failImportRun(db: Database, runId: number, err: unknown): Promise<void> {
  if (runId === DRY_RUN_ID) return;
  await db
    .query(`UPDATE import_run SET finished_at = now(), status = 'failed', report = $2::jsonb WHERE id = $1`, [runId, JSON.stringify({ error: String((err as Error)?.message ?? err) })])
    .catch(() => undefined);
}
