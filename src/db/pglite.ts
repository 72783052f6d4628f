import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import type { Database, Queryable, QueryResult } from './database.ts';

/** Embedded PostgreSQL (WASM). `dataDir` undefined → in memory (tests). */
export class PGliteDatabase implements Database {
  readonly kind = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  /** `snapshot`: start from a data directory saved by `snapshot()` instead of an empty one. */
  static async open(dataDir?: string, snapshot?: Blob): Promise<PGliteDatabase> {
    const db = await PGlite.create({
      dataDir,
      loadDataDir: snapshot,
      extensions: { cube, earthdistance, pg_trgm, unaccent },
    });
    return new PGliteDatabase(db);
  }

  /** The whole data directory as an uncompressed tar (for `open(undefined, snapshot)`). */
  async snapshot(): Promise<Blob> {
    return this.db.dumpDataDir('none');
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const r = await this.db.query<T>(sql, params);
    return { rows: r.rows, rowCount: r.rows.length || (r.affectedRows ?? 0) };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // PGlite runs one transaction at a time on its single connection; it queues the others.
    return this.db.transaction(async (t) => {
      const tx: Queryable = {
        async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
          const r = await t.query<R>(sql, params);
          return { rows: r.rows, rowCount: r.rows.length || (r.affectedRows ?? 0) };
        },
        async exec(sql: string): Promise<void> {
          await t.exec(sql);
        },
      };
      return fn(tx);
    });
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
