// Tries to break the access rules through the real HTTP server, on both engines: writes outside
// one's perimeter, sensitive offers and restricted phones for each access profile, forged tokens,
// brute force, CSRF, secrets in logs.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { importJWK, SignJWT, type JWK } from 'jose';
import { buildApp } from '../api/app.ts';
import { REGION_TAG_SYSTEM } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { capacityRecord, completedHealthcareService, example, legalEntity, practice, professional, rorTelecom, site } from '../validation/fixtures.ts';
import { REDACTED_CODE, SENSITIVE_UNIT_URL } from './redact.ts';

const SYSTEM_LENIENT: RequestContext = { actor: { id: 'test-setup', kind: 'system' }, source: 'cli', validation: 'lenient' };
const FHIR_JSON = 'application/fhir+json';
const VERY_RESTRICTED_PHONE = '0474000003';
const RESTRICTED_PHONE = '0474000002';
const PUBLIC_PHONE = '0474000001';

function withRegion(r: Resource, id: string, region: string, partOf?: string): Resource {
  return { ...r, id, meta: { tag: [{ system: REGION_TAG_SYSTEM, code: region }] }, ...(partOf ? { partOf: { reference: `Organization/${partOf}` } } : {}) };
}

/** An offer of site `eg`, sensitive or not, with one phone per confidentiality level. */
function offer(id: string, eg: string, sensitive: boolean): Resource {
  const hs = completedHealthcareService();
  hs.id = id;
  hs.meta = { tag: [{ system: REGION_TAG_SYSTEM, code: '84' }] };
  hs.providedBy = { reference: `Organization/${eg}` };
  hs.extension = (hs.extension as { url: string }[]).map((e) => (e.url === SENSITIVE_UNIT_URL ? { url: SENSITIVE_UNIT_URL, valueBoolean: sensitive } : e));
  hs.telecom = [rorTelecom(PUBLIC_PHONE, '2', '1'), rorTelecom(RESTRICTED_PHONE, '2', '2'), rorTelecom(VERY_RESTRICTED_PHONE, '2', '3')];
  return hs;
}

