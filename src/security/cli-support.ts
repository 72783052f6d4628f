/** What the `ror user|app|audit` commands share: the migrated database, argument parsing, stdin. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';

export async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrate(db, (m) => console.error(m));
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Strict option parsing with positionals (node:util parseArgs), typed from the options given. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  return parseArgs({ args, options, allowPositionals: true as const, strict: true as const });
}

/** Reads a secret from standard input (first line), so that it never appears in a command line or shell history. */
export async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

/** Prints rows as aligned columns. */
export function printTable(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    console.log('(aucun)');
    return;
  }
  const keys = Object.keys(rows[0]);
  const cell = (v: unknown) => (Array.isArray(v) ? v.join(',') : v === null || v === undefined ? '' : String(v));
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  console.log(keys.map((k, i) => k.padEnd(widths[i])).join('  ').trimEnd());
  for (const r of rows) console.log(keys.map((k, i) => cell(r[k]).padEnd(widths[i])).join('  ').trimEnd());
}
