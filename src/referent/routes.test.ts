import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSmtpSink, type SmtpSink } from '../testing/smtp-sink.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import type { TreeItem } from './tree.ts';
import { FIXTURE_CONTEXT, GARGENVILLE, MANTES, writeReferentFixture } from './test-structure.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function find(t: TreeItem, id: string): TreeItem | undefined {
  if (t.id === id) return t;
  for (const c of t.children) {
    const f = find(c, id);
    if (f) return f;
  }
  return undefined;
}

await describeWithDatabases('referent space: tree, confirmation, quick capacity updates, history, freshness', (db) => {
  let server: TestServer;
  let sink: SmtpSink;
  let referent: Record<string, string>;
  let admin: Record<string, string>;
  const call = async (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: unknown) => {
    const res = await server.app.inject({ method, url, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) }, payload: payload ? JSON.stringify(payload) : undefined });
    return { status: res.statusCode, body: res.body ? (res.json() as Json) : {} };
  };
  const tree = async (id = GARGENVILLE.eg): Promise<TreeItem> => {
    const r = await call('GET', `/api/espace/structure/${id}`, referent);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.tree as TreeItem;
  };
  const version = async (type: string, id: string) => (await server.services.store.read(type, id)).versionId;

  before(async () => {
    sink = await startSmtpSink();
    server = await startTestServer(db(), { ROR_SMTP_URL: sink.url });
    await writeReferentFixture(server.services.store);
    referent = await server.userHeaders({ email: 'referente@clos-saint-jean.test', role: 'referent', organizations: [GARGENVILLE.eg] });
    admin = await server.adminHeaders();
  });
  after(async () => {
    await server?.close();
    await sink?.close();
  });

  test('the referent sees their EHPAD, its offers and places, the missing population criteria and the statuses', async () => {
    const home = await call('GET', '/api/espace', referent);
    assert.equal(home.status, 200);
    assert.deepEqual(home.body.structures.map((s: Json) => s.id), [GARGENVILLE.eg]);
    const t = await tree();
    assert.equal(t.kind, 'EG');
    assert.equal(t.finess, GARGENVILLE.finess);
    assert.equal(t.status, 'a-verifier', 'pre-filled from FINESS');
    const hp = find(t, 'offre-clos-hp')!;
    const aj = find(t, 'offre-clos-aj')!;
    assert.ok(hp && aj, 'both offers in the tree');
    assert.ok(aj.missing.some((m) => /patientèle/.test(m)), `age range missing: ${aj.missing}`);
    assert.ok(aj.missing.some((m) => /contact/.test(m)));
    assert.ok(!hp.missing.some((m) => /patientèle/.test(m)));
    const place = find(t, 'lieu-clos-aj')!;
    assert.equal(place.kind, 'lieu');
    assert.deepEqual(place.capacities!.map((c) => [c.status, c.count]).sort(), [['01', 10], ['02', 0]]);
    assert.equal(find(t, 'offre-bellan-hp'), undefined, 'another structure’s offer is not in the tree');
  });

  test('a referent on another structure: 403 on its tree, its capacities, its confirmation and history; nothing written', async () => {
    const before = await version('Location', 'lieu-bellan-hp');
    const offerBefore = await version('HealthcareService', 'offre-bellan-hp');
    assert.equal((await call('GET', `/api/espace/structure/${MANTES.eg}`, referent)).status, 403);
    const cap = await call('POST', '/api/espace/capacite', referent, { locationId: 'lieu-bellan-hp', versionId: before, capacityType: '02', count: 9 });
    assert.equal(cap.status, 403);
    assert.match(cap.body.error.fr, /périmètre/);
    assert.equal((await call('POST', '/api/espace/confirmer', referent, { type: 'HealthcareService', id: 'offre-bellan-hp', versionId: offerBefore })).status, 403);
    assert.equal((await call('GET', '/api/espace/historique/HealthcareService/offre-bellan-hp', referent)).status, 403);
    assert.equal(await version('Location', 'lieu-bellan-hp'), before);
    assert.equal(await version('HealthcareService', 'offre-bellan-hp'), offerBefore);
    // The store's own write authorizer also refuses it through the FHIR API.
    const loc = (await server.services.store.read('Location', 'lieu-bellan-hp')).resource;
    const put = await server.app.inject({ method: 'PUT', url: '/fhir/Location/lieu-bellan-hp', headers: { ...referent, 'content-type': 'application/fhir+json' }, payload: JSON.stringify({ ...loc, name: 'X' }) });
    assert.equal(put.statusCode, 403);
    assert.equal(await version('Location', 'lieu-bellan-hp'), before);
    // Without a session: 401.
    assert.equal((await call('GET', '/api/espace', {})).status, 401);
  });

  test('"Confirmer comme exact": status vérifié, confirmation date, a new version; a stale version is refused (412)', async () => {
    const v = await version('HealthcareService', 'offre-clos-hp');
    const r = await call('POST', '/api/espace/confirmer', referent, { type: 'HealthcareService', id: 'offre-clos-hp', versionId: v });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.versionId, v + 1);
    const item = find(await tree(), 'offre-clos-hp')!;
    assert.equal(item.status, 'verifie');
    assert.ok(item.confirmedAt && Date.now() - Date.parse(item.confirmedAt) < 60_000);
    const again = await call('POST', '/api/espace/confirmer', referent, { type: 'HealthcareService', id: 'offre-clos-hp', versionId: v });
    assert.equal(again.status, 412);
    assert.match(again.body.error.fr, /modifié entre-temps/);
    assert.equal(await version('HealthcareService', 'offre-clos-hp'), v + 1);
  });

  test('a capacity update is timestamped and visible at once in /api/search and in FHIR search', async () => {
    const fhirCount = async () => {
      const res = await server.app.inject({ method: 'GET', url: '/fhir/Location?_id=lieu-clos-aj&nb-capacity=4&_summary=count', headers: admin });
      return (res.json() as Json).total as number;
    };
    assert.equal(await fhirCount(), 0);
    const v = await version('Location', 'lieu-clos-aj');
    const bad = await call('POST', '/api/espace/capacite', referent, { locationId: 'lieu-clos-aj', versionId: v, capacityType: '02', count: -1 });
    assert.equal(bad.status, 400);
    assert.equal(await version('Location', 'lieu-clos-aj'), v, 'a negative count writes nothing');
    const r = await call('POST', '/api/espace/capacite', referent, { locationId: 'lieu-clos-aj', versionId: v, capacityType: '02', count: 4 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const place = find(await tree(), 'lieu-clos-aj')!;
    const available = place.capacities!.find((c) => c.status === '02')!;
    assert.equal(available.count, 4);
    assert.ok(Date.now() - Date.parse(available.updatedAt!) < 60_000, 'capacityUpdateDate stamped now');
    assert.equal(await fhirCount(), 1);
    const search = await call('GET', `/api/search?commune=${GARGENVILLE.commune[0]}&available=true&radius=5`, referent);
    assert.equal(search.status, 200, JSON.stringify(search.body));
    const hit = search.body.results.find((x: Json) => x.id === 'offre-clos-aj');
    assert.ok(hit, 'the offer now has room');
    assert.equal(hit.capacity.availablePlaces, 4);
    assert.equal(hit.capacity.updatedAt.slice(0, 16), available.updatedAt!.slice(0, 16));
  });

  test('anonymous searchers see no capacities (access profile 0); signed-in people do', async () => {
    const anon = await call('GET', `/api/search?commune=${GARGENVILLE.commune[0]}&radius=5`, {});
    assert.equal(anon.status, 200);
    const hit = anon.body.results.find((x: Json) => x.id === 'offre-clos-hp');
    assert.ok(hit);
    assert.equal(hit.capacity, undefined);
    assert.equal(anon.body.facets.available, undefined);
    assert.equal((await call('GET', `/api/search?commune=${GARGENVILLE.commune[0]}&available=true`, {})).status, 403);
    const detail = await call('GET', '/api/offers/offre-clos-hp', {});
    assert.equal(detail.body.locations[0].availablePlaces, undefined);
    const signed = await call('GET', '/api/offers/offre-clos-hp', referent);
    assert.equal(signed.body.locations[0].availablePlaces, 2);
  });

  test('history lists who changed what; "Restaurer cette version" writes the old content as a new version (If-Match)', async () => {
    const v0 = await version('Location', 'lieu-clos-hp');
    await call('POST', '/api/espace/capacite', referent, { locationId: 'lieu-clos-hp', versionId: v0, capacityType: '02', count: 7 });
    const h = await call('GET', '/api/espace/historique/Location/lieu-clos-hp', referent);
    assert.equal(h.status, 200);
    const [latest, previous] = h.body.versions;
    assert.equal(latest.versionId, v0 + 1);
    assert.equal(latest.actor, 'referente@clos-saint-jean.test');
    assert.equal(latest.action, 'capacity');
    assert.ok(latest.changes.some((c: Json) => /extension/.test(c.path)), JSON.stringify(latest.changes));
    assert.equal(previous.versionId, v0);
    const same = await call('POST', '/api/espace/restaurer', referent, { type: 'Location', id: 'lieu-clos-hp', versionId: v0 + 1, ifMatch: v0 + 1 });
    assert.equal(same.status, 400, 'restoring the current version makes no sense');
    // The person saw another version as current (a concurrent change): refused, nothing written.
    const conflict = await call('POST', '/api/espace/restaurer', referent, { type: 'Location', id: 'lieu-clos-hp', versionId: v0, ifMatch: v0 + 5 });
    assert.equal(conflict.status, 412);
    assert.match(conflict.body.error.fr, /modifié entre-temps/);
    assert.equal(await version('Location', 'lieu-clos-hp'), v0 + 1);
    const r = await call('POST', '/api/espace/restaurer', referent, { type: 'Location', id: 'lieu-clos-hp', versionId: v0, ifMatch: v0 + 1 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.versionId, v0 + 2, 'a new version, the history kept');
    const place = find(await tree(), 'lieu-clos-hp')!;
    assert.equal(place.capacities!.find((c) => c.status === '02')!.count, 2);
    const h2 = await call('GET', '/api/espace/historique/Location/lieu-clos-hp', referent);
    assert.equal(h2.body.versions[0].action, 'restore');
    assert.equal(h2.body.versions.length, h.body.versions.length + 1);
  });

  test('freshness: an offer not updated for 6 months is flagged on the tree and to searchers, and sent in the reminder digest', async () => {
    const { store } = server.services;
    const cur = await store.read('HealthcareService', 'offre-clos-aj');
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    await db().transaction((tx) => store.writeVersionWith(tx, { resourceType: 'HealthcareService', id: cur.id, versionId: cur.versionId + 1, lastUpdated: old, deleted: false, resource: cur.resource }, FIXTURE_CONTEXT));
    assert.equal(find(await tree(), 'offre-clos-aj')!.stale, true);
    assert.equal(find(await tree(), 'offre-clos-hp')!.stale, false);
    const search = await call('GET', `/api/search?commune=${GARGENVILLE.commune[0]}&radius=5`, {});
    assert.equal(search.body.results.find((x: Json) => x.id === 'offre-clos-aj').stale, true);
    assert.equal(search.body.results.find((x: Json) => x.id === 'offre-clos-hp').stale, false);

    assert.equal((await call('POST', '/api/espace/rappels', referent)).status, 403);
    const run = await call('POST', '/api/espace/rappels', admin);
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.status, 'done');
    assert.ok(run.body.emailsSent >= 1);
    const mail = await sink.waitFor((m) => m.to.includes('referente@clos-saint-jean.test'));
    assert.match(mail.text, /Accueil de jour EHPAD Le Clos Saint Jean/);
    assert.doesNotMatch(mail.text, /Hébergement permanent EHPAD Le Clos/);
    const runs = await call('GET', '/api/espace/rappels', admin);
    assert.equal(runs.body.runs[0].id, run.body.id);
    assert.equal(runs.body.runs[0].trigger, 'admin');

    // An offer missing mandatory data cannot be confirmed as it is: a readable message, nothing written.
    const v = await version('HealthcareService', 'offre-clos-aj');
    const refused = await call('POST', '/api/espace/confirmer', referent, { type: 'HealthcareService', id: 'offre-clos-aj', versionId: v });
    assert.equal(refused.status, 422);
    assert.match(refused.body.error.fr, /public pris en charge/);
    assert.equal(await version('HealthcareService', 'offre-clos-aj'), v);

    // Confirming a complete one clears its flag.
    const hp = await store.read('HealthcareService', 'offre-clos-hp');
    await db().transaction((tx) => store.writeVersionWith(tx, { resourceType: 'HealthcareService', id: hp.id, versionId: hp.versionId + 1, lastUpdated: old, deleted: false, resource: hp.resource }, FIXTURE_CONTEXT));
    assert.equal(find(await tree(), 'offre-clos-hp')!.stale, true);
    const confirm = await call('POST', '/api/espace/confirmer', referent, { type: 'HealthcareService', id: 'offre-clos-hp', versionId: hp.versionId + 1 });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
    assert.equal(find(await tree(), 'offre-clos-hp')!.stale, false);
  });

  test('temporary closure with a reopening date; reopening', async () => {
    const v = await version('HealthcareService', 'offre-clos-hp');
    const bad = await call('POST', '/api/espace/fermeture', referent, { offerId: 'offre-clos-hp', versionId: v, from: '2026-12-10', until: '2026-12-01' });
    assert.equal(bad.status, 400);
    const today = new Date().toISOString().slice(0, 10);
    const until = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const r = await call('POST', '/api/espace/fermeture', referent, { offerId: 'offre-clos-hp', versionId: v, from: today, until, reason: 'Travaux' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const item = find(await tree(), 'offre-clos-hp')!;
    assert.equal(item.closed, true);
    assert.equal(item.closure!.until, until);
    const search = await call('GET', `/api/search?commune=${GARGENVILLE.commune[0]}&radius=5`, referent);
    assert.equal(search.body.results.find((x: Json) => x.id === 'offre-clos-hp').closedUntil, until);
    assert.equal(search.body.results.find((x: Json) => x.id === 'offre-clos-hp').capacity.availablePlaces, 0, 'a closed offer has no room');
    const withRoom = await call('GET', `/api/search?commune=${GARGENVILLE.commune[0]}&radius=5&available=true`, referent);
    assert.ok(!withRoom.body.results.some((x: Json) => x.id === 'offre-clos-hp'));
    const reopen = await call('POST', '/api/espace/fermeture', referent, { offerId: 'offre-clos-hp', versionId: r.body.versionId, until: null });
    assert.equal(reopen.status, 200, JSON.stringify(reopen.body));
    assert.equal(find(await tree(), 'offre-clos-hp')!.closed, false);
  });

  test('administrators search the structures of their région', async () => {
    const r = await call('GET', '/api/espace/structures?q=clos saint', admin);
    assert.equal(r.status, 200);
    assert.ok(r.body.structures.some((s: Json) => s.id === GARGENVILLE.eg));
    const regional = await server.userHeaders({ email: 'ars-bretagne@test.ror', role: 'regional-admin', regions: ['53'] });
    const other = await call('GET', '/api/espace/structures?q=clos saint', regional);
    assert.equal(other.body.structures.length, 0, 'an Île-de-France structure is outside région 53');
    assert.equal((await call('GET', `/api/espace/structure/${GARGENVILLE.eg}`, regional)).status, 403);
    assert.equal((await call('GET', '/api/espace/structures', referent)).status, 403);
  });

  test('an administrator opens the legal entity: EJ → EG → offers → places', async () => {
    const r = await call('GET', `/api/espace/structure/${GARGENVILLE.ej}`, admin);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const t = r.body.tree as TreeItem;
    assert.equal(t.kind, 'EJ');
    const eg = t.children.find((c) => c.id === GARGENVILLE.eg)!;
    assert.equal(eg.kind, 'EG');
    assert.ok(find(eg, 'offre-clos-hp') && find(eg, 'lieu-clos-hp'));
  });

  test('a professional sees their practitioner and city offers, and may update their own place only', async () => {
    const { store } = server.services;
    const created = { url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-meta-creation-date', valueDateTime: '2026-01-15T09:00:00+01:00' };
    await store.transaction(async (tx) => {
      await tx.update({ resourceType: 'Practitioner', id: 'pr-kine', extension: [created], identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810000000017' }], name: [{ family: 'MARTIN', given: ['Claire'] }] }, FIXTURE_CONTEXT);
      await tx.update({ resourceType: 'Location', id: 'lieu-kine', extension: [created], name: 'Cabinet de kinésithérapie', address: { city: 'Gargenville', postalCode: '78440', line: ['1 rue du Port'] } }, FIXTURE_CONTEXT);
      await tx.update({
        resourceType: 'HealthcareService', id: 'offre-kine', extension: [created], name: 'Kinésithérapie à domicile', providedBy: { reference: `Organization/${GARGENVILLE.eg}` },
        type: [{ coding: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite', code: '05' }] }], location: [{ reference: 'Location/lieu-kine' }],
      }, FIXTURE_CONTEXT);
      await tx.update({ resourceType: 'PractitionerRole', id: 'role-kine', extension: [created], practitioner: { reference: 'Practitioner/pr-kine' }, healthcareService: [{ reference: 'HealthcareService/offre-kine' }] }, FIXTURE_CONTEXT);
    });
    const pro = await server.userHeaders({ email: 'claire.martin@kine.test', role: 'professional', practitioner: 'pr-kine' });
    const home = await call('GET', '/api/espace', pro);
    assert.equal(home.status, 200);
    assert.equal(home.body.practitioner.name, 'Claire MARTIN');
    assert.deepEqual(home.body.offers.map((o: Json) => o.id), ['offre-kine']);
    assert.deepEqual(home.body.offers[0].children.map((c: Json) => c.id), ['lieu-kine'], 'with its place');
    assert.equal(home.body.offers[0].kind, 'offre');
    assert.equal((await call('GET', '/api/espace/historique/HealthcareService/offre-kine', pro)).status, 200);
    assert.equal((await call('GET', '/api/espace/historique/HealthcareService/offre-clos-hp', pro)).status, 403);
    const v = await version('Location', 'lieu-clos-hp');
    assert.equal((await call('POST', '/api/espace/capacite', pro, { locationId: 'lieu-clos-hp', versionId: v, capacityType: '02', count: 1 })).status, 403);
    assert.equal(await version('Location', 'lieu-clos-hp'), v);
  });
});
