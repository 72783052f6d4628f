/**
 * Integration tests run the same suite on both engines: embedded PGlite (always) and the
 * PostgreSQL server (ROR_TEST_PG_URL, default the machine's server on 127.0.0.1:5432).
 * Each suite gets a fresh, migrated database of its own: a copy of one migrated once per test run
 * when the test command prepared it (scripts/test.mjs, prepare-databases.ts), else migrated there.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { PGliteDatabase } from '../db/pglite.ts';
import { PostgresDatabase } from '../db/postgres.ts';

export interface TestBackend {
  name: 'pglite' | 'postgres';
  /** Why the backend cannot run here (then its suites are reported as skipped, never silently). */
  unavailable?: string;
  open(): Promise<Database>;
}

export const PG_ADMIN_URL = process.env.ROR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function pgReachable(): Promise<string | undefined> {
  if (process.env.ROR_TEST_PG === '0') return 'ROR_TEST_PG=0';
  // A loaded machine (CI on 2 cores) can take seconds to accept a connection: a few patient attempts
  // before concluding the server is not there.
  let last: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (err) {
      last = err as Error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if (process.env.CI) throw new Error(`PostgreSQL server required in CI but unreachable at ${PG_ADMIN_URL}: ${last?.message}`);
  return `PostgreSQL unreachable at ${PG_ADMIN_URL}: ${last?.message}`;
}

/** Migrated once per test run by prepare-databases.ts: what each suite starts from (see scripts/test.mjs). */
export const PGLITE_SNAPSHOT_ENV = 'ROR_TEST_PGLITE_SNAPSHOT';
export const PG_TEMPLATE_ENV = 'ROR_TEST_PG_TEMPLATE';

/**
 * A throw-away database on the PostgreSQL server (empty, or a copy of `template`): its URL, and how to
 * drop it.
 */
export async function createPostgresTestDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ror_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : ''}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** A migrated database on a throw-away PostgreSQL database, dropped on close. */
async function openPostgres(): Promise<Database> {
  const template = process.env[PG_TEMPLATE_ENV] || undefined;
  const { url, drop } = await createPostgresTestDatabase(template);
  const db = new PostgresDatabase(url, 5);
  if (!template) await migrate(db);
  const close = db.close.bind(db);
  db.close = async () => {
    await close();
    await drop();
  };
  return db;
}

/** The prepared PGlite data directory, read once per process (a file may declare several suites). */
let pgliteSnapshot: Blob | undefined;

async function openPGlite(): Promise<Database> {
  const snapshot = process.env[PGLITE_SNAPSHOT_ENV];
  if (snapshot) return PGliteDatabase.open(undefined, (pgliteSnapshot ??= new Blob([fs.readFileSync(snapshot)])));
  const db = await PGliteDatabase.open();
  await migrate(db);
  return db;
}

let backends: Promise<TestBackend[]> | undefined;

export function testBackends(): Promise<TestBackend[]> {
  backends ??= (async () => [
    { name: 'pglite', open: openPGlite },
    { name: 'postgres', unavailable: await pgReachable(), open: openPostgres },
  ])();
  return backends;
}
