/**
 * Conformance over HTTP with a FHIR client library this project did not write (fhir-kit-client):
 * the IG's example queries (ror-ig.md §3) against the running server, checking the searchset
 * Bundle shape, totals, entry modes, distances and the paging links the client follows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from 'fhir-kit-client';
import type { Bundle } from '../fhir/types.ts';
import { SYSTEM_CONTEXT } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { DISTANCE_URL } from './bundle/searchset.ts';
import { createSearchIndexer } from './indexer.ts';
import { buildYvelinesFixture, SYS, type Fixture } from './testing/yvelines-fixture.ts';

const INCLUDES = {
  _include: ['HealthcareService:organization', 'HealthcareService:location', 'PractitionerRole:practitioner'],
  '_include:iterate': 'Organization:partof',
  _revinclude: 'PractitionerRole:service',
};

await describeWithDatabases('search conformance over HTTP (fhir-kit-client)', (db) => {
  let server: TestServer;
  let client: Client;
  let fx: Fixture;

  before(async () => {
    server = await startTestServer(db());
    client = new Client({ baseUrl: server.fhirBase, customHeaders: await server.adminHeaders() });
    fx = await buildYvelinesFixture(12);
    // Written straight through a store with the search indexer (the fixture is not profile-complete).
    const store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
    for (const r of fx.resources) await store.update(r, SYSTEM_CONTEXT);
  });
  after(async () => server.close());

  const search = async (resourceType: string, searchParams: Record<string, string | string[]>) =>
    (await client.search({ resourceType, searchParams })) as unknown as Bundle;
  const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match');

  test('offer by activity with the standard include set (§3.2 S3 / §3.3)', async () => {
    const row = fx.rows[0];
    const b = await search('HealthcareService', { identifier: `78-${row.nofinesset}-1`, ...INCLUDES });
    assert.equal(b.type, 'searchset');
    assert.equal(b.total, 1);
    assert.equal(matches(b)[0].fullUrl, `${server.fhirBase}/HealthcareService/hs-${row.nofinesset}`);
    const included = (b.entry ?? []).filter((e) => e.search?.mode === 'include').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
    assert.deepEqual(included, [`Location/loc-${row.nofinesset}`, `Organization/eg-${row.nofinesset}`, `Organization/ej-${row.nofinessej}`].sort());
  });

  test('proximity: location.near-insee-code with distances on the included places (§3.3)', async () => {
    const cog = fx.communes.get(fx.rows[0].nofinesset)!.cog;
    const b = await search('HealthcareService', { 'location.near-insee-code': `${cog}|20|km`, _include: 'HealthcareService:location' });
    assert.ok(b.total! > 0);
    const places = (b.entry ?? []).filter((e) => e.search?.mode === 'include');
    assert.equal(places.length, b.total);
    for (const p of places) {
      const ext = p.search!.extension![0] as { url: string; valueDistance: { value: number; code: string } };
      assert.equal(ext.url, DISTANCE_URL);
      assert.ok(ext.valueDistance.value <= 20 && ext.valueDistance.code === 'km');
    }
  });

  test('capacity search (§3.4) and incremental _lastUpdated (§3.1) with region tag', async () => {
    const b = await search('HealthcareService', {
      'location.capacity-status': `${SYS.capacityStatus}|02`, 'location.nb-capacity': 'gt0', _include: 'HealthcareService:location',
    });
    assert.equal(b.type, 'searchset');
    assert.equal(typeof b.total, 'number');
    const inc = await search('Location', { _lastUpdated: 'ge2023-08-02', _tag: `${SYS.region}|11`, _revinclude: 'HealthcareService:location' });
    assert.equal(inc.total, fx.rows.length);
  });

  test('paging: the client follows next links through every match once, 200 max per page', async () => {
    let b = await search('Organization', { _count: '5' });
    const total = b.total!;
    const seen = matches(b).map((e) => e.resource!.id);
    while (b.link?.some((l) => l.relation === 'next')) {
      b = (await client.nextPage({ bundle: b as never })) as unknown as Bundle;
      assert.ok(matches(b).length <= 5);
      assert.ok(b.link!.some((l) => l.relation === 'previous'));
      seen.push(...matches(b).map((e) => e.resource!.id));
    }
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total);
    const big = await search('Organization', { _count: '1000' });
    assert.equal(matches(big).length, Math.min(total, 200));
  });

  test('POST _search and bad queries answer a 400 OperationOutcome naming the parameter', async () => {
    const res = await fetch(`${server.fhirBase}/HealthcareService/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/fhir+json', ...(await server.adminHeaders()) },
      body: new URLSearchParams({ 'organization.identifier': fx.rows[1].nofinesset }).toString(),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Bundle).total, 1);
    for (const [name, value] of [['capacity-update-date', 'zz2024'], ['_filter', '((specialty eq 1)'], ['nope', '1']]) {
      await assert.rejects(search(name === 'capacity-update-date' ? 'Location' : 'HealthcareService', { [name]: value }), (err: { response?: { status?: number; data?: unknown } }) => {
        assert.equal(err.response?.status, 400);
        assert.match(JSON.stringify(err.response?.data), new RegExp(name.replace(/[_]/g, '_')));
        return true;
      });
    }
  });
});
