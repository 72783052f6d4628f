/**
 * Migrating a fresh database is most of an integration suite's set-up (≈ 8 s on PGlite, which also runs initdb; a few
 * seconds on the server), and there are ≈ 60 suites per engine. The test command (scripts/test.mjs) runs this once
 * per test run: one PGlite database migrated and saved as a tar of its data directory, one database migrated on the
 * PostgreSQL server to be cloned (CREATE DATABASE … TEMPLATE); each suite then starts from a copy (databases.ts).
 *
 *   node --import tsx src/testing/prepare-databases.ts prepare <pglite tar> <template name>
 *   node --import tsx src/testing/prepare-databases.ts drop <template name>
 *
 * `prepare` prints, as JSON, the environment variables telling databases.ts what it made (the server may be absent; its
 * suites then say so themselves).
 */
import fs from 'node:fs';
import pg from 'pg';
import { migrate } from '../db/migrate.ts';
import { PGliteDatabase } from '../db/pglite.ts';
import { PostgresDatabase } from '../db/postgres.ts';
import { PG_ADMIN_URL, PG_TEMPLATE_ENV, PGLITE_SNAPSHOT_ENV } from './databases.ts';
const TEMPLATE_PREFIX = 'ror_test_template_';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Templates left by test runs that were killed (their process is gone). */
async function dropOrphanTemplates(c: pg.Client): Promise<void> {
  const r = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${TEMPLATE_PREFIX}%'`);
  for (const { datname } of r.rows) {
    const pid = Number(datname.slice(TEMPLATE_PREFIX.length).split('_')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      // no such process
    }
    if (!alive) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
  }
}

async function preparePGlite(file: string): Promise<void> {
  const db = await PGliteDatabase.open();
  try {
    await migrate(db);
    fs.writeFileSync(file, Buffer.from(await (await db.snapshot()).arrayBuffer()));
  } finally {
    await db.close();
  }
}

async function preparePostgres(template: string): Promise<boolean> {
  if (!template.startsWith(TEMPLATE_PREFIX)) throw new Error(`template name must start with ${TEMPLATE_PREFIX}`);
  try {
    await admin(async (c) => {
      await dropOrphanTemplates(c);
      await c.query(`CREATE DATABASE ${pg.escapeIdentifier(template)}`);
    });
  } catch {
    return false;
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${template}`;
  const db = new PostgresDatabase(url.toString(), 1);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return true;
}

async function dropTemplate(template: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(template)} WITH (FORCE)`)).catch(() => undefined);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'prepare' && args.length === 2) {
  const [pgliteFile, template] = args;
  const [, onServer] = await Promise.all([preparePGlite(pgliteFile), preparePostgres(template)]);
  console.log(JSON.stringify({ [PGLITE_SNAPSHOT_ENV]: pgliteFile, ...(onServer ? { [PG_TEMPLATE_ENV]: template } : {}) }));
} else if (command === 'drop' && args.length === 1) {
  await dropTemplate(args[0]);
} else {
  console.error('usage: prepare-databases.ts prepare <pglite tar> <template name> | drop <template name>');
  process.exit(2);
}
