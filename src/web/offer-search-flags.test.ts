/**
 * The coordinator search reads "inactive" and "declares a closure" from columns (migration 096) instead of each
 * offer's JSON: the columns must follow the document through updates.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { PLACES, TEST_CONTEXT, writeTestOffers } from './test-offers.ts';

await describeWithDatabases('coordinator search: inactive and temporarily closed offers', (db) => {
  let server: TestServer;
  let headers: Record<string, string>;
  const search = async (qs: string) => {
    const res = await server.app.inject({ method: 'GET', url: `/api/search?${qs}`, headers });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { results: { id: string; capacity?: { availablePlaces: number } }[]; facets: { available: number } };
  };
  const smr = `commune=${PLACES.mantes.code}&field=02&radius=30&widen=false`;

  before(async () => {
    server = await startTestServer(db());
    await writeTestOffers(server.services.store);
    headers = await server.adminHeaders();
  });
  after(async () => server?.close());

  test('an offer made inactive leaves the results, and comes back when active again', async () => {
    assert.ok((await search(smr)).results.some((r) => r.id === 'hs-smr-mantes'));
    const stored = await server.services.store.read('HealthcareService', 'hs-smr-mantes');
    await server.services.store.update({ ...stored.resource, active: false }, TEST_CONTEXT);
    assert.ok(!(await search(smr)).results.some((r) => r.id === 'hs-smr-mantes'));
    await server.services.store.update({ ...stored.resource, active: true }, TEST_CONTEXT);
    assert.ok((await search(smr)).results.some((r) => r.id === 'hs-smr-mantes'));
  });

  test('a closure now takes the room away; a closure in the future does not', async () => {
    const before = await search(smr);
    assert.equal(before.results.find((r) => r.id === 'hs-smr-mantes')?.capacity?.availablePlaces, 3);
    const stored = await server.services.store.read('HealthcareService', 'hs-smr-mantes');
    const closeDuring = (start: string, end: string) => server.services.store.update({
      ...stored.resource, active: true,
      notAvailable: [{ id: 'closingReopeningDate', description: 'Travaux', during: { start, end } }],
    }, TEST_CONTEXT);
    await closeDuring('2020-01-01', '2999-01-01');
    const closed = await search(smr);
    assert.equal(closed.results.find((r) => r.id === 'hs-smr-mantes')?.capacity?.availablePlaces, 0);
    assert.equal(closed.facets.available, before.facets.available - 1);
    assert.ok(!(await search(`${smr}&available=true`)).results.some((r) => r.id === 'hs-smr-mantes'));
    await closeDuring('2998-01-01', '2999-01-01');
    assert.equal((await search(smr)).results.find((r) => r.id === 'hs-smr-mantes')?.capacity?.availablePlaces, 3);
  });
});
