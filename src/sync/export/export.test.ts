// Bulk Data $export through the real HTTP server, on both engines: kick-off, polling, manifest,
// ndjson files (parsed with split2, not our code), gzip, _type, _since with deletions, _typeFilter
// on the region tag, _myCompleteExtract, the caller's access profile, cancel, and a job that
// survives a server restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import split2 from 'split2';
import { REGION_TAG_SYSTEM } from '../../fhir/resource-types.ts';
import type { Resource } from '../../fhir/types.ts';
import { CONFIDENTIALITY_SYSTEM, SENSITIVE_UNIT_URL } from '../../security/redact.ts';
import type { RequestContext } from '../../store/context.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { describeWithDatabases } from '../../testing/suite.ts';
import { completedHealthcareService, example, legalEntity, practice, professional, site } from '../../validation/fixtures.ts';

const SETUP: RequestContext = { actor: { id: 'test-setup', kind: 'system' }, source: 'cli', validation: 'lenient' };
const ASYNC = { prefer: 'respond-async', accept: 'application/fhir+json' };

const RESTRICTED_PHONE = '0130000003';

function offer(id: string, region: string, sensitive = false): Resource {
  const hs = completedHealthcareService();
  hs.id = id;
  hs.meta = { tag: [{ system: REGION_TAG_SYSTEM, code: region }] };
  hs.providedBy = { reference: 'Organization/eg-x' };
  hs.location = [{ reference: 'Location/loc-x' }];
  hs.extension = (hs.extension as { url: string }[]).map((e) => (e.url === SENSITIVE_UNIT_URL ? { url: SENSITIVE_UNIT_URL, valueBoolean: sensitive } : e));
  // A public phone and a very restricted one (TRE_R283 level 3): the latter is for the highest profiles only.
  const level = (code: string) => [{ url: 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-telecom-confidentiality-level', valueCodeableConcept: { coding: [{ system: CONFIDENTIALITY_SYSTEM, code }] } }];
  hs.telecom = [{ system: 'phone', value: '0130000001', extension: level('1') }, { system: 'phone', value: RESTRICTED_PHONE, extension: level('3') }];
  return hs;
}

/** Reads an ndjson body line by line with split2 + JSON.parse. */
async function parseNdjson(body: ReadableStream<Uint8Array>): Promise<Resource[]> {
  const out: Resource[] = [];
  for await (const obj of Readable.fromWeb(body as never).pipe(split2(JSON.parse))) out.push(obj as Resource);
  return out;
}

interface Manifest { transactionTime: string; request: string; requiresAccessToken: boolean; output: { type: string; url: string; count: number }[]; deleted: { type: string; url: string; count: number }[]; extension: Record<string, string> }

await describeWithDatabases('bulk $export', (db) => {
  let server: TestServer;
  let admin: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-export-'));
  before(async () => {
    server = await startTestServer(db(), { ROR_DATA_DIR: dataDir });
    admin = await server.adminHeaders();
    const store = server.services.store;
    await store.update({ ...legalEntity(), id: 'ej-x' }, SETUP);
    await store.update({ ...site(), id: 'eg-x', partOf: { reference: 'Organization/ej-x' } }, SETUP);
    await store.update({ ...legalEntity(), id: 'ej-other', identifier: [] }, SETUP);
    await store.update({ ...example('Location-ror-location-exemple'), id: 'loc-x' }, SETUP);
    await store.update(offer('hs-11', '11'), SETUP);
    await store.update(offer('hs-84', '84'), SETUP);
    await store.update(offer('hs-11-sensitive', '11', true), SETUP);
    await store.update({ ...professional(), id: 'ps-x' }, SETUP);
    await store.update({ ...professional(), id: 'ps-alone', identifier: [] }, SETUP);
    await store.update({ ...practice(), id: 'pr-x', practitioner: { reference: 'Practitioner/ps-x' }, healthcareService: [{ reference: 'HealthcareService/hs-11' }] }, SETUP);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function kickOff(srv: TestServer, query: string, headers = admin): Promise<string> {
    const res = await fetch(`${srv.fhirBase}/${query}`, { headers: { ...ASYNC, ...headers } });
    assert.equal(res.status, 202, await res.clone().text());
    const location = res.headers.get('content-location')!;
    assert.match(location, /\$export-poll-status\?_jobId=[0-9a-f-]{36}$/);
    return location;
  }

  async function waitManifest(statusUrl: string, headers = admin, timeoutMs = 60_000): Promise<Manifest> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await fetch(statusUrl, { headers });
      if (res.status === 200) {
        assert.match(res.headers.get('content-type')!, /application\/json/);
        return (await res.json()) as Manifest;
      }
      assert.equal(res.status, 202, await res.text());
      assert.ok(res.headers.get('x-progress'));
      if (Date.now() > deadline) throw new Error('export did not finish in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function download(m: Manifest, headers = admin): Promise<Map<string, Resource[]>> {
    const byType = new Map<string, Resource[]>();
    for (const o of m.output) {
      const res = await fetch(o.url, { headers });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^application\/fhir\+ndjson/);
      assert.equal(res.headers.get('content-encoding'), 'gzip');
      const resources = await parseNdjson(res.body!);
      assert.equal(resources.length, o.count);
      byType.set(o.type, [...(byType.get(o.type) ?? []), ...resources]);
    }
    return byType;
  }
  const ids = (rs: Resource[] | undefined) => (rs ?? []).map((r) => r.id).sort();

  test('regional _myCompleteExtract: offers of region 11 with their organizations (partOf chain), place, practice and practitioner', async () => {
    const filter = encodeURIComponent(`HealthcareService?_tag=${REGION_TAG_SYSTEM}|11`);
    const status = await kickOff(server, `$export?_outputFormat=application/fhir%2Bndjson&_type=HealthcareService&includeAssociatedData=_myCompleteExtract&_typeFilter=${filter}`);
    const m = await waitManifest(status);
    assert.equal(m.requiresAccessToken, true);
    assert.match(m.request, /\$export\?_outputFormat=/);
    assert.match(m.extension['urn:ror:change-feed'], /\/_history\?_sort=_lastUpdated&_cursor=\d+\.\d+$/);
    const files = await download(m);
    assert.deepEqual(ids(files.get('HealthcareService')), ['hs-11', 'hs-11-sensitive']);
    assert.deepEqual(ids(files.get('Organization')), ['eg-x', 'ej-x']);
    assert.deepEqual(ids(files.get('Location')), ['loc-x']);
    assert.deepEqual(ids(files.get('PractitionerRole')), ['pr-x']);
    assert.deepEqual(ids(files.get('Practitioner')), ['ps-x']);
    // Without Accept-Encoding: gzip, the same file comes plain.
    const plain = await fetch(m.output[0].url, { headers: { ...admin, 'accept-encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);
    const text = await plain.text();
    assert.equal(text.trim().split('\n').length, m.output[0].count);
    // Another caller cannot poll the job nor read its files.
    const other = await server.appHeaders(1);
    assert.equal((await fetch(status, { headers: other })).status, 404);
    assert.equal((await fetch(m.output[0].url, { headers: other })).status, 404);
  });

  test('the caller\'s access profile applies: a profile-0 application gets no sensitive offer', async () => {
    const p0 = await server.appHeaders(0);
    const m = await waitManifest(await kickOff(server, 'HealthcareService/$export', p0), p0);
    assert.deepEqual(m.output.map((o) => o.type), ['HealthcareService']);
    assert.deepEqual(ids((await download(m, p0)).get('HealthcareService')), ['hs-11', 'hs-84']);
  });

  test('profiles 0, 1 and 2: every exported resource equals the FHIR read of the same caller, restricted phones withheld from 0 and 2', async () => {
    // Profile 1 sees every element (access matrix); 0 and 2 do not see very restricted contacts.
    for (const profile of [0, 1, 2] as const) {
      const app = await server.appHeaders(profile);
      const m = await waitManifest(await kickOff(server, '$export?_type=HealthcareService,Organization,Location,PractitionerRole,Practitioner', app), app);
      const files = await download(m, app);
      let redacted = 0;
      let whole = 0;
      for (const [type, resources] of files) {
        for (const r of resources) {
          const read = await fetch(`${server.fhirBase}/${type}/${r.id}`, { headers: { ...app, accept: 'application/fhir+json' } });
          assert.equal(read.status, 200, `${type}/${r.id} exported to profile ${profile} but not readable`);
          assert.deepEqual(r, await read.json(), `${type}/${r.id}: export and read differ for profile ${profile}`);
          if (profile !== 1) assert.ok(!JSON.stringify(r).includes(RESTRICTED_PHONE), `${type}/${r.id}: very restricted phone exported to profile ${profile}`);
          if ((r.meta?.security as { code?: string }[] | undefined)?.some((c) => c.code === 'REDACTED')) redacted++;
          else whole++;
        }
      }
      if (profile !== 1) assert.ok(redacted > 0 && whole > 0, `profile ${profile}: both redacted (${redacted}) and whole (${whole}) resources exported`);
      else assert.equal(redacted, 0);
      assert.equal(files.get('HealthcareService')?.some((r) => r.id === 'hs-11-sensitive'), profile === 1, 'sensitive offers for profile 1 only');
    }
  });

  test('_type and _since: only what changed, deletions listed as DELETE Bundles', async () => {
    const store = server.services.store;
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await store.update({ ...professional(), id: 'ps-new', identifier: [] }, SETUP);
    await store.delete('Practitioner', 'ps-alone', SETUP);
    const m = await waitManifest(await kickOff(server, `$export?_type=Practitioner,Organization&_since=${encodeURIComponent(since)}`));
    const files = await download(m);
    assert.deepEqual(ids(files.get('Practitioner')), ['ps-new']);
    assert.deepEqual(ids(files.get('Organization')), []);
    assert.equal(m.deleted.length, 1);
    const res = await fetch(m.deleted[0].url, { headers: admin });
    const bundles = await parseNdjson(res.body!);
    assert.deepEqual(bundles.flatMap((b) => (b.entry as { request: { method: string; url: string } }[]).map((e) => `${e.request.method} ${e.request.url}`)), ['DELETE Practitioner/ps-alone']);
  });

  test('bad requests are refused at kick-off', async () => {
    const bad = async (q: string, status = 400) => {
      const res = await fetch(`${server.fhirBase}/${q}`, { headers: { ...ASYNC, ...admin } });
      assert.equal(res.status, status, q);
      assert.equal(((await res.json()) as Resource).resourceType, 'OperationOutcome');
    };
    await bad('$export?_outputFormat=application/fhir%2Bjson');
    await bad('$export?_type=Subscription');
    await bad('$export?_typeFilter=HealthcareService%3Fnope%3D1&_type=HealthcareService');
    await bad('$export?includeAssociatedData=LatestProvenanceResources&_type=HealthcareService');
    await bad('$export?_since=yesterday');
    await bad('Group/g1/$export', 404);
    assert.equal((await fetch(`${server.fhirBase}/$export`, { headers: ASYNC })).status, 401);
  });

  test('cancel, and a job interrupted by a server stop completes on the next server', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { ROR_EXPORT_BATCH: '1', ROR_EXPORT_PAUSE_MS: '150' });
    let slow: TestServer | undefined;
    try {
      slow = await startTestServer(db(), { ROR_DATA_DIR: dataDir });
      const cancelled = await kickOff(slow, '$export');
      const del = await fetch(cancelled, { method: 'DELETE', headers: admin });
      assert.equal(del.status, 202);
      assert.equal((await fetch(cancelled, { headers: admin })).status, 404);

      const status = await kickOff(slow, '$export?_type=Organization,HealthcareService,Practitioner');
      // Wait until it is under way, then stop that server in the middle of the job.
      for (let i = 0; i < 100; i++) {
        const r = await fetch(status, { headers: admin });
        assert.equal(r.status, 202);
        if (/%C3%A9crites|écrites/.test(r.headers.get('x-progress') ?? '')) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      await slow.close();
      slow = undefined;
      process.env = saved;
      const next = await startTestServer(db(), { ROR_DATA_DIR: dataDir });
      try {
        const m = await waitManifest(status.replace(/^http:\/\/[^/]+/, next.origin));
        const files = await download(m);
        assert.deepEqual(ids(files.get('Organization')), ['eg-x', 'ej-other', 'ej-x']);
        assert.deepEqual(ids(files.get('HealthcareService')), ['hs-11', 'hs-11-sensitive', 'hs-84']);
        assert.deepEqual(ids(files.get('Practitioner')), ['ps-new', 'ps-x']);
      } finally {
        await next.close();
      }
    } finally {
      process.env = saved;
      await slow?.close();
    }
  });
});
