/**
 * Freshness of the offer: an item whose last confirmation or update is older than the threshold is "stale",
 * flagged on the referent's tree, to searchers (`stale` in /api/search) and in the reminder digest.
 * A confirmation writes a new version, so the last update date is never older than the last confirmation.
 */

/** Six months, the default (`ROR_STALE_AFTER_DAYS`). */
export const DEFAULT_STALE_AFTER_DAYS = 183;

/** The threshold in days from the environment (`ROR_STALE_AFTER_DAYS`, a positive integer). */
export function staleAfterDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ROR_STALE_AFTER_DAYS;
  if (raw === undefined || raw === '') return DEFAULT_STALE_AFTER_DAYS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`ROR_STALE_AFTER_DAYS must be a positive number of days, got "${raw}"`);
  return n;
}

/** Is data last updated (or confirmed) at `date` stale at `now`? */
export function isStale(date: string | Date | undefined, days: number, now = new Date()): boolean {
  if (!date) return true;
  const t = typeof date === 'string' ? Date.parse(date) : date.getTime();
  return Number.isFinite(t) && (now.getTime() - t) / 86_400_000 > days;
}
