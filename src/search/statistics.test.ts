import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYSTEM_CONTEXT } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { createSearchEngine } from './engine.ts';
import { createSearchIndexer } from './indexer.ts';
import { buildYvelinesFixture } from './testing/yvelines-fixture.ts';

await describeWithDatabases('planner statistics upkeep', (db) => {
  test('on PGlite (no autovacuum) a search after writes refreshes the statistics in the background', async () => {
    const store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
    for (const r of (await buildYvelinesFixture(5)).resources) await store.update(r, SYSTEM_CONTEXT);
    const reltuples = async () => (await db().query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = 'search_token'`)).rows[0].n;
    const engine = createSearchEngine(db());
    await engine.search({ resourceType: 'Location', params: [], baseUrl: 'http://x', ctx: SYSTEM_CONTEXT });
    await engine.statistics.idle();
    if (db().kind === 'pglite') assert.ok((await reltuples()) > 0, 'search_token analysed');
    // On PostgreSQL autovacuum keeps them: nothing to check here.
  });
});
