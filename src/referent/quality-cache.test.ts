import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeWithDatabases } from '../testing/suite.ts';
import { QualityCache, qualityRefreshMs } from './quality-cache.ts';

test('ROR_QUALITY_REFRESH_MINUTES: default 15 min, 0 allowed, nonsense refused', () => {
  assert.equal(qualityRefreshMs({}), 15 * 60_000);
  assert.equal(qualityRefreshMs({ ROR_QUALITY_REFRESH_MINUTES: '0' }), 0);
  assert.throws(() => qualityRefreshMs({ ROR_QUALITY_REFRESH_MINUTES: 'soon' }), /ROR_QUALITY_REFRESH_MINUTES/);
});

await describeWithDatabases('quality cache of the referent trees', (getDb) => {
  test('fresh evaluation reused; a stale one served while a single refresh runs; invalidate waits for a new one', async () => {
    const db = getDb();
    const fresh = new QualityCache(db, 60_000);
    const first = await fresh.get();
    assert.ok(first.computedAt instanceof Date);
    assert.ok(Array.isArray(first.results));
    assert.equal(await fresh.get(), first, 'within its age: the same evaluation, not recomputed');

    const stale = new QualityCache(db, 0);
    const a = await stale.get();
    const [b, c] = await Promise.all([stale.get(), stale.get()]);
    assert.equal(b, a, 'too old: served at once while refreshed');
    assert.equal(c, a);
    // The background refresh lands; then a newer evaluation is served.
    await new Promise((r) => setTimeout(r, 10));
    let d = await stale.get();
    for (let i = 0; i < 200 && d === a; i++) {
      await new Promise((r) => setTimeout(r, 50));
      d = await stale.get();
    }
    assert.notEqual(d, a);
    assert.ok(d.computedAt >= a.computedAt);

    fresh.invalidate();
    const after = await fresh.get();
    assert.notEqual(after, first, 'invalidated: recomputed');
  });
});
