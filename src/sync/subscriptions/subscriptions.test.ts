// rest-hook Subscriptions through the real server, on both engines: a local receiver that fails
// the first attempts gets every change of the matching resources, in order, with the channel's
// headers; an endpoint that keeps failing ends in the dead letters, visible to administrators.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { REGION_TAG_SYSTEM } from '../../fhir/resource-types.ts';
import type { Resource } from '../../fhir/types.ts';
import type { RequestContext } from '../../store/context.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { describeWithDatabases } from '../../testing/suite.ts';
import { legalEntity } from '../../validation/fixtures.ts';

const SETUP: RequestContext = { actor: { id: 'test-setup', kind: 'system' }, source: 'cli', validation: 'lenient' };

interface Received { method: string; url: string; auth?: string; versionId?: string; status: number }

await describeWithDatabases('rest-hook subscriptions', (db) => {
  let server: TestServer;
  let receiver: http.Server;
  let base = '';
  const received: Received[] = [];
  let failuresLeft = 2;
  const saved = { ...process.env };

  before(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        const fail = req.url!.startsWith('/broken') || failuresLeft-- > 0;
        const versionId = body ? (JSON.parse(body) as Resource).meta?.versionId : undefined;
        received.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, versionId, status: fail ? 503 : 200 });
        res.writeHead(fail ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    Object.assign(process.env, { ROR_SUBSCRIPTION_POLL_MS: '100', ROR_SUBSCRIPTION_RETRY_MS: '100', ROR_SUBSCRIPTION_MAX_ATTEMPTS: '3' });
    server = await startTestServer(db());
  });
  after(async () => {
    process.env = saved;
    await server.close();
    await new Promise((r) => receiver.close(r));
  });

  async function subscribe(endpoint: string): Promise<string> {
    const res = await fetch(`${server.fhirBase}/Subscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', ...(await server.adminHeaders()) },
      body: JSON.stringify({
        resourceType: 'Subscription', status: 'requested', reason: 'Structures d\'Île-de-France',
        criteria: `Organization?_tag=${REGION_TAG_SYSTEM}|11`,
        channel: { type: 'rest-hook', endpoint, payload: 'application/fhir+json', header: ['Authorization: Bearer receiver-secret'] },
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as Resource).id!;
  }
  async function waitFor(what: () => boolean | Promise<boolean>, label: string, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}: ${JSON.stringify(received)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('every change of a matching resource arrives once, in order, after the endpoint\'s failures', async () => {
    await subscribe(`${base}/hook`);
    const store = server.services.store;
    const org = (id: string, region: string): Resource => ({ ...legalEntity(), id, identifier: [], meta: { tag: [{ system: REGION_TAG_SYSTEM, code: region }] } });
    const v1 = await store.update(org('ej-idf', '11'), SETUP);
    await store.update(org('ej-ara', '84'), SETUP);
    await store.update({ ...v1.resource, name: 'EJ IDF (2)' }, SETUP);
    await store.update({ ...v1.resource, name: 'EJ IDF (3)' }, SETUP);
    await store.delete('Organization', 'ej-idf', SETUP);
    const ok = () => received.filter((r) => r.url.startsWith('/hook') && r.status === 200);
    await waitFor(() => ok().length >= 4, 'four notifications');
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(ok().map((r) => `${r.method} ${r.url} ${r.versionId ?? ''}`), [
      'PUT /hook/Organization/ej-idf 1', 'PUT /hook/Organization/ej-idf 2', 'PUT /hook/Organization/ej-idf 3', 'DELETE /hook/Organization/ej-idf ',
    ]);
    const hook = received.filter((r) => r.url.startsWith('/hook'));
    assert.deepEqual(hook.slice(0, 3).map((r) => [r.status, r.versionId]), [[503, '1'], [503, '1'], [200, '1']]);
    assert.ok(hook.every((r) => r.auth === 'Bearer receiver-secret'));
  });

  test('an endpoint that keeps failing: the change goes to the dead letters, shown to administrators only', async () => {
    const id = await subscribe(`${base}/broken`);
    const store = server.services.store;
    await store.update({ ...legalEntity(), id: 'ej-idf-2', identifier: [], meta: { tag: [{ system: REGION_TAG_SYSTEM, code: '11' }] } }, SETUP);
    const url = `${server.fhirBase}/Subscription/${id}/$dead-letters`;
    let letters: { resourceType: string; id: string; versionId: number; attempts: number; error: string }[] = [];
    await waitFor(async () => {
      letters = await (await fetch(url, { headers: await server.adminHeaders() })).json() as typeof letters;
      return letters.length > 0;
    }, 'a dead letter');
    assert.deepEqual(letters.map((l) => [l.resourceType, l.id, l.versionId, l.attempts, l.error]), [['Organization', 'ej-idf-2', 1, 3, 'HTTP 503']]);
    assert.equal(received.filter((r) => r.url === '/broken/Organization/ej-idf-2').length, 3);
    assert.equal((await fetch(url, { headers: await server.appHeaders(1) })).status, 403);
  });
});
