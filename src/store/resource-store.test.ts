import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FhirError } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import type { RequestContext } from './context.ts';
import { ResourceStore } from './resource-store.ts';

const ctx: RequestContext = { actor: { id: 'referent-1', kind: 'user' }, source: 'form', remoteAddr: '127.0.0.1' };
const REGION = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';

function site(name: string): Resource {
  return {
    resourceType: 'Organization',
    meta: { tag: [{ system: REGION, code: '11' }] },
    identifier: [{ system: 'https://finess.esante.gouv.fr', value: '780000311' }],
    name,
  };
}

async function rejects(p: Promise<unknown>, status: number): Promise<FhirError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof FhirError, `expected a FhirError, got ${String(err)}`);
    assert.equal(err.status, status, err.message);
    return err;
  }
  assert.fail(`expected a ${status} error`);
}

await describeWithDatabases('resource store', (db) => {
  const store = () => new ResourceStore(db());

  test('create assigns an id, version 1, lastUpdated, region and the creation-date extension', async () => {
    const w = await store().create(site('CH de Mantes'), ctx);
    assert.equal(w.outcome, 'created');
    assert.equal(w.versionId, 1);
    assert.match(w.id, /^[0-9a-f-]{36}$/);
    assert.equal(w.region, '11');
    const r = await store().read('Organization', w.id);
    assert.equal(r.resource.meta?.versionId, '1');
    assert.equal(r.resource.meta?.lastUpdated, w.lastUpdated);
    assert.equal(r.resource.name, 'CH de Mantes');
    const ext = r.resource.extension as { url: string; valueDateTime?: string }[];
    assert.ok(ext.some((e) => e.url.endsWith('/ror-meta-creation-date') && e.valueDateTime));
  });

  test('update makes a new version; identical content makes none', async () => {
    const w1 = await store().create(site('EHPAD Les Tilleuls'), ctx);
    const w2 = await store().update({ ...w1.resource, name: 'EHPAD Les Tilleuls (Limay)' }, ctx, { ifMatch: 1 });
    assert.equal(w2.outcome, 'updated');
    assert.equal(w2.versionId, 2);
    const w3 = await store().update({ ...w2.resource }, ctx);
    assert.equal(w3.outcome, 'unchanged');
    assert.equal(w3.versionId, 2);
    const h = await store().history('Organization', w1.id);
    assert.deepEqual(h.map((x) => x.versionId), [2, 1]);
    assert.equal((await store().vread('Organization', w1.id, 1)).resource.name, 'EHPAD Les Tilleuls');
  });

  test('a stale If-Match is refused with 412 and writes nothing', async () => {
    const w1 = await store().create(site('SSIAD Val de Seine'), ctx);
    await store().update({ ...w1.resource, name: 'SSIAD Val-de-Seine' }, ctx, { ifMatch: 1 });
    const err = await rejects(store().update({ ...w1.resource, name: 'écrasement' }, ctx, { ifMatch: 1 }), 412);
    assert.match(err.issues[0].fr, /modifiée entre-temps/);
    assert.equal((await store().read('Organization', w1.id)).resource.name, 'SSIAD Val-de-Seine');
  });

  test('delete is soft: read answers 410, the history keeps every version, vread of the deleted version 410', async () => {
    const w1 = await store().create(site('Cabinet fermé'), ctx);
    const d = await store().delete('Organization', w1.id, ctx);
    assert.equal(d?.versionId, 2);
    await rejects(store().read('Organization', w1.id), 410);
    await rejects(store().vread('Organization', w1.id, 2), 410);
    assert.equal((await store().vread('Organization', w1.id, 1)).resource.name, 'Cabinet fermé');
    const h = await store().history('Organization', w1.id);
    assert.deepEqual(h.map((x) => [x.versionId, x.deleted]), [[2, true], [1, false]]);
    // Re-creating with the same id (PUT) brings it back as version 3.
    const back = await store().update({ ...w1.resource }, ctx);
    assert.equal(back.versionId, 3);
    assert.equal(await store().delete('Organization', 'never-existed', ctx), null);
  });

  test('every write has its audit row with who, from where, the source and a JSON diff', async () => {
    const w1 = await store().create(site('Centre de santé'), ctx);
    await store().update({ ...w1.resource, name: 'Centre de santé municipal' }, ctx);
    const rows = await db().query<{ action: string; actor: string; source: string; remote_addr: string; version_id: number; diff: unknown[] }>(
      `SELECT action, actor, source, remote_addr, version_id, diff FROM audit_event WHERE resource_id = $1 ORDER BY seq`, [w1.id],
    );
    assert.deepEqual(rows.rows.map((r) => [r.action, r.actor, r.source, r.remote_addr, r.version_id]), [
      ['create', 'referent-1', 'form', '127.0.0.1', 1],
      ['update', 'referent-1', 'form', '127.0.0.1', 2],
    ]);
    assert.ok(rows.rows[1].diff.some((op) => JSON.stringify(op).includes('Centre de santé municipal')));
  });

  test('a transaction is all or nothing', async () => {
    const before = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM organization');
    await assert.rejects(
      store().transaction(async (tx) => {
        await tx.create(site('first'), ctx);
        await tx.create(site('second'), ctx);
        await tx.update({ resourceType: 'Organization', id: 'x', name: 'third' }, ctx, { ifMatch: 4 });
      }),
      (e: unknown) => e instanceof FhirError && e.status === 404,
    );
    const after = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM organization');
    assert.equal(after.rows[0].n, before.rows[0].n);
    const hist = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_history WHERE content->>'name' IN ('first','second')`);
    assert.equal(hist.rows[0].n, 0);
  });

  test('patch applies a change to the current version, with optimistic locking', async () => {
    const w1 = await store().create(site('IME Les Mureaux'), ctx);
    const w2 = await store().patch('Organization', w1.id, (r) => ({ ...r, alias: ['IME'] }), ctx, { ifMatch: 1 });
    assert.equal(w2.versionId, 2);
    assert.deepEqual(w2.resource.alias, ['IME']);
    await rejects(store().patch('Organization', w1.id, (r) => r, ctx, { ifMatch: 1 }), 412);
    await rejects(store().patch('Organization', w1.id, (r) => ({ ...r, id: 'other' }), ctx), 400);
  });

  test('conditional look-up by identifier, and invalid ids and types refused', async () => {
    const w = await store().create({ resourceType: 'Practitioner', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810002909371' }] }, ctx);
    const found = await store().findByIdentifier('Practitioner', { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810002909371' });
    assert.deepEqual(found.map((f) => f.id), [w.id]);
    assert.equal((await store().findByIdentifier('Practitioner', { value: '000' })).length, 0);
    await rejects(store().read('Organization', 'bad id!'), 400);
    await rejects(store().read('Patient', 'x'), 404);
  });

  test('system and type history page newest first by sequence', async () => {
    const w = await store().create({ resourceType: 'Location', name: 'Lieu A' }, ctx);
    await store().update({ ...w.resource, name: 'Lieu A bis' }, ctx);
    const all = await store().history(undefined, undefined, { count: 3 });
    assert.equal(all[0].id, w.id);
    assert.equal(all[0].versionId, 2);
    assert.ok(all[0].seq > all[1].seq && all[1].seq > all[2].seq);
    const next = await store().history(undefined, undefined, { count: 2, beforeSeq: all[0].seq });
    assert.equal(next[0].seq, all[1].seq);
    const locations = await store().history('Location', undefined, {});
    assert.ok(locations.every((h) => h.resourceType === 'Location'));
  });
});
