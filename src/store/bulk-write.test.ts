import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import jsonPatch from 'fast-json-patch';
import { before, test } from 'node:test';
import { FhirError } from '../fhir/outcome.ts';
import { tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import { createSearchIndexer } from '../search/indexer.ts';
import { MatrixWriteAuthorizer } from '../security/write-authorizer.ts';
import { NosTerminology } from '../terminology/terminology.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { completedHealthcareService, example, legalEntity, practice, professional, site } from '../validation/fixtures.ts';
import { createRorValidator } from '../validation/index.ts';
import type { RequestContext } from './context.ts';
import { BulkWriteError, ResourceStore, TRUSTED_CREATION_DETAIL, type WriteResult } from './resource-store.ts';
import { ValidationSampler } from './validation-sampler.ts';

const ctx: RequestContext = { actor: { id: 'import:test', kind: 'import' }, source: 'finess', remoteAddr: '10.0.0.1' };
const lenient: RequestContext = { ...ctx, validation: 'lenient' };
const INDEX_TABLES = ['search_token', 'search_string', 'search_reference', 'search_date', 'search_number', 'search_text'];

/** Valid resources of several types, their ids prefixed (so two copies can live side by side). */
function dataset(prefix: string): Resource[] {
  const withId = (r: Resource, id: string): Resource => ({ ...r, id: `${prefix}${id}` });
  return [
    withId(legalEntity(), 'ej'),
    withId(site(), 'eg'),
    withId(completedHealthcareService(), 'hs'),
    withId(professional(), 'ps'),
    withId(practice(), 'pr'),
    withId({ ...site(), name: 'CH DE FLEYRIAT (SITE 2)' }, 'eg2'),
  ];
}

/** What a resource left in the database, ids and server timestamps blanked so that two copies compare. */
async function footprint(q: { query: ResourceStore['db']['query'] }, type: ResourceType, id: string, prefix: string) {
  const blank = (v: unknown) => JSON.parse(JSON.stringify(v ?? null)
    .replaceAll(prefix, 'P-')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)/g, 'TS'));
  const row = await q.query(`SELECT to_jsonb(t) - 'last_updated' AS r FROM ${tableOf(type)} t WHERE id = $1`, [id]);
  const history = await q.query(
    `SELECT version_id, deleted, region, content FROM resource_history WHERE resource_type = $1 AND id = $2 ORDER BY seq`, [type, id]);
  const audit = await q.query(
    `SELECT actor, actor_kind, action, outcome, version_id, source, remote_addr, diff, detail FROM audit_event
     WHERE resource_type = $1 AND resource_id = $2 ORDER BY seq`, [type, id]);
  const issues = await q.query(`SELECT version_id, issues FROM resource_issue WHERE resource_type = $1 AND id = $2`, [type, id]);
  const index: Record<string, unknown> = {};
  for (const t of INDEX_TABLES) {
    const r = await q.query(`SELECT to_jsonb(s) - 'tsv' AS r FROM ${t} s WHERE rtype = $1 AND id = $2`, [type, id]);
    index[t] = r.rows.map((x) => JSON.stringify(blank(x.r))).sort();
  }
  return blank({ row: row.rows.map((x) => x.r), history: history.rows, audit: audit.rows, issues: issues.rows, index });
}

const outcomes = (w: (WriteResult | null)[]) => w.map((x) => `${x?.outcome} v${x?.versionId}`);

