import fs from 'node:fs';
import type { Database } from './database.ts';
import { PGliteDatabase } from './pglite.ts';
import { PostgresDatabase } from './postgres.ts';

/** Opens the configured database: PostgreSQL server when a URL is given, else embedded PGlite. */
export async function openDatabase(opts: { databaseUrl?: string; dataDir?: string }): Promise<Database> {
  if (opts.databaseUrl) return new PostgresDatabase(opts.databaseUrl);
  if (opts.dataDir) fs.mkdirSync(opts.dataDir, { recursive: true });
  return PGliteDatabase.open(opts.dataDir);
}
