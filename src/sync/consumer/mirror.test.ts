// `ror sync` end to end, on both engines: a consumer process mirrors the server while writers
// create, update and delete resources at random; the consumer is killed (SIGKILL) in the middle
// and started again, then the server restarts under it; at the end the mirror holds exactly the source's live resources (ids,
// versions, contents) and its deletions.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { Database, Queryable } from '../../db/database.ts';
import { PGliteDatabase } from '../../db/pglite.ts';
import { PostgresDatabase } from '../../db/postgres.ts';
import { FhirError } from '../../fhir/outcome.ts';
import type { RequestContext } from '../../store/context.ts';
import { createPostgresTestDatabase } from '../../testing/databases.ts';
import { buildApp } from '../../api/app.ts';
import { createServices } from '../../app/services.ts';
import { loadConfig } from '../../config.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { describeWithDatabases } from '../../testing/suite.ts';
import { legalEntity, professional } from '../../validation/fixtures.ts';

const SETUP: RequestContext = { actor: { id: 'random-writer', kind: 'system' }, source: 'cli', validation: 'lenient' };
const ROR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/ror.js');
const TYPES = [['Practitioner', 'practitioner'], ['Organization', 'organization']] as const;

interface Row { id: string; version_id: number; deleted: boolean; content: unknown }

async function snapshot(q: Queryable): Promise<{ live: Map<string, Row>; deleted: Map<string, number> }> {
  const live = new Map<string, Row>();
  const deleted = new Map<string, number>();
  for (const [type, table] of TYPES) {
    const r = await q.query<Row>(`SELECT id, version_id, deleted, content FROM ${table}`);
    for (const row of r.rows) {
      if (row.deleted) deleted.set(`${type}/${row.id}`, row.version_id);
      else live.set(`${type}/${row.id}`, row);
    }
  }
  return { live, deleted };
}

await describeWithDatabases('ror sync: a mirror that converges', (db) => {
  let server: TestServer;
  let admin: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-sync-src-'));
  let target: { to: string; open(): Promise<Database>; drop(): Promise<void> };

  before(async () => {
    server = await startTestServer(db(), { ROR_DATA_DIR: dataDir });
    admin = await server.adminHeaders();
    if (db().kind === 'postgres') {
      const t = await createPostgresTestDatabase();
      target = { to: t.url, open: async () => new PostgresDatabase(t.url, 2), drop: t.drop };
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-sync-mirror-'));
      target = { to: dir, open: () => PGliteDatabase.open(dir), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    }
  });
  after(async () => {
    await server.close();
    await target.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function consumer(extra: string[] = []): { child: ChildProcess; log: () => string; exited: Promise<number | null> } {
    const args = [ROR, 'sync', '--from', server.fhirBase, '--to', target.to, '--interval', '0.2', '--count', '7',
      ...Object.entries(admin).map(([k, v]) => `--header=${k}: ${v}`), ...extra];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (d) => { log += String(d); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, log: () => log, exited };
  }
  async function waitFor(what: () => boolean, label: string, ms = 240_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('random creates, updates and deletes, a consumer killed mid-way, a server restart: the mirror equals the source', async () => {
    const store = server.services.store;
    let seq = 0;
    const live: string[] = [];
    const newResource = () => {
      const n = ++seq;
      return n % 2 ? { ...professional(), id: `ps-${n}`, identifier: [] } : { ...legalEntity(), id: `ej-${n}`, identifier: [] };
    };
    for (let i = 0; i < 10; i++) {
      const w = await store.update(newResource(), SETUP);
      live.push(`${w.resourceType}/${w.id}`);
    }
    let writing = true;
    let ops = 0;
    // Three writers at once, so that on PostgreSQL transactions overlap and commit out of order.
    const writer = async (seed: number) => {
      let x = seed;
      const rand = (n: number) => ((x = (x * 1103515245 + 12345) % 2147483648), x % n);
      while (writing) {
        const pick = rand(10);
        try {
          if (pick < 3 || live.length === 0) {
            const w = await store.update(newResource(), SETUP);
            live.push(`${w.resourceType}/${w.id}`);
          } else if (pick < 8) {
            const [type, id] = live[rand(live.length)].split('/');
            await store.patch(type, id, (r) => ({ ...r, name: type === 'Practitioner' ? [{ family: `NOM${rand(1000)}` }] : `Structure ${rand(1000)}` }), SETUP);
          } else {
            const [type, id] = live.splice(rand(live.length), 1)[0].split('/');
            await store.delete(type, id, SETUP);
          }
          ops++;
        } catch (err) {
          // A resource deleted by another writer meanwhile (410): part of the game.
          if (!(err instanceof FhirError && err.status === 410)) throw err;
        }
        await new Promise((r) => setTimeout(r, rand(20)));
      }
    };
    const writers = [writer(1), writer(2), writer(3)];

    const first = consumer();
    await waitFor(() => /feed: \d+ changes applied/.test(first.log()), 'the first consumer to follow the feed');
    first.child.kill('SIGKILL');
    await first.exited;
    const second = consumer();
    await waitFor(() => /export loaded|feed:/.test(second.log()) || ops > 150, 'the second consumer to resume');
    // The server restarts under the consumer (same address): it retries, then goes on.
    const port = Number(new URL(server.origin).port);
    await server.close();
    const services = await createServices({ ...loadConfig({ ROR_RATE_LIMIT: '1000000', ROR_DATA_DIR: dataDir, PORT: '0', ROR_DEMO: '0' }), host: '127.0.0.1' }, { db: db() });
    const restarted = await buildApp(services);
    await restarted.listen({ port, host: '127.0.0.1' });
    server = { ...server, app: restarted, close: () => restarted.close() };
    const before = second.log().length;
    await waitFor(() => /feed: \d+ changes applied/.test(second.log().slice(before)), 'the consumer to follow the restarted server');
    writing = false;
    await Promise.all(writers);
    second.child.kill('SIGTERM');
    await second.exited;
    const last = consumer(['--once']);
    assert.equal(await last.exited, 0, last.log());
    assert.ok(ops > 20, `only ${ops} random writes`);

    const source = await snapshot(db());
    const mirrorDb = await target.open();
    try {
      const mirror = await snapshot(mirrorDb);
      assert.deepEqual([...mirror.live.keys()].sort(), [...source.live.keys()].sort());
      for (const [key, row] of source.live) {
        const m = mirror.live.get(key)!;
        assert.equal(m.version_id, row.version_id, key);
        assert.deepEqual(m.content, row.content, key);
      }
      for (const [key, version] of mirror.deleted) assert.equal(version, source.deleted.get(key), key);
      assert.ok(source.deleted.size > 0 && mirror.deleted.size > 0, 'deletions were mirrored');
      const state = await mirrorDb.query<{ phase: string }>('SELECT phase FROM sync_state');
      assert.deepEqual(state.rows.map((r) => r.phase), ['feed']);
    } finally {
      await mirrorDb.close();
    }
  });
});
