/**
 * Planner statistics of the search tables. PostgreSQL's autovacuum keeps them fresh; embedded
 * PGlite has no autovacuum worker, so without this its planner never learns table sizes or value
 * frequencies and picks poor plans as data grows. The engine refreshes them in the background on
 * PGlite after enough writes (or when never analysed); imports can call analyzeSearchIndex at the end.
 */
import type { Database } from '../db/database.ts';

const TABLES = [
  'search_token', 'search_string', 'search_reference', 'search_date', 'search_number', 'search_text',
  'organization', 'healthcare_service', 'location', 'practitioner', 'practitioner_role', 'task', 'questionnaire', 'commune',
];

let indexWrites = 0;

/** Called by the indexer for every resource (re)indexed in this process. */
export function noteIndexWrite(): void {
  indexWrites++;
}

/** Refreshes the statistics of the search tables and the resource tables (one ANALYZE each). */
export async function analyzeSearchIndex(db: Database): Promise<void> {
  for (const t of TABLES) await db.exec(`ANALYZE ${t}`);
}

export interface StatisticsPolicy {
  /** Writes since the last refresh that justify a new one… */
  minWrites: number;
  /** …or this share of the writes counted at the last refresh (growth), whichever is larger. */
  growth: number;
}

/** Decides when to refresh, runs one refresh at a time, never on the request's critical path. */
export class StatisticsKeeper {
  private writesAtLastRun = 0;
  private checkedNeverAnalysed = false;
  private running: Promise<void> | undefined;

  constructor(private readonly db: Database, private readonly policy: StatisticsPolicy = { minWrites: 1000, growth: 0.2 }) {}

  /** Starts a background refresh if needed (PGlite only); returns at once. */
  poke(): void {
    if (this.db.kind !== 'pglite' || this.running) return;
    const pending = indexWrites - this.writesAtLastRun;
    const due = pending >= Math.max(this.policy.minWrites, this.policy.growth * this.writesAtLastRun);
    if (!due && this.checkedNeverAnalysed) return;
    this.running = (async () => {
      if (!due) {
        this.checkedNeverAnalysed = true;
        const r = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'search_token' AND reltuples < 0`);
        if (r.rows[0].n === 0) return;
      }
      this.writesAtLastRun = indexWrites;
      await analyzeSearchIndex(this.db);
    })()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Resolves when no refresh is running (tests, shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }
}
