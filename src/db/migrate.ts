import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from './database.ts';

/**
 * A versioned migration: a `.sql` file in `migrations/`, or a code step registered in
 * `migrations/index.ts` for data loads (nomenclatures). Applied in id order, each in its own
 * transaction, recorded in `schema_migration`; the same list runs on PGlite and PostgreSQL.
 */
export interface Migration {
  id: string;
  sql?: string;
  run?: (tx: Queryable) => Promise<void>;
}

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function sqlMigrations(): Migration[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => ({ id: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(MIGRATIONS_DIR, f), 'utf8') }));
}

export async function allMigrations(): Promise<Migration[]> {
  const { codeMigrations } = await import('./migrations/index.ts');
  return [...sqlMigrations(), ...codeMigrations].sort((a, b) => a.id.localeCompare(b.id));
}

// Any 64-bit number unique to this application: serialises concurrent migrators on one server.
const MIGRATION_LOCK = 7_311_942_001;

/** Applies the pending migrations; returns the ids applied. */
export async function migrate(db: Database, log: (msg: string) => void = () => undefined): Promise<string[]> {
  await db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migration (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const applied: string[] = [];
  for (const m of await allMigrations()) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query('SELECT 1 FROM schema_migration WHERE id = $1', [m.id]);
      if (seen.rowCount > 0) return false;
      if (m.sql) await tx.exec(m.sql);
      if (m.run) await m.run(tx);
      await tx.query('INSERT INTO schema_migration (id) VALUES ($1)', [m.id]);
      return true;
    });
    if (done) {
      applied.push(m.id);
      log(`migration ${m.id} applied`);
    }
  }
  return applied;
}
