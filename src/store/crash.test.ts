import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import { createPostgresTestDatabase, testBackends } from '../testing/databases.ts';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata/crash-writer.ts');

/** Runs the writer until it is inside its transaction, then kills it with SIGKILL. */
async function crashWriter(target: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, target], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('in-transaction')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function assertOnlyCommitted(db: Database): Promise<void> {
  const names = await db.query<{ name: string }>(`SELECT content->>'name' AS name FROM organization ORDER BY 1`);
  assert.deepEqual(names.rows.map((r) => r.name), ['committed before the crash']);
  // Organizations only: the migrations write resources of their own (the entry-template Questionnaires).
  const history = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_history WHERE resource_type = 'Organization'`);
  assert.equal(history.rows[0].n, 1);
  const audit = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event WHERE resource_type = 'Organization'`);
  assert.equal(audit.rows[0].n, 1);
}

for (const backend of await testBackends()) {
  test(`a process killed mid-transaction leaves no partial resource [${backend.name}]`, { skip: backend.unavailable, timeout: 60_000 }, async () => {
    if (backend.name === 'pglite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-crash-'));
      try {
        await crashWriter(dir);
        const db = await openDatabase({ dataDir: dir });
        try {
          await assertOnlyCommitted(db);
        } finally {
          await db.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } else {
      const pgdb = await createPostgresTestDatabase();
      try {
        await crashWriter(pgdb.url);
        const db = await openDatabase({ databaseUrl: pgdb.url });
        try {
          await assertOnlyCommitted(db);
        } finally {
          await db.close();
        }
      } finally {
        await pgdb.drop();
      }
    }
  });
}
