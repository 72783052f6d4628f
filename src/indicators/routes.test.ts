import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeWithDatabases } from '../testing/suite.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { takePopulationSnapshot } from './snapshots.ts';
import { complete, importYvelines, offer, writeAll } from './test-fixtures.ts';

await describeWithDatabases('indicators JSON API', (db) => {
  let server: TestServer;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.origin}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    const store = await importYvelines(db(), ['780000204', '780001442', '780000287']);
    await writeAll(store, [offer({ ...complete('ehpad', 'finess-eg-780000204', '04', '288', '46', 'finess-loc-780000204'), organisationCategory: undefined })]);
    server = await startTestServer(db());
  });
  after(() => server?.close());

  test('anonymous callers and referents are refused', async () => {
    assert.equal((await get('/api/indicators')).status, 401);
    const referent = await server.userHeaders({ email: 'referent-ind@test.ror', role: 'referent', organizations: ['finess-eg-780000204'] });
    const r = await get('/api/indicators', referent);
    assert.equal(r.status, 403);
    assert.equal((r.body.error as { fr: string }).fr, 'Indicateurs réservés aux administrateurs nationaux et régionaux');
  });

  test('a national administrator gets the population by région × champ, and other groupings', async () => {
    const admin = await server.adminHeaders();
    const r = await get('/api/indicators', admin);
    assert.equal(r.status, 200);
    assert.equal(r.body.source, 'live');
    const rows = r.body.rows as { region: string; field: string; perimeterCount: number; finalised: number; rate: number }[];
    assert.deepEqual(rows.map((x) => [x.region, x.field, x.perimeterCount, x.finalised, x.rate]), [
      ['11', 'Domicile', 1, 0, 0], ['11', 'MCO', 1, 0, 0], ['11', 'PA', 1, 1, 1], ['11', 'SMR', 1, 0, 0],
    ]);
    const byDomain = await get('/api/indicators?by=domain', admin);
    assert.deepEqual((byDomain.body.rows as { domain: string; perimeterCount: number }[]).map((x) => [x.domain, x.perimeterCount]), [['Médico-social', 2], ['Sanitaire', 2]]);
    assert.equal((await get('/api/indicators?by=nope', admin)).status, 400);
  });

  test('quality figures and the list of écarts', async () => {
    const admin = await server.adminHeaders();
    const q = await get('/api/indicators?type=quality&rule=CP4&by=rule', admin);
    assert.deepEqual(q.body.rows, [{ rule: 'CP4', perimeterCount: 4, deviations: 3, conformity: 0.25 }]);
    const d = await get('/api/indicators/deviations?rule=CP4&finess=780000287', admin);
    const list = d.body.deviations as { objectId: string; reason: string }[];
    assert.deepEqual(list.map((x) => [x.objectId, x.reason]), [['780000287|MCO', 'aucune offre décrite'], ['780000287|SMR', 'aucune offre décrite']]);
    assert.equal((await get('/api/indicators/deviations?rule=XX9', admin)).status, 400);
  });

  test('regional administrators see their région only', async () => {
    const idf = await server.userHeaders({ email: 'ars-idf@test.ror', role: 'regional-admin', regions: ['11'] });
    const own = await get('/api/indicators', idf);
    assert.equal(own.status, 200);
    assert.equal((own.body.rows as unknown[]).length, 4);
    assert.equal((await get('/api/indicators?region=93', idf)).status, 403);
  });

  test('a site\'s to-do list: for its referent and administrators, not for other referents', async () => {
    const referent = await server.userHeaders({ email: 'referent-ehpad@test.ror', role: 'referent', organizations: ['finess-eg-780000204'] });
    const r = await get('/api/indicators/structure/finess-eg-780000204', referent);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.offers, [{ id: 'ehpad', name: null, status: 'finalise', missing: [] }]);
    assert.deepEqual((r.body.deviations as { rule: string; objectId: string; reason: string }[]).map((d) => [d.rule, d.objectId, d.reason]), [
      ['CP5', 'ehpad', "catégorie d'organisation manquante ; temporalité d'accueil manquante"],
      ['CP6', 'ehpad', 'aucune place installée'],
    ]);
    assert.equal((await get('/api/indicators/structure/finess-eg-780001442', referent)).status, 403);
    const admin = await server.adminHeaders();
    const ssiad = await get('/api/indicators/structure/finess-eg-780001442', admin);
    assert.deepEqual([ssiad.body.finess, ssiad.body.offers], ['780001442', []]);
    assert.deepEqual((ssiad.body.deviations as { rule: string; reason: string }[]).map((d) => [d.rule, d.reason]), [['CP4', 'aucune offre décrite']]);
    assert.equal((await get('/api/indicators/structure/nope', admin)).status, 404);
  });

  test('CSV downloads of the figures and of the écarts', async () => {
    const admin = await server.adminHeaders();
    const res = await fetch(`${server.origin}/api/indicators?format=csv`, { headers: admin });
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /^text\/csv/);
    assert.match(String(res.headers.get('content-disposition')), /indicateurs-population\.csv/);
    const text = await res.text();
    assert.deepEqual(text.replace(/^\uFEFF/, '').trim().split('\n'), [
      'region;field;perimeterCount;finalised;inProgress;toDo;rate', '11;Domicile;1;0;0;1;0', '11;MCO;1;0;0;1;0', '11;PA;1;1;0;0;1', '11;SMR;1;0;0;1;0',
    ]);
    const dev = await (await fetch(`${server.origin}/api/indicators/deviations?rule=CP5&format=csv`, { headers: admin })).text();
    assert.match(dev, /CP5;HealthcareService;ehpad;780000204;11;78;Médico-social;ecart;"catégorie d'organisation manquante ; temporalité d'accueil manquante"/);
  });

  test('SEGUR objectives on the API', async () => {
    assert.equal((await get('/api/indicators/segur')).status, 401);
    const r = await get('/api/indicators/segur', await server.adminHeaders());
    assert.deepEqual((r.body.lines as { indicator: string; objective: number; remaining: number }[]).map((l) => [l.indicator, l.objective, l.remaining]), [
      ['ES MCO', 0.85, 1], ['ESMS PA', 0.85, 0],
    ]);
  });

  test('snapshots: the latest one is served and listed as history', async () => {
    const snap = await takePopulationSnapshot(db());
    const admin = await server.adminHeaders();
    const r = await get('/api/indicators?source=snapshot&by=region', admin);
    assert.equal(r.body.snapshotId, snap.id);
    assert.deepEqual(r.body.rows, [{ region: '11', perimeterCount: 4, finalised: 1, inProgress: 0, toDo: 3, rate: 0.25 }]);
    const list = await get('/api/indicators/snapshots?type=population', admin);
    assert.deepEqual((list.body.snapshots as { id: number }[]).map((s) => s.id), [snap.id]);
  });
});
