// The change feed (`_history?_sort=_lastUpdated`) through the real HTTP server, on both engines:
// commit-consistent order, keyset paging with next / resume links, tombstones, removals for a
// caller who may no longer see a resource, and no divergence when a transaction commits late.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { REGION_TAG_SYSTEM } from '../fhir/resource-types.ts';
import type { Bundle, BundleEntry, Resource } from '../fhir/types.ts';
import { SENSITIVE_UNIT_URL } from '../security/redact.ts';
import type { RequestContext } from '../store/context.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { completedHealthcareService, legalEntity, site } from '../validation/fixtures.ts';

const SETUP: RequestContext = { actor: { id: 'test-setup', kind: 'system' }, source: 'cli', validation: 'lenient' };

function practitioner(n: number): Resource {
  return { resourceType: 'Practitioner', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: `8100000${String(n).padStart(5, '0')}` }] };
}

function offer(id: string, sensitive: boolean): Resource {
  const hs = completedHealthcareService();
  hs.id = id;
  hs.meta = { tag: [{ system: REGION_TAG_SYSTEM, code: '11' }] };
  hs.providedBy = { reference: 'Organization/eg-feed' };
  hs.extension = (hs.extension as { url: string }[]).map((e) => (e.url === SENSITIVE_UNIT_URL ? { url: SENSITIVE_UNIT_URL, valueBoolean: sensitive } : e));
  return hs;
}

