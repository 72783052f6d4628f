/**
 * The coordinator search runs in one statement (src/web/offer-search.ts): ranking, radius, totals and facets are
 * computed by the database. Checked here against independent definitions: `scoreOf` for the ranking, and, for the
 * drill-down facets, the totals of the searches that pick each facet value.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { scoreOf, searchOffers, type OfferQuery } from './offer-search.ts';
import { PLACES, writeTestOffers } from './test-offers.ts';

const query = (over: Partial<OfferQuery> = {}): OfferQuery => ({
  lat: PLACES.mantes.lat, lon: PLACES.mantes.lon, commune: PLACES.mantes.code, radiusKm: 50, widen: false, minResults: 1,
  activity: [], profession: [], careMode: [], field: [], publicType: [], homeVisit: false, available: false,
  limit: 200, offset: 0, ...over,
});

await describeWithDatabases('coordinator search statement: ranking, paging and drill-down facets', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(db());
    await writeTestOffers(server.services.store);
  });
  after(async () => server?.close());

  test('the page follows scoreOf, the reference ranking, and carries each offer\'s score', async () => {
    const out = await searchOffers(db(), query());
    assert.ok(out.page.length >= 5, `several offers within 50 km of Mantes (${out.page.length})`);
    assert.equal(out.total, out.page.length);
    for (const c of out.page) assert.equal(c.score, scoreOf(c, out.radiusKm), c.id);
    for (let i = 1; i < out.page.length; i++) {
      const [a, b] = [out.page[i - 1], out.page[i]];
      assert.ok(a.score > b.score || (a.score === b.score && (a.km ?? 0) <= (b.km ?? 0)), `${a.id} before ${b.id}`);
    }
  });

  test('pages of 2 put end to end give the whole ranking, without repeats', async () => {
    const whole = await searchOffers(db(), query());
    const ids: string[] = [];
    for (let offset = 0; offset < whole.total; offset += 2) {
      const page = await searchOffers(db(), query({ limit: 2, offset }));
      assert.equal(page.total, whole.total);
      ids.push(...page.page.map((c) => c.id));
    }
    assert.deepEqual(ids, whole.page.map((c) => c.id));
  });

  test('each facet is counted under the other filters, not its own: its counts are the totals of picking each value', async () => {
    const all = await searchOffers(db(), query());
    assert.ok(all.facets.field.length >= 2, 'offers of several fields near Mantes');
    for (const f of all.facets.field) assert.equal((await searchOffers(db(), query({ field: [f.code] }))).total, f.count, `field ${f.code}`);

    // Picking a field keeps the other fields on offer, with the same counts; the other facets follow the pick.
    let checked = 0;
    for (const { code: picked } of all.facets.field) {
      const narrowed = await searchOffers(db(), query({ field: [picked] }));
      assert.deepEqual(narrowed.facets.field, all.facets.field);
      for (const m of narrowed.facets.careMode) {
        assert.equal((await searchOffers(db(), query({ field: [picked], careMode: [m.code] }))).total, m.count, `${picked}: care mode ${m.code}`);
        checked++;
      }
      for (const p of narrowed.facets.publicType) {
        assert.equal((await searchOffers(db(), query({ field: [picked], publicType: [p.code] }))).total, p.count, `${picked}: public ${p.code}`);
        checked++;
      }
      assert.equal(narrowed.facets.homeVisit, (await searchOffers(db(), query({ field: [picked], homeVisit: true }))).total);
      assert.equal(narrowed.facets.available, (await searchOffers(db(), query({ field: [picked], available: true }))).total);
    }
    assert.ok(checked >= 4, `care mode and public facet values checked: ${checked}`);
  });

  test('an unseen capacity counts as none: no availability facet, filter or ranking bonus for anonymous callers', async () => {
    const seen = await searchOffers(db(), query());
    assert.ok(seen.facets.available > 0, 'some offers have room');
    const hidden = await searchOffers(db(), query({ capacityAccess: 'none' }));
    assert.equal(hidden.facets.available, 0);
    assert.ok(hidden.page.every((c) => c.availablePlaces === 0));
    const medicoSocial = await searchOffers(db(), query({ capacityAccess: 'medico-social' }));
    assert.ok(medicoSocial.page.every((c) => c.availablePlaces === 0 || c.field === '04'));
  });
});
