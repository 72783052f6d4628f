/**
 * One interface over the two PostgreSQL engines we run on: the embedded PGlite (default)
 * and a PostgreSQL server (`DATABASE_URL`). Same SQL, same migrations on both.
 */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  /** Runs one statement with `$1…$n` parameters. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * The bytes a `COPY (…) TO STDOUT` statement sends, untouched (no row parsing, no string decoding): the PostgreSQL
   * server only; undefined on PGlite. `sql` takes no parameters (see sql-literal.ts to inline them).
   */
  copyOut?(sql: string): Promise<Buffer[]>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Error raised by the engine, normalised: `code` is the SQLSTATE. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}
