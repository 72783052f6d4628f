import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, Resource } from '../../fhir/types.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { describeWithDatabases } from '../../testing/suite.ts';

const FHIR_JSON = 'application/fhir+json';
const REGION = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';
const FINESS = 'https://finess.esante.gouv.fr';

function organization(name: string, finess?: string): Resource {
  return {
    resourceType: 'Organization',
    meta: { tag: [{ system: REGION, code: '11' }] },
    ...(finess ? { identifier: [{ system: FINESS, value: finess }] } : {}),
    name,
  };
}

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

await describeWithDatabases('FHIR REST API', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(db(), { ROR_BODY_LIMIT: String(256 * 1024) });
  });
  after(async () => server.close());

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(`${server.fhirBase}/${path}`, {
      method,
      headers: { accept: FHIR_JSON, ...(body !== undefined ? { 'content-type': FHIR_JSON } : {}), ...(await server.adminHeaders()), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  async function countOrganizations(): Promise<number> {
    const r = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM organization');
    return r.rows[0].n;
  }

  test('metadata is a CapabilityStatement that lists the stored types and their interactions', async () => {
    const r = await call('GET', 'metadata');
    assert.equal(r.status, 200);
    assert.equal(r.body.resourceType, 'CapabilityStatement');
    assert.equal(r.body.fhirVersion, '4.0.1');
    assert.equal(r.body.rest[0].security.service[0].coding[0].code, 'OAuth');
    const hsCaps = r.body.rest[0].resource.find((x: { type: string }) => x.type === 'HealthcareService');
    // The IG's standard include set is declared, from the reference parameters of the registry.
    for (const inc of ['HealthcareService:organization', 'HealthcareService:location']) assert.ok(hsCaps.searchInclude.includes(inc), inc);
    assert.ok(hsCaps.searchRevInclude.includes('PractitionerRole:service'));
    assert.ok(hsCaps.searchParam.some((p: { name: string }) => p.name === 'intervention-zone'));
    const hs = r.body.rest[0].resource.find((x: { type: string }) => x.type === 'HealthcareService');
    assert.equal(hs.profile, 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-healthcareservice');
    for (const code of ['read', 'vread', 'create', 'update', 'patch', 'delete', 'history-instance']) {
      assert.ok(hs.interaction.some((i: { code: string }) => i.code === code), code);
    }
  });

  test('create answers 201 with Location, ETag and Last-Modified; read returns the stored resource', async () => {
    const c = await call('POST', 'Organization', organization('Centre hospitalier François Quesnay'));
    assert.equal(c.status, 201);
    assert.equal(c.headers.get('etag'), 'W/"1"');
    assert.ok(c.headers.get('last-modified'));
    const location = c.headers.get('location')!;
    assert.match(location, /\/fhir\/Organization\/[0-9a-f-]{36}\/_history\/1$/);
    assert.match(c.headers.get('content-type')!, /application\/fhir\+json/);
    const r = await call('GET', `Organization/${c.body.id}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.name, 'Centre hospitalier François Quesnay');
    assert.equal(r.body.meta.versionId, '1');
    const head = await fetch(`${server.fhirBase}/Organization/${c.body.id}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('update with If-Match: the right version passes, a stale one gets 412 and changes nothing', async () => {
    const c = await call('POST', 'Organization', organization('EHPAD Saint-Charles'));
    const ok = await call('PUT', `Organization/${c.body.id}`, { ...c.body, name: 'EHPAD Saint-Charles (Rosny)' }, { 'if-match': 'W/"1"' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('etag'), 'W/"2"');
    const stale = await call('PUT', `Organization/${c.body.id}`, { ...c.body, name: 'écrasement' }, { 'if-match': 'W/"1"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.resourceType, 'OperationOutcome');
    assert.equal(stale.body.issue[0].code, 'conflict');
    assert.match(stale.body.issue[0].details.text, /modifiée entre-temps/);
    assert.equal((await call('GET', `Organization/${c.body.id}`)).body.name, 'EHPAD Saint-Charles (Rosny)');
  });

  test('Prefer: return=minimal gives no body, return=OperationOutcome an outcome', async () => {
    const min = await call('POST', 'Organization', organization('SSIAD Mantes'), { prefer: 'return=minimal' });
    assert.equal(min.status, 201);
    assert.equal(min.body, undefined);
    const oo = await call('POST', 'Organization', organization('SSIAD Limay'), { prefer: 'return=OperationOutcome' });
    assert.equal(oo.status, 201);
    assert.equal(oo.body.resourceType, 'OperationOutcome');
    assert.equal(oo.body.issue[0].severity, 'information');
  });

  test('conditional update on identifier creates once, then updates the same resource', async () => {
    const q = `Organization?identifier=${encodeURIComponent(`${FINESS}|780110078`)}`;
    const first = await call('PUT', q, organization('CH de Mantes-la-Jolie', '780110078'));
    assert.equal(first.status, 201);
    const second = await call('PUT', q, organization('Centre hospitalier de Mantes-la-Jolie', '780110078'));
    assert.equal(second.status, 200);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.meta.versionId, '2');
    const ifNoneExist = await call('POST', 'Organization', organization('doublon', '780110078'), { 'if-none-exist': `identifier=${FINESS}|780110078` });
    assert.equal(ifNoneExist.status, 200);
    assert.equal(ifNoneExist.body.id, first.body.id);
  });

  test('delete is soft: 204, then 410, and the instance history shows the deletion', async () => {
    const c = await call('POST', 'Organization', organization('Cabinet à fermer'));
    await call('PUT', `Organization/${c.body.id}`, { ...c.body, name: 'Cabinet à fermer bientôt' });
    const d = await call('DELETE', `Organization/${c.body.id}`);
    assert.equal(d.status, 204);
    assert.equal((await call('GET', `Organization/${c.body.id}`)).status, 410);
    const h = await call('GET', `Organization/${c.body.id}/_history`);
    assert.equal(h.body.type, 'history');
    assert.deepEqual(h.body.entry.map((e: any) => [e.request.method, e.response.etag]), [['DELETE', 'W/"3"'], ['PUT', 'W/"2"'], ['POST', 'W/"1"']]);
    assert.equal(h.body.entry[0].resource, undefined);
    const v1 = await call('GET', `Organization/${c.body.id}/_history/1`);
    assert.equal(v1.body.name, 'Cabinet à fermer');
    assert.equal((await call('DELETE', 'Organization/does-not-exist')).status, 404);
  });

  test('type and system history are paged with next links that do not repeat', async () => {
    for (const n of [1, 2, 3]) await call('POST', 'Practitioner', { resourceType: 'Practitioner', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: `81000000000${n}` }] });
    const p1 = await call('GET', 'Practitioner/_history?_count=2');
    assert.equal(p1.body.entry.length, 2);
    const next = p1.body.link.find((l: any) => l.relation === 'next').url as string;
    const p2 = await (await fetch(next)).json() as Bundle;
    const ids1 = p1.body.entry.map((e: any) => e.response.etag + e.fullUrl);
    assert.ok(p2.entry!.every((e) => !ids1.includes(e.response!.etag! + e.fullUrl)));
    const sys = await call('GET', '_history?_count=1');
    assert.equal(sys.body.entry.length, 1);
    assert.equal((await call('GET', '_history?_since=not-a-date')).status, 400);
  });

  test('a transaction resolves urn:uuid references and is all or nothing', async () => {
    const tx = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:8d5c0c4c-0f7c-4c8e-9a9b-1a2b3c4d5e6f', resource: organization('GH Yvelines Nord (EJ)', '780001236'), request: { method: 'POST', url: 'Organization' } },
        { fullUrl: 'urn:uuid:0e6f5d4c-3b2a-4190-8f7e-6d5c4b3a2910', resource: { ...organization('Site de Poissy (EG)', '780001244'), partOf: { reference: 'urn:uuid:8d5c0c4c-0f7c-4c8e-9a9b-1a2b3c4d5e6f' } }, request: { method: 'POST', url: 'Organization' } },
      ],
    };
    const r = await call('POST', '', tx);
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'transaction-response');
    assert.deepEqual(r.body.entry.map((e: any) => e.response.status), ['201', '201']);
    const ej = r.body.entry[0].resource;
    const eg = r.body.entry[1].resource;
    assert.equal(eg.partOf.reference, `Organization/${ej.id}`);

    // Searches in a transaction run after its writes, and see them (no dead-lock on the embedded engine).
    const withSearch = await call('POST', '', {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: organization('Site de Conflans (EG)', '780001251'), request: { method: 'POST', url: 'Organization' } },
        { request: { method: 'GET', url: `Organization?identifier=${FINESS}|780001251` } },
        { request: { method: 'GET', url: `Organization/${ej.id}/_history/1` } },
      ],
    });
    assert.equal(withSearch.status, 200, JSON.stringify(withSearch.body).slice(0, 300));
    assert.deepEqual(withSearch.body.entry.map((e: any) => e.response.status), ['201', '200', '200']);
    assert.equal(withSearch.body.entry[1].resource.total, 1);

    const before = await countOrganizations();
    const failing = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { resource: organization('ne doit pas rester'), request: { method: 'POST', url: 'Organization' } },
        { resource: { ...organization('conflit'), id: ej.id }, request: { method: 'PUT', url: `Organization/${ej.id}`, ifMatch: 'W/"9"' } },
      ],
    };
    const f = await call('POST', '', failing);
    assert.equal(f.status, 412);
    assert.match(f.body.issue[0].details.text, /^Entrée 1/);
    assert.equal(await countOrganizations(), before);
  });

  test('a batch runs each entry on its own', async () => {
    const r = await call('POST', '', {
      resourceType: 'Bundle', type: 'batch',
      entry: [
        { resource: organization('Maison de santé de Limay'), request: { method: 'POST', url: 'Organization' } },
        { request: { method: 'GET', url: 'Organization/inexistant' } },
      ],
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.type, 'batch-response');
    assert.deepEqual(r.body.entry.map((e: any) => e.response.status), ['201', '404']);
    assert.equal(r.body.entry[1].response.outcome.resourceType, 'OperationOutcome');
  });

  test('PATCH with FHIRPath Patch Parameters and with JSON Patch, under If-Match', async () => {
    const c = await call('POST', 'Organization', organization('Pôle gériatrie'));
    const fhirpathPatch = {
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [
        { name: 'type', valueCode: 'add' }, { name: 'path', valueString: 'Organization' },
        { name: 'name', valueString: 'alias' }, { name: 'value', valueString: 'Gériatrie' },
      ] }],
    };
    const p1 = await call('PATCH', `Organization/${c.body.id}`, fhirpathPatch, { 'if-match': 'W/"1"' });
    assert.equal(p1.status, 200, JSON.stringify(p1.body));
    assert.deepEqual(p1.body.alias, ['Gériatrie']);
    assert.equal(p1.headers.get('etag'), 'W/"2"');
    const p2 = await call('PATCH', `Organization/${c.body.id}`, JSON.stringify([{ op: 'replace', path: '/name', value: 'Pôle de gériatrie' }]), {
      'content-type': 'application/json-patch+json', 'if-match': 'W/"2"',
    });
    assert.equal(p2.status, 200, JSON.stringify(p2.body));
    assert.equal(p2.body.name, 'Pôle de gériatrie');
    const stale = await call('PATCH', `Organization/${c.body.id}`, fhirpathPatch, { 'if-match': 'W/"1"' });
    assert.equal(stale.status, 412);
    const bad = await call('PATCH', `Organization/${c.body.id}`, { resourceType: 'Parameters', parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'explode' }] }] });
    assert.equal(bad.status, 400);
    assert.equal((await call('GET', `Organization/${c.body.id}`)).body.meta.versionId, '3');
  });

  test('search over HTTP: written resources are indexed in the same transaction and found at once', async () => {
    await call('POST', 'Organization', organization('Clinique du Val de Seine', '780300125'));
    const r = await call('GET', `Organization?identifier=${encodeURIComponent(`${FINESS}|780300125`)}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.resourceType, 'Bundle');
    assert.equal(r.body.type, 'searchset');
    assert.equal(r.body.total, 1);
    assert.equal(r.body.entry[0].resource.name, 'Clinique du Val de Seine');
    assert.equal(r.body.entry[0].search.mode, 'match');
    const bad = await call('GET', 'Organization?unknown-param=x');
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /unknown-param/);
    const lenient = await call('GET', 'Organization?unknown-param=x&name=Clinique', undefined, { prefer: 'handling=lenient' });
    assert.equal(lenient.status, 200);
  });

  test('bad input gets a 4xx OperationOutcome and stores nothing', async () => {
    const before = await countOrganizations();
    const cases: [string, string, unknown, number, Record<string, string>?][] = [
      ['POST', 'Organization', '{"resourceType": "Organization", "name": ', 400],
      ['POST', 'Organization', { resourceType: 'Location', name: 'x' }, 400],
      ['POST', 'Organization', [1, 2], 400],
      ['POST', 'Organization', { resourceType: 'Organization', name: 'x', extension: { url: 'not-a-list' } }, 422],
      ['POST', 'Organization', { resourceType: 'Organization', name: 'x', meta: 'not-an-object' }, 400],
      ['POST', 'Organization', { resourceType: 'Organization', name: 42, partOf: 'Organization/1' }, 422],
      ['PUT', 'Organization/bad id!', organization('x'), 400],
      ['PUT', 'Organization/abc', { ...organization('x'), id: 'other' }, 400],
      ['POST', 'Patient', { resourceType: 'Patient' }, 404],
      ['POST', 'Organization', { ...organization('x'), description: 'a'.repeat(300 * 1024) }, 413],
      ['POST', 'Organization', 'name=x', 415, { 'content-type': 'text/plain' }],
      ['PUT', 'Organization/abc', organization('x'), 400, { 'if-match': 'banana' }],
      ['POST', '', { resourceType: 'Bundle', type: 'collection' }, 400],
    ];
    for (const [method, path, body, status, headers] of cases) {
      const r = await call(method, path, body, headers);
      assert.equal(r.status, status, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)?.slice(0, 200)}`);
      assert.equal(r.body.resourceType, 'OperationOutcome', `${method} ${path}`);
      assert.ok(r.body.issue[0].details.text && r.body.issue[0].diagnostics, `${method} ${path}: FR and EN messages`);
    }
    assert.equal(await countOrganizations(), before);
    const unknown = await call('GET', 'Organization/a/b/c/d/e');
    assert.equal(unknown.status, 404);
  });
});
