import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { openDatabase } from '../../db/open.ts';
import { createPostgresTestDatabase, testBackends } from '../../testing/databases.ts';
import { defaultFinessDir } from '../reference-data.ts';

// An import killed with SIGKILL in the middle, then run again, must end in the same state as one uninterrupted run.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'src/cli/main.ts');
const CREATION_DATE = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-meta-creation-date';
const ROWS = 150;

type Target = { env: Record<string, string> };

function runImport(target: Target, file: string, killAfterBatches?: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, ...target.env };
  if (!target.env.DATABASE_URL) delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'import', 'finess', file, '--batch-size', '60'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let batches = 0;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    batches += (d.toString().match(/ lus \d+/g) ?? []).length;
    if (killAfterBatches !== undefined && batches >= killAfterBatches) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** The stored state, without what differs by nature between runs (write times, creation dates). */
async function dump(target: Target): Promise<unknown> {
  const db = await openDatabase(target.env.DATABASE_URL ? { databaseUrl: target.env.DATABASE_URL } : { dataDir: target.env.ROR_DATA_DIR });
  try {
    const out: Record<string, unknown> = {};
    for (const table of ['organization', 'location']) {
      const r = await db.query<{ id: string; version_id: number; deleted: boolean; region: string | null; content: { meta?: Record<string, unknown>; extension?: { url: string }[] } }>(
        `SELECT id, version_id, deleted, region, content FROM ${table} ORDER BY id`,
      );
      out[table] = r.rows.map((row) => {
        const { versionId: _v, lastUpdated: _l, ...meta } = row.content.meta ?? {};
        return { ...row, content: { ...row.content, meta, extension: row.content.extension?.filter((e) => e.url !== CREATION_DATE) } };
      });
    }
    out.provenance = (await db.query(`SELECT resource_type, id, fields, scope, closed_at IS NULL AS open FROM import_provenance ORDER BY resource_type, id`)).rows;
    out.history = (await db.query(`SELECT resource_type, id, version_id, deleted FROM resource_history ORDER BY resource_type, id, version_id`)).rows;
    return out;
  } finally {
    await db.close();
  }
}

for (const backend of await testBackends()) {
  test(`an import killed with SIGKILL midway, then re-run, converges to the uninterrupted state [${backend.name}]`, { skip: backend.unavailable, timeout: 600_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-finess-crash-'));
    const cleanups: (() => Promise<void>)[] = [async () => fs.rmSync(dir, { recursive: true, force: true })];
    try {
      const lines = fs.readFileSync(path.join(defaultFinessDir(), 'finess-etablissements-20210108-wgs84-dep78.csv'), 'utf8').split(/\r?\n/);
      const file = path.join(dir, 'dep78.csv');
      fs.writeFileSync(file, lines.slice(0, ROWS + 1).join('\n') + '\n');
      const targets: Target[] = [];
      for (const name of ['killed', 'reference']) {
        if (backend.name === 'pglite') targets.push({ env: { ROR_DATA_DIR: path.join(dir, name) } });
        else {
          const pgdb = await createPostgresTestDatabase();
          cleanups.push(() => pgdb.drop());
          targets.push({ env: { DATABASE_URL: pgdb.url } });
        }
      }
      const [killed, reference] = targets as [Target, Target];

      const first = await runImport(killed, file, 2);
      assert.equal(first.signal, 'SIGKILL', first.stderr);
      assert.equal(first.stdout, ''); // no final report: it died midway
      const partial = (await dump(killed)) as { organization: unknown[] };
      assert.ok(partial.organization.length > 0 && partial.organization.length < ROWS, `partial import: ${partial.organization.length} organizations`);

      const again = await runImport(killed, file);
      assert.equal(again.code, 0, again.stderr);
      const full = await runImport(reference, file);
      assert.equal(full.code, 0, full.stderr);
      const [a, b] = [await dump(killed), await dump(reference)];
      assert.deepEqual(a, b);
      const state = a as { location: unknown[]; history: { version_id: number }[] };
      assert.equal(state.location.length, ROWS);
      assert.ok(state.history.every((h) => h.version_id === 1));
    } finally {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    }
  });
}
