import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allMigrations, migrate } from './migrate.ts';
import { describeWithDatabases } from '../testing/suite.ts';

await describeWithDatabases('migrations', (db) => {
  test('every migration is recorded and a second run applies nothing', async () => {
    const ids = (await db().query<{ id: string }>('SELECT id FROM schema_migration ORDER BY id')).rows.map((r) => r.id);
    assert.deepEqual(ids, (await allMigrations()).map((m) => m.id));
    assert.deepEqual(await migrate(db()), []);
  });

  test('the four extensions the store relies on are installed', async () => {
    const r = await db().query<{ extname: string }>(
      `SELECT extname FROM pg_extension WHERE extname IN ('cube','earthdistance','pg_trgm','unaccent') ORDER BY 1`,
    );
    assert.deepEqual(r.rows.map((x) => x.extname), ['cube', 'earthdistance', 'pg_trgm', 'unaccent']);
  });

  test('the audit trail refuses updates and deletes', async () => {
    await db().query(`INSERT INTO audit_event (actor, actor_kind, action, source) VALUES ('t', 'system', 'test', 'cli')`);
    await assert.rejects(db().query(`UPDATE audit_event SET actor = 'x'`), /append-only/);
    await assert.rejects(db().query(`DELETE FROM audit_event`), /append-only/);
    const n = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event WHERE actor = 't'`);
    assert.equal(n.rows[0].n, 1);
  });
});