await describeWithDatabases('change feed', (db) => {
  let server: TestServer;
  let admin: Record<string, string>;
  before(async () => {
    server = await startTestServer(db());
    admin = await server.adminHeaders();
  });
  after(async () => server.close());

  async function get(url: string, headers = admin): Promise<Bundle> {
    const res = await fetch(url.startsWith('http') ? url : `${server.fhirBase}/${url}`, { headers });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Bundle;
  }
  const link = (b: Bundle, rel: string) => b.link?.find((l) => l.relation === rel)?.url;
  /** Follows `next` links from `url`; returns the entries and the resume link of the last page. */
  async function readAll(url: string, headers = admin): Promise<{ entries: BundleEntry[]; resume: string }> {
    const entries: BundleEntry[] = [];
    let page = await get(url, headers);
    for (;;) {
      entries.push(...(page.entry ?? []));
      const next = link(page, 'next');
      if (!next) return { entries, resume: link(page, 'resume')! };
      page = await get(next, headers);
    }
  }
  const key = (e: BundleEntry) => `${e.request!.method} ${e.fullUrl!.split('/fhir/')[1]} ${e.response!.etag}`;

  test('oldest first, paged without gaps or repeats, deletions as tombstones, resumable', async () => {
    const store = server.services.store;
    const a = await store.create(practitioner(1), SETUP);
    const b = await store.create(practitioner(2), SETUP);
    await store.update({ ...a.resource, active: true }, SETUP);
    await store.delete('Practitioner', b.id, SETUP);
    const { entries, resume } = await readAll('Practitioner/_history?_sort=_lastUpdated&_count=2');
    assert.deepEqual(entries.map(key), [
      `POST Practitioner/${a.id} W/"1"`, `POST Practitioner/${b.id} W/"1"`, `PUT Practitioner/${a.id} W/"2"`, `DELETE Practitioner/${b.id} W/"2"`,
    ]);
    assert.equal(entries[3].resource, undefined);
    assert.equal(entries[2].resource!.active, true);
    // Nothing new: the resume link answers an empty page and gives itself back.
    const idle = await get(resume);
    assert.equal(idle.entry?.length ?? 0, 0);
    assert.equal(link(idle, 'resume'), resume);
    const c = await store.create(practitioner(3), SETUP);
    const later = await readAll(resume);
    assert.deepEqual(later.entries.map(key), [`POST Practitioner/${c.id} W/"1"`]);
    // _since and the system level work the same way; bad cursors are 400.
    const since = await readAll(`_history?_sort=_lastUpdated&_since=${encodeURIComponent(c.lastUpdated)}`);
    assert.equal(since.entries.length, 0);
    const justBefore = new Date(Date.parse(c.lastUpdated) - 1).toISOString();
    const fromC = await readAll(`Practitioner/_history?_sort=_lastUpdated&_since=${encodeURIComponent(justBefore)}`);
    assert.deepEqual(fromC.entries.map(key), [`POST Practitioner/${c.id} W/"1"`]);
    assert.ok((await readAll('_history?_sort=_lastUpdated&_count=3')).entries.some((e) => e.fullUrl!.endsWith(`Practitioner/${c.id}`)));
    assert.equal((await fetch(`${server.fhirBase}/_history?_sort=_lastUpdated&_cursor=12`, { headers: admin })).status, 400);
    assert.equal((await fetch(`${server.fhirBase}/_history?_sort=name`, { headers: admin })).status, 400);
  });

  test('an offer becoming sensitive is a removal for a profile-0 consumer, and was never shown once hidden', async () => {
    const store = server.services.store;
    await store.update({ ...legalEntity(), id: 'ej-feed' }, SETUP);
    await store.update({ ...site(), id: 'eg-feed', partOf: { reference: 'Organization/ej-feed' } }, SETUP);
    const p0 = await server.appHeaders(0);
    const start = (await readAll('HealthcareService/_history?_sort=_lastUpdated', p0)).resume;
    const v1 = await store.update(offer('hs-feed', false), SETUP);
    await store.update({ ...v1.resource, extension: offer('hs-feed', true).extension, name: 'Unité devenue sensible' }, SETUP);
    await store.update(offer('hs-hidden', true), SETUP);
    const seen = (await readAll(start, p0)).entries;
    assert.deepEqual(seen.map(key), ['POST HealthcareService/hs-feed W/"1"', 'DELETE HealthcareService/hs-feed W/"2"']);
    assert.equal(seen[1].resource, undefined);
    assert.ok(seen[1].response!.outcome);
    // An administrator sees the three versions.
    const all = (await readAll(start)).entries;
    assert.deepEqual(all.map(key), ['POST HealthcareService/hs-feed W/"1"', 'PUT HealthcareService/hs-feed W/"2"', 'POST HealthcareService/hs-hidden W/"1"']);
  });

  test('a transaction committing late never appears behind a position already served', async (t) => {
    if (db().kind !== 'postgres') {
      t.skip('PGlite runs one transaction at a time: no late commit can happen');
      return;
    }
    const store = server.services.store;
    const start = (await readAll('Practitioner/_history?_sort=_lastUpdated')).resume;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let wroteEarly!: () => void;
    const early = new Promise<void>((r) => { wroteEarly = r; });
    // T1 writes first (lower seq), then waits; T2 writes and commits meanwhile.
    const slow = store.transaction(async (tx) => {
      const w = await tx.create(practitioner(10), SETUP);
      wroteEarly();
      await gate;
      return w;
    });
    await early;
    const quick = await store.create(practitioner(11), SETUP);
    const during = await readAll(start);
    assert.ok(!during.entries.some((e) => e.fullUrl!.endsWith(quick.id)), 'a version committed after an older running transaction waits for it');
    release();
    const late = await slow;
    const resumed = await readAll(during.resume);
    assert.deepEqual(resumed.entries.map(key), [`POST Practitioner/${late.id} W/"1"`, `POST Practitioner/${quick.id} W/"1"`]);
    // The late version has the lower seq: a seq-ordered feed read at `during` would have skipped it.
    const seqs = await db().query<{ id: string; seq: number }>('SELECT id, seq FROM resource_history WHERE id = ANY($1)', [[late.id, quick.id]]);
    const seqOf = new Map(seqs.rows.map((r) => [r.id, Number(r.seq)]));
    assert.ok(seqOf.get(late.id)! < seqOf.get(quick.id)!);
  });

  test('a transaction left open in another database of the server does not hold the feed back', async (t) => {
    if (db().kind !== 'postgres') {
      t.skip('PGlite has one database');
      return;
    }
    const other = new pg.Client({ connectionString: process.env.ROR_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()');
      const start = (await readAll('Practitioner/_history?_sort=_lastUpdated')).resume;
      const w = await server.services.store.create(practitioner(20), SETUP);
      const seen = await readAll(start);
      assert.deepEqual(seen.entries.map(key), [`POST Practitioner/${w.id} W/"1"`]);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
  });
});
