/**
 * Wall time spent in each kind of statement (the benchmarks' `--timings`): where a bulk write waits on the database.
 * `timed(db)` wraps a database so that every query, in or out of a transaction, adds to `timings` under its label.
 */
import type { Database, Queryable } from '../src/db/database.ts';

export const timings = new Map<string, { n: number; ms: number }>();

function label(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  if (s.startsWith('WITH x AS (SELECT * FROM jsonb_to_recordset') || s.startsWith('WITH x AS (SELECT * FROM unnest')) return 'store: rows + history + audit (bulk)';
  if (s.startsWith('WITH k AS (SELECT * FROM unnest')) return 'search index (bulk)';
  if (/FOR UPDATE/.test(s)) return 'store: lock current rows';
  if (s.startsWith('INSERT INTO import_provenance')) return 'import: provenance';
  if (s.startsWith('SELECT p.source, p.resource_type, p.id, p.fields') || s.includes('FROM import_provenance')) return 'import: read provenance';
  if (s.startsWith('SELECT id, deleted, content FROM')) return 'import: read current';
  return s.slice(0, 40);
}

export function timed(db: Database): Database {
  const wrap = (q: Queryable): Queryable => ({
    query: async <T,>(sql: string, params?: unknown[]) => {
      const t = performance.now();
      try {
        return await q.query<T>(sql, params);
      } finally {
        const e = timings.get(label(sql)) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - t;
        timings.set(label(sql), e);
      }
    },
    exec: (sql: string) => q.exec(sql),
  });
  const w = Object.create(db) as Database;
  return Object.assign(w, { query: wrap(db).query, transaction: <T,>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))) });
}