await describeWithDatabases('security: access rules through HTTP', (db) => {
  let server: TestServer;
  const headers: Record<string, Record<string, string>> = {};

  before(async () => {
    server = await startTestServer(db(), { ROR_LOGIN_MAX_FAILURES: '3' });
    const store = server.services.store;
    await store.update(withRegion(legalEntity(), 'ej-a', '84'), SYSTEM_LENIENT);
    await store.update(withRegion(site(), 'eg-a', '84', 'ej-a'), SYSTEM_LENIENT);
    await store.update(withRegion(legalEntity(), 'ej-b', '11'), SYSTEM_LENIENT);
    await store.update(withRegion(site(), 'eg-b', '11', 'ej-b'), SYSTEM_LENIENT);
    await store.update(offer('hs-public', 'eg-a', false), SYSTEM_LENIENT);
    const sensitive = await store.update(offer('hs-sensitive', 'eg-a', true), SYSTEM_LENIENT);
    await store.update({ ...sensitive.resource, name: 'Unité sanitaire en milieu pénitentiaire' }, SYSTEM_LENIENT);
    for (const p of [0, 1, 2, 3, 4, 5] as const) headers[`p${p}`] = await server.appHeaders(p);
    headers.referentA = await server.userHeaders({ email: 'referent.a@test.ror', role: 'referent', organizations: ['eg-a'] });
    headers.referentEjA = await server.userHeaders({ email: 'referent.ej.a@test.ror', role: 'referent', organizations: ['ej-a'] });
    headers.region11 = await server.userHeaders({ email: 'ars.idf@test.ror', role: 'regional-admin', regions: ['11'] });
  });
  after(async () => server.close());

  async function call(method: string, path: string, h: Record<string, string> = {}, body?: unknown) {
    const res = await fetch(`${server.fhirBase}/${path}`, {
      method,
      headers: { accept: FHIR_JSON, ...(body !== undefined ? { 'content-type': FHIR_JSON } : {}), ...h },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  }
  const versionOf = async (table: string, id: string) =>
    (await db().query<{ version_id: number }>(`SELECT version_id FROM ${table} WHERE id = $1`, [id])).rows[0]?.version_id;
  const deniedAudits = async (actor: string) =>
    (await db().query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE actor = $1 AND outcome = 'denied'", [actor])).rows[0].n;

  test('anonymous write → 401, nothing written, the refusal audited', async () => {
    const before = await versionOf('organization', 'eg-a');
    const r = await call('PUT', 'Organization/eg-a', {}, withRegion(site(), 'eg-a', '84', 'ej-a'));
    assert.equal(r.status, 401);
    assert.equal(r.body.resourceType, 'OperationOutcome');
    const created = await call('POST', 'Organization', {}, withRegion(site(), 'x', '84'));
    assert.equal(created.status, 401);
    assert.equal(await versionOf('organization', 'eg-a'), before);
    assert.ok(await deniedAudits('anonymous') >= 2);
  });

  test('a referent of site A updating site B → 403 and nothing written; its own site and offers pass', async () => {
    const me = (await (await fetch(`${server.origin}/auth/me`, { headers: headers.referentA })).json()) as { user: { id: string } };
    const beforeB = await versionOf('organization', 'eg-b');
    const denied = await call('PUT', 'Organization/eg-b', headers.referentA, { ...withRegion(site(), 'eg-b', '11', 'ej-b'), name: 'PIRATÉ' });
    assert.equal(denied.status, 403, denied.text);
    assert.equal(await versionOf('organization', 'eg-b'), beforeB);
    assert.equal((await call('GET', 'Organization/eg-b', headers.referentA)).body.name, 'CH DE FLEYRIAT');
    assert.equal(await deniedAudits(me.user.id), 1);
    // Moving its own site under another legal entity is a write outside its perimeter too.
    const moved = await call('PUT', 'Organization/eg-a', headers.referentEjA, withRegion(site(), 'eg-a', '84', 'ej-b'));
    assert.equal(moved.status, 403, moved.text);

    const own = await call('PUT', 'Organization/eg-a', headers.referentA, { ...withRegion(site(), 'eg-a', '84', 'ej-a'), name: 'CH DE FLEYRIAT (site A)' });
    assert.equal(own.status, 200, own.text);
    // A referent of the legal entity reaches the offers of its sites (providedBy → EG → partOf EJ).
    const current = (await call('GET', 'HealthcareService/hs-public', headers.referentEjA)).body;
    // Its maintainer reads the offer whole (a redacted copy written back would lose data)…
    assert.ok(JSON.stringify(current).includes(VERY_RESTRICTED_PHONE));
    // …and a redacted copy is refused on write.
    const redacted = { ...current, meta: { ...current.meta, security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: REDACTED_CODE }] } };
    assert.equal((await call('PUT', 'HealthcareService/hs-public', headers.referentEjA, redacted)).status, 422);
    const offerUpdate = await call('PUT', 'HealthcareService/hs-public', headers.referentEjA, { ...current, name: 'Chirurgie gynécologique (HC)' });
    assert.equal(offerUpdate.status, 200, offerUpdate.text);
  });

  test('a regional admin of region 11 writing in region 84 → 403; in 11 it passes, but cannot move a resource to 84', async () => {
    const before84 = await versionOf('organization', 'ej-a');
    const r = await call('PUT', 'Organization/ej-a', headers.region11, { ...withRegion(legalEntity(), 'ej-a', '84'), name: 'PIRATÉ' });
    assert.equal(r.status, 403, r.text);
    assert.equal(await versionOf('organization', 'ej-a'), before84);
    const ok = await call('PUT', 'Organization/ej-b', headers.region11, { ...withRegion(legalEntity(), 'ej-b', '11'), name: 'EJ B' });
    assert.equal(ok.status, 200, ok.text);
    const move = await call('PUT', 'Organization/ej-b', headers.region11, withRegion(legalEntity(), 'ej-b', '84'));
    assert.equal(move.status, 403, move.text);
    const create84 = await call('POST', 'Organization', headers.region11, withRegion(legalEntity(), 'new', '84'));
    assert.equal(create84.status, 403);
  });

  test('applications are read-only', async () => {
    const r = await call('PUT', 'Organization/eg-a', headers.p1, withRegion(site(), 'eg-a', '84', 'ej-a'));
    assert.equal(r.status, 403);
  });

  test('a profile-0 application never sees a sensitive offer: read, vread, history, search; profiles 1 and 4 do', async () => {
    assert.equal((await call('GET', 'HealthcareService/hs-sensitive', headers.p0)).status, 404);
    assert.equal((await call('GET', 'HealthcareService/hs-sensitive/_history/1', headers.p0)).status, 404);
    assert.equal((await call('GET', 'HealthcareService/hs-sensitive/_history', headers.p0)).status, 404);
    const typeHistory = await call('GET', 'HealthcareService/_history', headers.p0);
    assert.equal(typeHistory.status, 200);
    assert.ok(!typeHistory.text.includes('hs-sensitive'));
    assert.ok(typeHistory.text.includes('hs-public'));
    const systemHistory = await call('GET', '_history', headers.p0);
    assert.ok(!systemHistory.text.includes('hs-sensitive'));
    const search = await call('GET', 'HealthcareService?_count=50', headers.p0);
    assert.equal(search.status, 200, search.text);
    assert.ok(!search.text.includes('hs-sensitive'));
    assert.equal(search.body.total, 1);
    const anonymous = await call('GET', 'HealthcareService?_count=50');
    assert.equal(anonymous.body.total, 1);
    for (const p of ['p2', 'p3', 'p5']) assert.equal((await call('GET', 'HealthcareService/hs-sensitive', headers[p])).status, 404, p);
    for (const p of ['p1', 'p4']) {
      assert.equal((await call('GET', 'HealthcareService/hs-sensitive', headers[p])).status, 200, p);
      assert.equal((await call('GET', 'HealthcareService?_count=50', headers[p])).body.total, 2, p);
    }
    // A referent finds the sensitive offers of its own structures, and only those.
    assert.equal((await call('GET', 'HealthcareService?_count=50', headers.referentEjA)).body.total, 2);
    assert.equal((await call('GET', 'HealthcareService?_count=50', headers.region11)).body.total, 2, 'administrators see all');
    const stranger = await server.userHeaders({ email: 'referent.b@test.ror', role: 'referent', organizations: ['ej-b'] });
    assert.equal((await call('GET', 'HealthcareService?_count=50', stranger)).body.total, 1);
    assert.equal((await call('GET', 'HealthcareService/hs-sensitive', stranger)).status, 404);
    const admin = await call('GET', 'HealthcareService/hs-sensitive/_history', await server.adminHeaders());
    assert.equal(admin.body.entry.length, 2);
  });

  test('a "très restreint" phone is invisible to profiles 0, 2, 3, 5 and visible to 1; redaction is marked', async () => {
    for (const p of ['p0', 'p2', 'p3', 'p5']) {
      const r = await call('GET', 'HealthcareService/hs-public', headers[p]);
      assert.equal(r.status, 200);
      assert.ok(!r.text.includes(VERY_RESTRICTED_PHONE), `${p} read`);
      assert.ok(r.text.includes(PUBLIC_PHONE), `${p} public phone`);
      assert.ok(r.body.meta.security.some((s: { code: string }) => s.code === REDACTED_CODE), `${p} marked`);
      const search = await call('GET', 'HealthcareService?_id=hs-public', headers[p]);
      assert.ok(!search.text.includes(VERY_RESTRICTED_PHONE), `${p} search`);
      const history = await call('GET', 'HealthcareService/hs-public/_history', headers[p]);
      assert.ok(!history.text.includes(VERY_RESTRICTED_PHONE), `${p} history`);
    }
    // "Restreint": profiles 2 and 5 yes, 0 no, 3 only for médico-social offers (this one is MCO).
    assert.ok((await call('GET', 'HealthcareService/hs-public', headers.p2)).text.includes(RESTRICTED_PHONE), 'p2 restricted');
    assert.ok((await call('GET', 'HealthcareService/hs-public', headers.p5)).text.includes(RESTRICTED_PHONE), 'p5 restricted');
    assert.ok(!(await call('GET', 'HealthcareService/hs-public', headers.p0)).text.includes(RESTRICTED_PHONE), 'p0 restricted');
    assert.ok(!(await call('GET', 'HealthcareService/hs-public', headers.p3)).text.includes(RESTRICTED_PHONE), 'p3 restricted');
    const p1 = await call('GET', 'HealthcareService/hs-public', headers.p1);
    assert.ok(p1.text.includes(VERY_RESTRICTED_PHONE), 'p1 sees');
    assert.ok(!(p1.body.meta.security ?? []).some((s: { code: string }) => s.code === REDACTED_CODE), 'p1 not marked');
    // The profile-1 read disclosed restricted data: audited.
    const audited = await db().query("SELECT 1 FROM audit_event WHERE action = 'read-restricted' AND resource_id = 'hs-public' AND actor_kind = 'app'");
    assert.ok(audited.rowCount > 0, 'audited');
  });

  test('_revinclude, _has and _include never reach a sensitive offer or its practices for profile 0 / 2', async () => {
    await server.services.store.update({ ...professional(), id: 'ps-1' }, SYSTEM_LENIENT);
    await server.services.store.update({ ...practice(), id: 'pr-sensitive', practitioner: { reference: 'Practitioner/ps-1' }, healthcareService: [{ reference: 'HealthcareService/hs-sensitive' }] }, SYSTEM_LENIENT);
    const rev = await call('GET', 'Organization?_id=eg-a&_revinclude=HealthcareService:organization', headers.p0);
    assert.equal(rev.status, 200, rev.text);
    assert.ok(rev.text.includes('hs-public') && !rev.text.includes('hs-sensitive'));
    const has = await call('GET', 'Organization?_has:HealthcareService:organization:_id=hs-sensitive', headers.p0);
    assert.equal(has.body.total, 0, has.text);
    assert.equal((await call('GET', 'Organization?_has:HealthcareService:organization:_id=hs-sensitive', headers.p1)).body.total, 1);
    for (const p of ['p2', 'p0']) {
      assert.equal((await call('GET', 'PractitionerRole/pr-sensitive', headers[p])).status, 404, p);
      const roles = await call('GET', 'PractitionerRole?_count=50', headers[p]);
      assert.ok(!roles.text.includes('pr-sensitive'), p);
    }
    const inc = await call('GET', 'PractitionerRole?_id=pr-sensitive&_include=PractitionerRole:service', headers.p1);
    assert.ok(inc.text.includes('hs-sensitive'));
  });

  test('reads inside a transaction Bundle are redacted too (on the transaction\'s own connection)', async () => {
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'GET', url: 'HealthcareService/hs-public' } }] };
    const res = await fetch(server.fhirBase, { method: 'POST', headers: { 'content-type': FHIR_JSON, ...headers.p0 }, body: JSON.stringify(bundle), signal: AbortSignal.timeout(20_000) });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.ok(text.includes(PUBLIC_PHONE) && !text.includes(VERY_RESTRICTED_PHONE));
    const hidden = { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'HealthcareService/hs-sensitive' } }] };
    const batch = await (await fetch(server.fhirBase, { method: 'POST', headers: { 'content-type': FHIR_JSON, ...headers.p0 }, body: JSON.stringify(hidden) })).json();
    assert.equal(batch.entry[0].response.status.slice(0, 3), '404');
  });

  test('a Bundle transaction with one entry outside the perimeter writes nothing; the refusal is audited', async () => {
    const beforeA = await versionOf('organization', 'eg-a');
    const bundle = {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { ...withRegion(site(), 'eg-a', '84', 'ej-a'), name: 'Site A renommé' }, request: { method: 'PUT', url: 'Organization/eg-a' } },
        { resource: { ...withRegion(site(), 'eg-b', '11', 'ej-b'), name: 'PIRATÉ' }, request: { method: 'PUT', url: 'Organization/eg-b' } },
      ],
    };
    const res = await fetch(server.fhirBase, { method: 'POST', headers: { 'content-type': FHIR_JSON, ...headers.referentA }, body: JSON.stringify(bundle) });
    assert.equal(res.status, 403, await res.text());
    assert.equal(await versionOf('organization', 'eg-a'), beforeA);
    const denied = await db().query("SELECT 1 FROM audit_event WHERE outcome = 'denied' AND resource_id = 'eg-b' AND action = 'update'");
    assert.ok(denied.rowCount >= 2, 'refusal audited');
  });

  test('writes are audited with the account id; applications may report an anomaly (Task), anonymous cannot read Tasks', async () => {
    const admin = await server.adminHeaders();
    const me = (await (await fetch(`${server.origin}/auth/me`, { headers: admin })).json()) as { user: { id: string } };
    const w = await call('PUT', 'Organization/ej-b', admin, { ...withRegion(legalEntity(), 'ej-b', '11'), name: 'EJ B (admin)' });
    assert.equal(w.status, 200, w.text);
    const row = await db().query<{ actor: string; actor_kind: string }>(
      "SELECT actor, actor_kind FROM audit_event WHERE resource_id = 'ej-b' AND outcome = 'success' ORDER BY seq DESC LIMIT 1");
    assert.deepEqual(row.rows[0], { actor: me.user.id, actor_kind: 'user' });

    const task = example('Task-ror-task-exemple');
    delete task.id;
    const created = await call('POST', 'Task', headers.p0, task);
    assert.equal(created.status, 201, created.text);
    const taskAudit = await db().query<{ actor: string }>("SELECT actor FROM audit_event WHERE resource_type = 'Task' AND resource_id = $1", [created.body.id]);
    assert.match(taskAudit.rows[0].actor, /^app-/);
    assert.equal((await call('GET', `Task/${created.body.id}`)).status, 404);
    assert.equal((await call('GET', `Task/${created.body.id}`, headers.p0)).status, 200);
  });

  test('a professional writes its own Practitioner, not another one', async () => {
    await server.services.store.update({ ...professional(), id: 'ps-2' }, SYSTEM_LENIENT);
    const h = await server.userHeaders({ email: 'kine@test.ror', role: 'professional', practitioner: 'ps-1' });
    const own = await call('PUT', 'Practitioner/ps-1', h, { ...professional(), id: 'ps-1', name: [{ family: 'BENHOUCHAME', given: ['Zakaria', 'Ali'] }] });
    assert.equal(own.status, 200, own.text);
    const other = await call('PUT', 'Practitioner/ps-2', h, { ...professional(), id: 'ps-2', name: [{ family: 'AUTRE' }] });
    assert.equal(other.status, 403);
    // Its practice at a sensitive hospital offer is not a city offer: not its to edit.
    const hs = (await call('GET', 'HealthcareService/hs-sensitive', await server.adminHeaders())).body;
    assert.equal((await call('PUT', 'HealthcareService/hs-sensitive', h, { ...hs, name: 'x' })).status, 403);
  });

  test('capacities by profile: 0 none, 5 installed only, 2 without supplementary ones, 1 all', async () => {
    const cap = (status: string) => {
      const c = capacityRecord();
      (c.extension[1] as { valueCodeableConcept: { coding: { code: string }[] } }).valueCodeableConcept.coding[0].code = status;
      return c;
    };
    const place: Resource = {
      resourceType: 'Location', id: 'loc-a', meta: { tag: [{ system: REGION_TAG_SYSTEM, code: '84' }] },
      extension: [cap('01'), cap('02'), cap('06')], managingOrganization: { reference: 'Organization/eg-a' },
    };
    await server.services.store.update(place, SYSTEM_LENIENT);
    const statuses = async (h: Record<string, string>) => {
      const r = (await call('GET', 'Location/loc-a', h)).body as Resource;
      return ((r.extension as { url: string; extension?: { url: string; valueCodeableConcept?: { coding: { code: string }[] } }[] }[] | undefined) ?? [])
        .filter((e) => e.url.endsWith('ror-location-supported-capacity'))
        .map((e) => e.extension!.find((s) => s.url === 'capacityStatus')!.valueCodeableConcept!.coding[0].code);
    };
    assert.deepEqual(await statuses(headers.p0), []);
    assert.deepEqual(await statuses({}), []);
    assert.deepEqual(await statuses(headers.p5), ['01']);
    assert.deepEqual(await statuses(headers.p2), ['01', '02']);
    assert.deepEqual(await statuses(headers.p1), ['01', '02', '06']);
  });

  test('expired, tampered, wrong-audience and wrong-issuer JWTs → 401', async () => {
    const good = headers.p1.authorization.slice('Bearer '.length);
    assert.equal((await call('GET', 'HealthcareService/hs-sensitive', { authorization: `Bearer ${good}` })).status, 200);
    const [h, p, s] = good.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, access_profile: 4 })).toString('base64url')}.${s}`;
    const key = (await db().query<{ kid: string; private_jwk: JWK }>('SELECT kid, private_jwk FROM signing_key')).rows[0];
    const sign = async (claims: { aud?: string; iss?: string; exp?: number }) => new SignJWT({ access_profile: 1, client_id: payload.sub })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' }).setSubject(payload.sub).setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setIssuer(claims.iss ?? payload.iss).setAudience(claims.aud ?? payload.aud).setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(await importJWK(key.private_jwk, 'ES256'));
    // The same key signs a valid token: what fails below is only the claim under test.
    assert.equal((await call('GET', 'HealthcareService/hs-public', { authorization: `Bearer ${await sign({})}` })).status, 200);
    const bad = {
      tampered,
      expired: await sign({ exp: Math.floor(Date.now() / 1000) - 60 }),
      wrongAudience: await sign({ aud: 'urn:other:api' }),
      wrongIssuer: await sign({ iss: 'urn:other:issuer' }),
      noneAlg: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`,
    };
    for (const [name, token] of Object.entries(bad)) {
      const r = await call('GET', 'HealthcareService/hs-public', { authorization: `Bearer ${token}` });
      assert.equal(r.status, 401, name);
      assert.match(r.text, /OperationOutcome/);
    }
  });

  test('a revoked application loses access at once', async () => {
    const h = await server.appHeaders(1);
    const me = (await (await fetch(`${server.origin}/auth/me`, { headers: h })).json()) as { clientId: string };
    await server.services.security.accounts.revokeApp(me.clientId);
    assert.equal((await call('GET', 'HealthcareService/hs-public', h)).status, 401);
  });

  test('brute-force login is throttled (429 even with the right password), failures audited without the password', async () => {
    await server.services.security.accounts.addUser({ email: 'cible@test.ror', role: 'national-admin', password: 'le-bon-mot-de-passe-42' });
    const login = (password: string) => fetch(`${server.origin}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'cible@test.ror', password }),
    });
    for (let i = 0; i < 3; i++) assert.equal((await login(`mauvais-${i}-secret`)).status, 401);
    const throttled = await login('le-bon-mot-de-passe-42');
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    const rows = await db().query<{ outcome: string; detail: unknown }>("SELECT outcome, detail FROM audit_event WHERE action = 'login' AND actor = 'cible@test.ror'");
    assert.deepEqual(rows.rows.map((r) => r.outcome).sort(), ['failure', 'failure', 'failure', 'throttled']);
    assert.ok(!JSON.stringify(rows.rows).includes('mauvais'));
  });

  test('CSRF: a cookie-authenticated write without the token → 403; with it → 201', async () => {
    const admin = await server.adminHeaders();
    const noToken = await call('POST', 'Organization', { cookie: admin.cookie }, withRegion(legalEntity(), 'x', '84'));
    assert.equal(noToken.status, 403);
    const wrongToken = await call('POST', 'Organization', { cookie: admin.cookie, 'x-csrf-token': 'x'.repeat(32) }, withRegion(legalEntity(), 'x', '84'));
    assert.equal(wrongToken.status, 403);
    const formLogin = await fetch(`${server.origin}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.fr&password=x',
    });
    assert.equal(formLogin.status, 415, 'a cross-site form cannot log anyone in');
    const logoutNoToken = await fetch(`${server.origin}/auth/logout`, { method: 'POST', headers: { cookie: admin.cookie } });
    assert.equal(logoutNoToken.status, 403);
    const ok = await call('POST', 'Organization', admin, withRegion(legalEntity(), 'x', '84'));
    assert.equal(ok.status, 201, ok.text);
  });

  test('session cookie flags, /auth/me, logout ends the session', async () => {
    const password = 'un-mot-de-passe-solide';
    await server.services.security.accounts.addUser({ email: 'session@test.ror', role: 'referent', organizations: ['eg-a'], password });
    const res = await fetch(`${server.origin}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'session@test.ror', password }) });
    const setCookie = res.headers.getSetCookie()[0];
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    const body = (await res.json()) as { csrfToken: string; user: Record<string, unknown> };
    assert.ok(!JSON.stringify(body).includes('password'));
    const h = { cookie: setCookie.split(';')[0], 'x-csrf-token': body.csrfToken };
    const me = await fetch(`${server.origin}/auth/me`, { headers: h });
    assert.equal(((await me.json()) as { user: { role: string } }).user.role, 'referent');
    assert.equal((await fetch(`${server.origin}/auth/logout`, { method: 'POST', headers: h })).status, 204);
    assert.equal((await fetch(`${server.origin}/auth/me`, { headers: h })).status, 401);
  });

  test('token endpoint: bad grant type 400, bad secret 401 invalid_client', async () => {
    const { app } = await server.services.security.accounts.addApp({ name: 'consommateur', accessProfile: 2 });
    const form = (o: Record<string, string>) => fetch(`${server.origin}/oauth/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(o).toString(),
    });
    assert.equal((await form({ grant_type: 'password', client_id: app.clientId, client_secret: 'x' })).status, 400);
    const bad = await form({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: 'wrong' });
    assert.equal(bad.status, 401);
    assert.equal(((await bad.json()) as { error: string }).error, 'invalid_client');
  });

  test('no password, secret or token in the logs of a login and a token request', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    const app = await buildApp(server.services, { logger: { level: 'trace', stream } });
    const password = 'mot-de-passe-a-ne-jamais-journaliser';
    await server.services.security.accounts.addUser({ email: 'logs@test.ror', role: 'national-admin', password });
    const login = await app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'logs@test.ror', password } });
    assert.equal(login.statusCode, 200);
    const { app: registered, clientSecret } = await server.services.security.accounts.addApp({ name: 'journaux', accessProfile: 1 });
    const token = await app.inject({
      method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: registered.clientId, client_secret: clientSecret }).toString(),
    });
    assert.equal(token.statusCode, 200);
    const accessToken = token.json().access_token as string;
    const read = await app.inject({ method: 'GET', url: '/fhir/HealthcareService/hs-public', headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(read.statusCode, 200);
    // An OpenID Connect callback carries a one-time code in its URL.
    await app.inject({ method: 'GET', url: '/auth/oidc/callback?code=CODE-SECRET-DU-FOURNISSEUR&state=ETAT-SECRET' });
    await app.close();
    const log = lines.join('');
    assert.ok(log.length > 0 && log.includes('/oauth/token'), 'the logger did write');
    assert.ok(log.includes('/auth/oidc/callback?code=%5Bredacted%5D'), 'the callback is logged, redacted');
    for (const secret of [password, clientSecret, accessToken, login.json().csrfToken as string, login.cookies[0].value, 'CODE-SECRET', 'ETAT-SECRET']) {
      assert.ok(!log.includes(secret), 'a secret was logged');
    }
  });
});
