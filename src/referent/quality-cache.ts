import type { Database } from '../db/database.ts';
import { qualityResults, type RuleResult } from '../indicators/quality.ts';

export interface QualityEvaluation {
  computedAt: Date;
  results: RuleResult[];
}

/**
 * The quality écarts shown on the referents' trees. The rules are batch rules over the whole directory
 * (duplicates compare sites with one another, as the national ROR computes them periodically): evaluated on
 * every page view they cost seconds on the demo and about a minute at national scale. Trees read the last
 * evaluation; once it is older than `maxAgeMs` it is still served while a new one is computed in the
 * background (one at a time), and the page says when it was computed. Only the very first view waits.
 */
export class QualityCache {
  private last: QualityEvaluation | undefined;
  private pending: Promise<QualityEvaluation> | undefined;

  constructor(private readonly db: Database, private readonly maxAgeMs: number) {}

  get(): Promise<QualityEvaluation> {
    if (this.last && Date.now() - this.last.computedAt.getTime() < this.maxAgeMs) return Promise.resolve(this.last);
    const refresh = (this.pending ??= this.compute());
    return this.last ? Promise.resolve(this.last) : refresh;
  }

  /** Forgets the last evaluation: the next view waits for a fresh one (after a referent's own correction, say). */
  invalidate(): void {
    this.last = undefined;
  }

  private async compute(): Promise<QualityEvaluation> {
    try {
      const results = await qualityResults(this.db);
      this.last = { computedAt: new Date(), results };
      return this.last;
    } finally {
      this.pending = undefined;
    }
  }
}

/** ROR_QUALITY_REFRESH_MINUTES (default 15): age after which the trees' quality écarts are recomputed. */
export function qualityRefreshMs(env: NodeJS.ProcessEnv): number {
  const raw = env.ROR_QUALITY_REFRESH_MINUTES;
  const minutes = raw === undefined || raw === '' ? 15 : Number(raw);
  if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`ROR_QUALITY_REFRESH_MINUTES must be a number of minutes ≥ 0 (got "${raw}")`);
  return minutes * 60_000;
}
