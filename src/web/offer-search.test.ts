import assert from 'node:assert/strict';
import { test } from 'node:test';
import { radiusSteps, scoreOf, textPatterns, type Candidate } from './offer-search.ts';

const candidate = (over: Partial<Candidate>): Candidate => ({
  id: 'x', locationId: 'l', km: 5, zoneMatch: false, field: '05', homeVisit: false,
  availablePlaces: 0, relevance: 1, lastUpdated: '2026-01-01T00:00:00Z', ...over,
});

test('the radius widens 10 → 20 → 30 → 50 km from the requested one, or stays when widening is off', () => {
  assert.deepEqual(radiusSteps(10, true), [10, 20, 30, 50]);
  assert.deepEqual(radiusSteps(5, true), [5, 10, 20, 30, 50]);
  assert.deepEqual(radiusSteps(30, true), [30, 50]);
  assert.deepEqual(radiusSteps(80, true), [80]);
  assert.deepEqual(radiusSteps(10, false), [10]);
});

test('score: nearer beats farther, availability breaks ties, an intervention zone counts as at the door', () => {
  const near = scoreOf(candidate({ km: 1 }), 10);
  const far = scoreOf(candidate({ km: 9 }), 10);
  assert.ok(near > far);
  assert.ok(scoreOf(candidate({ km: 5, availablePlaces: 2 }), 10) > scoreOf(candidate({ km: 5 }), 10));
  assert.equal(scoreOf(candidate({ km: null, zoneMatch: true }), 10), 0.745);
  assert.ok(scoreOf(candidate({ km: 0.4, zoneMatch: true }), 10) > scoreOf(candidate({ km: 15, zoneMatch: true }), 10), 'in the zone, nearer first');
  assert.ok(scoreOf(candidate({ km: 15, zoneMatch: true }), 10) > scoreOf(candidate({ km: 5 }), 10), 'a zone covering the commune beats a place halfway');
  assert.ok(scoreOf(candidate({ relevance: 0.2, km: 0 }), 10) < scoreOf(candidate({ relevance: 1, km: 8 }), 10), 'relevance weighs most');
});

test('free text becomes accent-free word patterns, short words dropped', () => {
  assert.deepEqual(textPatterns('Kinésithérapie à domicile'), ['%kinesitherapie%', '%domicile%']);
  assert.deepEqual(textPatterns(''), []);
  assert.deepEqual(textPatterns(undefined), []);
});
