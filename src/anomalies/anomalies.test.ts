import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Bundle, Resource } from '../fhir/types.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { TEST_CONTEXT, writeTestOffers } from '../web/test-offers.ts';
import { INPUT_SYSTEM, STATUS_SYSTEM, THEME_SYSTEM, ACTION_SYSTEM } from './codes.ts';

const org = (id: string, name: string, partOf?: string): Resource => ({
  resourceType: 'Organization', id, name, active: true,
  meta: { tag: [{ system: 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM', code: '11' }] },
  ...(partOf ? { partOf: { reference: `Organization/${partOf}` } } : {}),
});

/** A consumer's report as the IG's example writes it (no owner: the server routes it). */
const fhirTask = (focus: string, status = '02'): Resource => ({
  resourceType: 'Task',
  meta: { profile: ['https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-task'] },
  status: 'in-progress',
  businessStatus: { coding: [{ system: STATUS_SYSTEM, code: status }] },
  intent: 'order',
  code: { coding: [{ system: THEME_SYSTEM, code: '06' }] },
  description: 'Le numéro de téléphone ne répond plus',
  focus: { reference: focus },
  authoredOn: '2026-11-20',
  lastModified: '2026-11-20',
  reasonCode: { coding: [{ system: ACTION_SYSTEM, code: 'COR' }] },
  input: [
    { type: { coding: [{ system: INPUT_SYSTEM, code: 'systemRequester' }] }, valueString: 'Via Trajectoire' },
    { type: { coding: [{ system: INPUT_SYSTEM, code: 'proposedValue' }] }, valueString: '01 30 00 00 00' },
  ],
});

await describeWithDatabases('anomaly reports (ROR Task): routing, search, follow-up', (db) => {
  let server: TestServer;
  let admin: Record<string, string>;
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  const fhir = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };

  before(async () => {
    process.env.ROR_ANOMALY_ANONYMOUS_LIMIT = '2';
    server = await startTestServer(db());
    delete process.env.ROR_ANOMALY_ANONYMOUS_LIMIT;
    await writeTestOffers(server.services.store);
    // A legal entity, its site and an internal unit providing an offer: reports on the offer go to the site.
    for (const r of [org('ej-anomalies', 'Groupe hospitalier'), org('eg-anomalies', 'Hôpital de Mantes', 'ej-anomalies'), org('oi-anomalies', 'Service de cardiologie', 'eg-anomalies')]) {
      await server.services.store.update(r, TEST_CONTEXT);
    }
    await server.services.store.update({
      resourceType: 'HealthcareService', id: 'hs-cardio-anomalies', name: 'Consultations de cardiologie', providedBy: { reference: 'Organization/oi-anomalies' },
    }, TEST_CONTEXT);
    admin = await server.adminHeaders();
  });
  after(async () => {
    await server?.close();
  });

  test('a consumer application POSTs a Task over FHIR: routed to the site of the offer, searchable with _has:Task:focus:business-status', async () => {
    const app = await server.appHeaders(1);
    const res = await fetch(`${server.fhirBase}/Task`, { method: 'POST', headers: { ...app, ...fhir }, body: JSON.stringify(fhirTask('HealthcareService/hs-cardio-anomalies')) });
    assert.equal(res.status, 201, await res.clone().text());
    const task = (await res.json()) as Resource;
    assert.deepEqual(task.owner, { reference: 'Organization/eg-anomalies', type: 'Organization' }, 'owner = the EG above the internal unit');
    assert.equal(task.meta?.tag?.[0]?.code, '11', 'the offer carries no région tag: the site’s one');

    const search = async (status: string) => {
      const q = new URLSearchParams({ '_has:Task:focus:business-status': `${STATUS_SYSTEM}|${status}` });
      const r = await fetch(`${server.fhirBase}/HealthcareService?${q}`, { headers: { ...admin, accept: 'application/fhir+json' } });
      assert.equal(r.status, 200);
      return ((await r.json()) as Bundle).entry?.map((e) => e.resource!.id) ?? [];
    };
    assert.deepEqual(await search('02'), ['hs-cardio-anomalies']);
    assert.deepEqual(await search('08'), []);

    // The site's referent sees it, marks it corrected; the search follows.
    const referent = await server.userHeaders({ email: 'ref-eg@test.ror', role: 'referent', organizations: ['eg-anomalies'] });
    const list = await fetch(`${server.origin}/api/anomalies`, { headers: { ...referent, accept: 'application/json' } });
    assert.equal(list.status, 200);
    const body = (await list.json()) as { anomalies: { id: string; focus: { name: string }; owner: { name: string }; proposedValue: string; status: { code: string } }[] };
    assert.deepEqual(body.anomalies.map((a) => a.id), [task.id]);
    assert.equal(body.anomalies[0].focus.name, 'Consultations de cardiologie');
    assert.equal(body.anomalies[0].owner.name, 'Hôpital de Mantes');
    assert.equal(body.anomalies[0].proposedValue, '01 30 00 00 00');

    const patched = await fetch(`${server.origin}/api/anomalies/${task.id}`, { method: 'PATCH', headers: { ...referent, ...json }, body: JSON.stringify({ status: '08' }) });
    assert.equal(patched.status, 200, await patched.clone().text());
    assert.equal(((await patched.json()) as { status: { display: string } }).status.display, 'Corrigé');
    assert.deepEqual(await search('08'), ['hs-cardio-anomalies']);
    assert.deepEqual(await search('02'), []);
    const stored = await server.services.store.read('Task', task.id!);
    assert.equal(stored.resource.status, 'completed');
    // Closed reports leave the default (open) list, stay in `all`.
    const open = (await (await fetch(`${server.origin}/api/anomalies`, { headers: referent })).json()) as { anomalies: unknown[] };
    assert.equal(open.anomalies.length, 0);
    const all = (await (await fetch(`${server.origin}/api/anomalies?status=all`, { headers: referent })).json()) as { anomalies: unknown[] };
    assert.equal(all.anomalies.length, 1);
  });

  test('another structure’s referent neither sees nor changes the report; platform statuses are refused to referents', async () => {
    const app = await server.appHeaders(1);
    const task = (await (await fetch(`${server.fhirBase}/Task`, { method: 'POST', headers: { ...app, ...fhir }, body: JSON.stringify(fhirTask('Organization/org-ime-poissy')) })).json()) as Resource;
    assert.equal((task.owner as { reference: string }).reference, 'Organization/org-ime-poissy');
    const other = await server.userHeaders({ email: 'ref-other@test.ror', role: 'referent', organizations: ['org-smr-mantes'] });
    const list = (await (await fetch(`${server.origin}/api/anomalies?status=all`, { headers: other })).json()) as { anomalies: { id: string }[] };
    assert.ok(!list.anomalies.some((a) => a.id === task.id));
    const refused = await fetch(`${server.origin}/api/anomalies/${task.id}`, { method: 'PATCH', headers: { ...other, ...json }, body: JSON.stringify({ status: '08' }) });
    assert.equal(refused.status, 403);
    const mine = await server.userHeaders({ email: 'ref-ime@test.ror', role: 'referent', organizations: ['org-ime-poissy'] });
    const platform = await fetch(`${server.origin}/api/anomalies/${task.id}`, { method: 'PATCH', headers: { ...mine, ...json }, body: JSON.stringify({ status: '05' }) });
    assert.equal(platform.status, 403);
    // The referent may also follow up over FHIR (PATCH of the business status).
    const ok = await fetch(`${server.fhirBase}/Task/${task.id}`, {
      method: 'PATCH', headers: { ...mine, 'content-type': 'application/json-patch+json', accept: 'application/fhir+json' },
      body: JSON.stringify([{ op: 'replace', path: '/businessStatus/coding/0/code', value: '09' }]),
    });
    assert.equal(ok.status, 200, await ok.clone().text());
  });

  test('the web app: anonymous report without personal data, limited per address; a signed-in report names the account only', async () => {
    const report = { focus: 'HealthcareService/hs-kine-limay', theme: '06', action: 'COR', description: 'Le cabinet a déménagé', path: 'HealthcareService.location', proposedValue: '3 rue de Paris, Limay' };
    const first = await fetch(`${server.origin}/api/anomalies`, { method: 'POST', headers: json, body: JSON.stringify(report) });
    assert.equal(first.status, 201, await first.clone().text());
    const created = (await first.json()) as { id: string; routed: boolean; status: { code: string } };
    assert.equal(created.routed, true);
    assert.equal(created.status.code, '02');
    const t = (await server.services.store.read('Task', created.id)).resource;
    assert.equal((t.owner as { reference: string }).reference, 'Organization/org-cabinet-limay');
    const inputs = (t.input as { type: { coding: { code: string }[] } }[]).map((i) => i.type.coding[0].code);
    assert.deepEqual(inputs, ['systemRequester', 'pathElementError', 'proposedValue'], 'no requester identifier for an anonymous visitor');
    assert.equal((await fetch(`${server.origin}/api/anomalies`, { method: 'POST', headers: json, body: JSON.stringify(report) })).status, 201);
    const limited = await fetch(`${server.origin}/api/anomalies`, { method: 'POST', headers: json, body: JSON.stringify(report) });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);

    const pro = await server.userHeaders({ email: 'coord@test.ror', role: 'referent', organizations: ['org-sf-mantes'] });
    const signed = await fetch(`${server.origin}/api/anomalies`, { method: 'POST', headers: { ...pro, ...json }, body: JSON.stringify(report) });
    assert.equal(signed.status, 201, 'signed-in people are not limited by the anonymous quota');
    const st = (await server.services.store.read('Task', ((await signed.json()) as { id: string }).id)).resource;
    assert.equal((st.input as { valueIdentifier?: { system: string } }[]).find((i) => i.valueIdentifier)?.valueIdentifier?.system, 'urn:ror:compte');

    const bad = await fetch(`${server.origin}/api/anomalies`, { method: 'POST', headers: { ...pro, ...json }, body: JSON.stringify({ ...report, theme: '99' }) });
    assert.equal(bad.status, 400);
    const unknown = await fetch(`${server.origin}/api/anomalies`, { method: 'POST', headers: { ...pro, ...json }, body: JSON.stringify({ ...report, focus: 'HealthcareService/nope' }) });
    assert.equal(unknown.status, 404);
    assert.equal((await fetch(`${server.origin}/api/anomalies`)).status, 401, 'the list needs a signed-in person');
    const adminList = (await (await fetch(`${server.origin}/api/anomalies?status=all`, { headers: admin })).json()) as { anomalies: unknown[] };
    assert.ok(adminList.anomalies.length >= 4);
  });
  test('Tasks inside transaction and batch Bundles are routed at write time, as alone', async () => {
    // A transaction creates a legal entity, its site and a report on the site, linked by urn:uuid placeholders;
    // the Task comes first in the Bundle: the server still routes it once its focus exists.
    const ej = 'urn:uuid:0d6c1a52-8f0e-4c1e-9a51-1f7e7f4c0001';
    const eg = 'urn:uuid:0d6c1a52-8f0e-4c1e-9a51-1f7e7f4c0002';
    const { id: _a, ...ejOrg } = org('x', 'Groupe hospitalier du Vexin');
    const { id: _b, ...egOrg } = org('x', 'Hôpital de Magny');
    const transaction = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:0d6c1a52-8f0e-4c1e-9a51-1f7e7f4c0003', resource: fhirTask(eg), request: { method: 'POST', url: 'Task' } },
        { fullUrl: ej, resource: ejOrg, request: { method: 'POST', url: 'Organization' } },
        { fullUrl: eg, resource: { ...egOrg, partOf: { reference: ej } }, request: { method: 'POST', url: 'Organization' } },
      ],
    };
    const tr = await fetch(server.fhirBase, { method: 'POST', headers: { ...admin, ...fhir }, body: JSON.stringify(transaction) });
    assert.equal(tr.status, 200, await tr.clone().text());
    const trEntries = ((await tr.json()) as Bundle).entry!;
    const egId = trEntries[2].response!.location!.split('/')[1];
    const trTask = (await server.services.store.read('Task', trEntries[0].response!.location!.split('/')[1])).resource;
    assert.deepEqual(trTask.owner, { reference: `Organization/${egId}`, type: 'Organization' }, 'owner = the new site, below its new EJ');
    assert.equal(trTask.meta?.tag?.[0]?.code, '11', 'région of the focus');

    // A batch by a consumer application: each report routed to the site of its focus; an owner given is kept.
    const app = await server.appHeaders(1);
    const batch = {
      resourceType: 'Bundle', type: 'batch',
      entry: [
        { resource: fhirTask('HealthcareService/hs-cardio-anomalies'), request: { method: 'POST', url: 'Task' } },
        { resource: fhirTask('Organization/org-ime-poissy'), request: { method: 'POST', url: 'Task' } },
        { resource: { ...fhirTask('HealthcareService/hs-cardio-anomalies'), owner: { reference: 'Organization/ej-anomalies' } }, request: { method: 'POST', url: 'Task' } },
      ],
    };
    const br = await fetch(server.fhirBase, { method: 'POST', headers: { ...app, ...fhir }, body: JSON.stringify(batch) });
    assert.equal(br.status, 200, await br.clone().text());
    const owners = [];
    for (const e of ((await br.json()) as Bundle).entry!) {
      assert.equal(e.response!.status, '201', JSON.stringify(e.response));
      owners.push(((await server.services.store.read('Task', e.response!.location!.split('/')[1])).resource.owner as { reference: string }).reference);
    }
    assert.deepEqual(owners, ['Organization/eg-anomalies', 'Organization/org-ime-poissy', 'Organization/ej-anomalies']);
    // The site's referent finds the batch's report in their list.
    const referent = await server.userHeaders({ email: 'ref-eg-batch@test.ror', role: 'referent', organizations: [egId] });
    const list = (await (await fetch(`${server.origin}/api/anomalies?status=all`, { headers: referent })).json()) as { anomalies: { id: string }[] };
    assert.deepEqual(list.anomalies.map((a) => a.id), [trTask.id]);
  });
});
