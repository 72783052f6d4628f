import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Database, Queryable, QueryResult } from './database.ts';

// int8 (bigint) as JS number when safe: sequence numbers and counts stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
});

export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(connectionString: string, poolSize = Number(process.env.ROR_DB_POOL ?? 10)) {
    // No JIT: the server's statements are short searches and writes whose cost estimates (SQL functions, arrays)
    // cross jit_above_cost; compiling took 0.4 s of a 1.3 s capacity search on the national dataset (bench/RESULTS.md).
    // The indicator transactions already turned it off for the same reason.
    // A request waiting a minute for a connection fails (named) rather than waiting for ever on a saturated pool.
    this.pool = new pg.Pool({ connectionString, max: poolSize, options: '-c jit=off', connectionTimeoutMillis: 60_000 });
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', () => undefined);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const r = await this.pool.query(sql, params as unknown[]);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: Queryable = {
      async query<R>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
        const r = await client.query(sql, params as unknown[]);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
      },
      async exec(sql: string): Promise<void> {
        await client.query(sql);
      },
    };
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async copyOut(sql: string): Promise<Buffer[]> {
    const client = await this.pool.connect();
    let failed = false;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of client.query(copyTo(sql))) chunks.push(chunk as Buffer);
      return chunks;
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      // A connection whose COPY broke off is not given back to the pool.
      client.release(failed);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
