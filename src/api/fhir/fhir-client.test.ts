// A FHIR client library this project did not write (fhir-kit-client) drives the running server
// through the whole life of a resource.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, RESPONSE_KEY } from 'fhir-kit-client';
import { startTestServer, type TestServer } from '../../testing/server.ts';
import { describeWithDatabases } from '../../testing/suite.ts';

await describeWithDatabases('FHIR client library round trip', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(db());
  });
  after(async () => server.close());

  test('create → read → update with If-Match → history → delete → vread', async () => {
    const client = new Client({ baseUrl: server.fhirBase, customHeaders: await server.adminHeaders() });
    const created = (await client.create({
      resourceType: 'Organization',
      body: { resourceType: 'Organization', name: 'Centre de rééducation de Bonnières-sur-Seine' },
    })) as unknown as { id: string; meta: { versionId: string } };
    assert.equal(created.meta.versionId, '1');

    const read = (await client.read({ resourceType: 'Organization', id: created.id })) as unknown as { resourceType: 'Organization'; name: string };
    assert.equal(read.name, 'Centre de rééducation de Bonnières-sur-Seine');

    const updated = (await client.update({
      resourceType: 'Organization', id: created.id,
      body: { ...read, name: 'Centre de rééducation fonctionnelle de Bonnières' },
      options: { headers: { 'If-Match': 'W/"1"' } },
    })) as unknown as { meta: { versionId: string } };
    assert.equal(updated.meta.versionId, '2');

    await assert.rejects(
      client.update({
        resourceType: 'Organization', id: created.id, body: { ...read, name: 'perdu' },
        options: { headers: { 'If-Match': 'W/"1"' } },
      }),
      (err: { response?: { status?: number } }) => err.response?.status === 412,
    );

    const history = (await client.history({ resourceType: 'Organization', id: created.id })) as unknown as { type: string; entry: { resource: { meta: { versionId: string } } }[] };
    assert.equal(history.type, 'history');
    assert.deepEqual(history.entry.map((e) => e.resource.meta.versionId), ['2', '1']);

    const deleted = await client.delete({ resourceType: 'Organization', id: created.id });
    assert.equal((deleted as Record<string, Response>)[RESPONSE_KEY]?.status ?? 204, 204);
    await assert.rejects(client.read({ resourceType: 'Organization', id: created.id }), (err: { response?: { status?: number } }) => err.response?.status === 410);

    const v1 = (await client.vread({ resourceType: 'Organization', id: created.id, version: '1' })) as unknown as { name: string };
    assert.equal(v1.name, 'Centre de rééducation de Bonnières-sur-Seine');
  });
});