await describeWithDatabases('bulk writes', (db) => {
  let terminology: NosTerminology;
  before(async () => {
    terminology = await NosTerminology.load(db());
  });
  const store = () => new ResourceStore(db(), { validator: createRorValidator(terminology), indexers: [createSearchIndexer()] });

  /** `trusted`: the single writes' footprint as a trusted bulk write leaves it (creations audited without diff). */
  async function compare(single: Resource[], bulk: Resource[], sp: string, bp: string, trusted = false) {
    for (let i = 0; i < single.length; i++) {
      const a = await footprint(db(), single[i].resourceType as ResourceType, single[i].id!, sp);
      const b = await footprint(db(), bulk[i].resourceType as ResourceType, bulk[i].id!, bp);
      if (trusted) {
        const fp = a as { history: { version_id: number; content: Resource }[]; audit: { action: string; version_id: number; diff: unknown; detail: unknown }[] };
        for (const row of fp.audit.filter((r) => r.action === 'create')) {
          // What the single write's diff says was created is exactly the history version the trusted row names.
          const created = jsonPatch.applyPatch({}, row.diff as jsonPatch.Operation[], false, false).newDocument;
          assert.deepEqual(fp.history.find((h) => h.version_id === row.version_id)?.content, created);
          row.diff = null;
          row.detail = TRUSTED_CREATION_DETAIL;
        }
      }
      assert.deepEqual(b, a, `${bulk[i].resourceType}/${bulk[i].id}`);
    }
  }

  test('a bulk write leaves the rows, history, audit and index rows of the same single writes; unchanged ones are skipped', async () => {
    const run = randomUUID().slice(0, 8);
    const sp = `s${run}-`;
    const bp = `b${run}-`;
    const singles: WriteResult[] = [];
    for (const r of dataset(sp)) singles.push(await store().update(r, ctx));
    const bulk = await store().bulkPut(dataset(bp), ctx);
    assert.deepEqual(outcomes(bulk), outcomes(singles));
    assert.deepEqual(outcomes(bulk), Array(6).fill('created v1'));
    await compare(dataset(sp), dataset(bp), sp, bp);

    // Second round: two changed, the others the same (skipped: no version, no audit row).
    const change = (list: Resource[]) => list.map((r, i) => (i === 1 ? { ...r, name: 'CH DE FLEYRIAT BOURG' } : i === 3 ? { ...r, gender: 'male' } : r));
    const singles2: WriteResult[] = [];
    for (const r of change(dataset(sp))) singles2.push(await store().update(r, ctx));
    const bulk2 = await store().bulkPut(change(dataset(bp)), ctx);
    assert.deepEqual(outcomes(bulk2), outcomes(singles2));
    assert.deepEqual(outcomes(bulk2), ['unchanged v1', 'updated v2', 'unchanged v1', 'updated v2', 'unchanged v1', 'unchanged v1']);
    await compare(change(dataset(sp)), change(dataset(bp)), sp, bp);

    // The history rows of the batch: one transaction, sequence in input order; the audit likewise.
    const h = await db().query<{ id: string; txid: string }>(
      `SELECT id, txid::text FROM resource_history WHERE id LIKE $1 AND version_id = 1 ORDER BY seq`, [`${bp}%`]);
    assert.deepEqual(h.rows.map((r) => r.id), dataset(bp).map((r) => r.id));
    assert.equal(new Set(h.rows.map((r) => r.txid)).size, 1);
    const a = await db().query<{ resource_id: string }>(
      `SELECT resource_id FROM audit_event WHERE resource_id LIKE $1 AND version_id = 1 ORDER BY seq`, [`${bp}%`]);
    assert.deepEqual(a.rows.map((r) => r.resource_id), dataset(bp).map((r) => r.id));

    // The bulk-written resources are found by search through the index (dedicated columns included).
    const found = await db().query<{ id: string }>(`SELECT DISTINCT id FROM search_string WHERE rtype = 'Organization' AND id LIKE $1 AND norm LIKE 'ch de fleyriat bourg%'`, [`${bp}%`]);
    assert.deepEqual(found.rows.map((r) => r.id), [`${bp}eg`]);
  });

  test('the search indexer\'s columns of places and offers are written with their rows, as single writes leave them', async () => {
    const run = randomUUID().slice(0, 8);
    const [sp, bp] = [`cs${run}-`, `cb${run}-`];
    const places = (prefix: string, lat: number, ages = false): Resource[] => {
      const place = { ...example('Location-ror-location-exemple'), id: `${prefix}loc`, position: { latitude: lat, longitude: 1.9 } };
      const offer = { ...completedHealthcareService(), id: `${prefix}hs`, location: [{ reference: `Location/${prefix}loc` }] } as Resource;
      // Changed codes (a dedicated column) in the second round; lenient writes keep what a profile would refuse.
      if (ages) offer.characteristic = (offer.characteristic as unknown[]).slice(1);
      return [place, offer, { ...example('Location-ror-location-exemple'), id: `${prefix}nowhere`, position: undefined }];
    };
    for (const [round, lat, ages] of [[1, 48.99, false], [2, 49.01, true]] as const) {
      for (const r of places(sp, lat, ages)) await store().update(r, lenient);
      const bulk = await store().bulkPut(places(bp, lat, ages), lenient);
      assert.deepEqual(outcomes(bulk), round === 1 ? ['created v1', 'created v1', 'created v1'] : ['updated v2', 'updated v2', 'unchanged v1']);
      await compare(places(sp, lat, ages), places(bp, lat, ages), sp, bp);
    }
    // Not vacuous: the columns hold values (a position, an offer's codes).
    const row = await db().query<{ lat: number; geo_cell: number | null; n: number }>(
      `SELECT l.lat, l.geo_cell, cardinality(h.characteristic) AS n FROM location l, healthcare_service h WHERE l.id = $1 AND h.id = $2`, [`${bp}loc`, `${bp}hs`]);
    assert.equal(row.rows[0]!.lat, 49.01);
    assert.notEqual(row.rows[0]!.geo_cell, null);
    assert.ok(row.rows[0]!.n > 0);
  });

  test('an invalid resource refuses the whole batch, named, and nothing is written', async () => {
    const run = randomUUID().slice(0, 8);
    const list = [...dataset(`i${run}-`), { ...example('HealthcareService-1234564'), id: `i${run}-bad` }];
    const before = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event`);
    await assert.rejects(store().bulkPut(list, ctx), (err: unknown) => {
      assert.ok(err instanceof BulkWriteError);
      assert.equal(err.status, 422);
      assert.equal(err.index, 6);
      assert.equal(err.id, `i${run}-bad`);
      assert.match(err.issues.find((i) => i.severity === 'error')!.fr, new RegExp(`^HealthcareService/i${run}-bad : `));
      return true;
    });
    for (const t of ['organization', 'healthcare_service', 'practitioner', 'practitioner_role']) {
      const r = await db().query(`SELECT 1 FROM ${t} WHERE id LIKE $1`, [`i${run}-%`]);
      assert.equal(r.rowCount, 0, t);
    }
    const h = await db().query(`SELECT 1 FROM resource_history WHERE id LIKE $1`, [`i${run}-%`]);
    assert.equal(h.rowCount, 0);
    const idx = await db().query(`SELECT 1 FROM search_token WHERE id LIKE $1`, [`i${run}-%`]);
    assert.equal(idx.rowCount, 0);
    const after = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_event`);
    assert.equal(after.rows[0].n, before.rows[0].n);
  });

  test('lenient: violations kept as issues exactly as single writes keep them, cleared when fixed', async () => {
    const run = randomUUID().slice(0, 8);
    const one = (p: string, fixed: boolean) => [{ ...(fixed ? completedHealthcareService() : example('HealthcareService-1234564')), id: `${p}hs` }];
    const [sp, bp] = [`ls${run}-`, `lb${run}-`];
    const s1 = await store().update(one(sp, false)[0], lenient);
    const [b1] = await store().bulkPut(one(bp, false), lenient);
    assert.deepEqual(b1.issues, s1.issues);
    assert.ok(b1.issues.some((i) => i.expression === 'HealthcareService.characteristic'));
    await compare(one(sp, false), one(bp, false), sp, bp);
    await store().update(one(sp, true)[0], lenient);
    await store().bulkPut(one(bp, true), lenient);
    const left = await db().query(`SELECT 1 FROM resource_issue WHERE id = $1`, [`${bp}hs`]);
    assert.equal(left.rowCount, 0);
    await compare(one(sp, true), one(bp, true), sp, bp);
  });

  test('trusted (sampled validation): the same rows, versions, history, audit and index rows as single writes; creations audited without repeating the content', async () => {
    const run = randomUUID().slice(0, 8);
    const [sp, bp] = [`ts${run}-`, `tb${run}-`];
    // Nothing sampled: no creation is validated, yet everything else is written as by single writes.
    const sampler = new ValidationSampler(0, 1000);
    const singles: WriteResult[] = [];
    for (const r of dataset(sp)) singles.push(await store().update(r, ctx));
    const bulk = await store().bulkPut(dataset(bp), ctx, { sampler });
    assert.deepEqual(outcomes(bulk), outcomes(singles));
    assert.deepEqual([sampler.validated, sampler.skipped], [0, 6]);
    await compare(dataset(sp), dataset(bp), sp, bp, true);
    // Updates are always validated (their flagged issues must describe them): two changed, four unchanged.
    const change = (list: Resource[]) => list.map((r, i) => (i === 1 ? { ...r, name: 'CH DE FLEYRIAT BOURG' } : i === 3 ? { ...r, gender: 'male' } : r));
    for (const r of change(dataset(sp))) await store().update(r, ctx);
    const bulk2 = await store().bulkPut(change(dataset(bp)), ctx, { sampler });
    assert.deepEqual(outcomes(bulk2), ['unchanged v1', 'updated v2', 'unchanged v1', 'updated v2', 'unchanged v1', 'unchanged v1']);
    assert.deepEqual([sampler.validated, sampler.skipped], [2, 6]);
    await compare(change(dataset(sp)), change(dataset(bp)), sp, bp, true);
  });

  test('trusted: the first N of each type and one in K are validated; a sampled failure is refused (strict) or flagged (lenient) as under full validation', async () => {
    const run = randomUUID().slice(0, 8);
    const bad = (id: string): Resource => ({ ...example('HealthcareService-1234564'), id });
    // first 1 of each type, then 1 in 2: the 1st, 3rd, 5th HealthcareService are validated.
    const picks = new ValidationSampler(1, 2);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => picks.pick('HealthcareService', 'x')), [true, false, true, false, true]);
    assert.equal(picks.pick('Location', 'x'), true);

    // Strict: a sampled invalid creation refuses the batch, named, and is validated again when retried alone.
    const strict = new ValidationSampler(1, 1000);
    await assert.rejects(store().bulkPut([bad(`v${run}-1`), bad(`v${run}-2`)], ctx, { sampler: strict }), (err: unknown) => {
      assert.ok(err instanceof BulkWriteError);
      assert.equal(err.status, 422);
      assert.equal(err.id, `v${run}-1`);
      return true;
    });
    assert.deepEqual([strict.validated, strict.failed], [1, 1]);
    assert.match(strict.failures[0], new RegExp(`^HealthcareService/v${run}-1: `));
    await assert.rejects(store().bulkPut([bad(`v${run}-1`)], ctx, { sampler: strict }), (err: unknown) => err instanceof BulkWriteError && err.status === 422);
    // Not sampled: stored without its issues (the documented price of sampling).
    const [skipped] = await store().bulkPut([bad(`v${run}-2`)], ctx, { sampler: strict });
    assert.deepEqual([skipped.outcome, skipped.issues], ['created', []]);

    // Lenient: the sampled one is stored with exactly the issues a single write keeps.
    const lenientSampler = new ValidationSampler(1, 1000);
    const single = await store().update(bad(`l${run}-s`), lenient);
    const [flagged, unflagged] = await store().bulkPut([bad(`l${run}-b`), bad(`l${run}-c`)], lenient, { sampler: lenientSampler });
    assert.deepEqual(flagged.issues, single.issues);
    assert.ok(flagged.issues.length > 0);
    assert.deepEqual(unflagged.issues, []);
    await compare([bad(`l${run}-s`)], [bad(`l${run}-b`)], `l${run}-s`, `l${run}-b`, true);
    // An invalid update of an existing resource is always validated, sampled or not.
    await assert.rejects(store().bulkPut([{ ...bad(`v${run}-2`), name: 'autre' }], ctx, { sampler: new ValidationSampler(0, 1000) }),
      (err: unknown) => err instanceof BulkWriteError && err.status === 422);
  });

  test('trusted writes compress their JSON with lz4 on a PostgreSQL server that has it, other writes keep the default', async (t) => {
    if (db().kind !== 'postgres') {
      t.skip('PGlite has one compression method');
      return;
    }
    const run = randomUUID().slice(0, 8);
    // Large enough to be compressed (TOAST threshold ≈ 2 kB).
    const big = (id: string): Resource => ({ ...site(), id, alias: Array.from({ length: 200 }, (_, i) => `Site annexe numéro ${i}`) });
    await store().bulkPut([big(`z${run}-t`)], lenient, { sampler: new ValidationSampler(0, 1000) });
    await store().bulkPut([big(`z${run}-f`)], lenient);
    const r = await db().query<{ id: string; m: string }>(
      `SELECT id, pg_column_compression(content) AS m FROM resource_history WHERE id LIKE $1 ORDER BY id`, [`z${run}-%`]);
    const def = (await db().query<{ d: string }>("SELECT current_setting('default_toast_compression') AS d")).rows[0].d;
    assert.deepEqual(r.rows.map((x) => [x.id, x.m]), [[`z${run}-f`, def], [`z${run}-t`, 'lz4']]);
  });

  test('a resource given twice in a batch gets two successive versions; a deleted one comes back', async () => {
    const run = randomUUID().slice(0, 8);
    const a = { ...professional(), id: `d${run}-ps` };
    const b = { ...professional(), id: `d${run}-ps2` };
    await store().update(b, ctx);
    await store().delete('Practitioner', b.id, ctx);
    const w = await store().bulkPut([a, { ...a, gender: 'female' }, b], ctx);
    assert.deepEqual(outcomes(w), ['created v1', 'updated v2', 'created v3']);
    assert.equal((await store().read('Practitioner', b.id)).versionId, 3);
    const audit = await db().query<{ action: string }>(`SELECT action FROM audit_event WHERE resource_id = $1 ORDER BY seq`, [b.id]);
    assert.deepEqual(audit.rows.map((r) => r.action), ['create', 'delete', 'create']);
  });

  test('the write authorizer is applied to every resource: a refusal writes nothing and is audited', async () => {
    const run = randomUUID().slice(0, 8);
    const guarded = new ResourceStore(db(), { indexers: [createSearchIndexer()], authorizer: new MatrixWriteAuthorizer() });
    const anonymous: RequestContext = { actor: { id: 'nobody', kind: 'anonymous' }, source: 'api' };
    await assert.rejects(guarded.bulkPut(dataset(`a${run}-`), anonymous), (err: unknown) => err instanceof FhirError && err.status === 401);
    const denied = await db().query<{ outcome: string }>(`SELECT outcome FROM audit_event WHERE resource_id = $1`, [`a${run}-ej`]);
    assert.deepEqual(denied.rows.map((r) => r.outcome), ['denied']);
    assert.equal((await db().query(`SELECT 1 FROM organization WHERE id LIKE $1`, [`a${run}-%`])).rowCount, 0);
    const ok = await guarded.bulkPut(dataset(`a${run}-`), ctx);
    assert.equal(ok.length, 6);
  });

  test('a resource created by another transaction meanwhile is written as its next version', async (t) => {
    if (db().kind !== 'postgres') {
      t.skip('needs two connections (PostgreSQL server)');
      return;
    }
    const run = randomUUID().slice(0, 8);
    const id = `c${run}-ps`;
    let raced = false;
    // The validator runs after the batch has read its current rows and before it writes them.
    const racing = new ResourceStore(db(), {
      indexers: [createSearchIndexer()],
      validator: {
        validate: async () => {
          if (!raced) {
            raced = true;
            await new ResourceStore(db()).update({ ...professional(), id, gender: 'male' }, ctx);
          }
          return [];
        },
      },
    });
    const [w] = await racing.bulkPut([{ ...professional(), id }], ctx);
    assert.equal(raced, true);
    assert.deepEqual(outcomes([w]), ['updated v2']);
    const h = await db().query<{ version_id: number }>(`SELECT version_id FROM resource_history WHERE id = $1 ORDER BY seq`, [id]);
    assert.deepEqual(h.rows.map((r) => r.version_id), [1, 2]);
  });
});
