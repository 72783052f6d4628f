import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureResources } from './test-structure.ts';
import { capacitiesOf, closedAt, closureOf, withCapacity, withClosure } from './capacity.ts';
import { confirmationDateOf, confirmed } from './confirmation.ts';
import { isStale, staleAfterDays } from './freshness.ts';
import { verificationStatusOf } from '../ingest/verification-status.ts';

const place = () => structuredClone(fixtureResources().find((r) => r.id === 'lieu-clos-aj')!);
const offer = () => structuredClone(fixtureResources().find((r) => r.id === 'offre-clos-hp')!);

test('a quick update changes the matching current record in place and stamps its update date', () => {
  const at = new Date('2026-11-23T10:00:00Z');
  const next = withCapacity(place(), { type: '02', status: '02', count: 4 }, at);
  const caps = capacitiesOf(next);
  assert.equal(caps.length, 2, 'no record added');
  assert.deepEqual(caps.find((c) => c.status === '02'), { type: '02', status: '02', temporality: '01', count: 4, updatedAt: at.toISOString() });
  assert.equal(caps.find((c) => c.status === '01')!.updatedAt, '2026-11-20T08:00:00+01:00', 'the installed record untouched');
  assert.equal(capacitiesOf(place()).find((c) => c.status === '02')!.count, 0, 'the input is not modified');
});

test('a quick update of a nature the place has no record for adds a complete record (the 7 mandatory sub-extensions)', () => {
  const next = withCapacity(place(), { type: '01', status: '02', count: 2 });
  const added = (next.extension as { url: string; extension?: { url: string }[] }[]).at(-1)!;
  assert.deepEqual(added.extension!.map((e) => e.url).sort(),
    ['capacitySourceType', 'capacityStatus', 'capacityType', 'capacityUpdateDate', 'nbCapacity', 'temporalityCapacity', 'temporaryAssignement']);
  assert.equal(capacitiesOf(next).length, 3);
});

test('temporary closure: closed between its dates, reopened removes it', () => {
  const closed = withClosure(offer(), { from: '2026-11-01', until: '2026-12-01', reason: 'Travaux' });
  assert.deepEqual(closureOf(closed), { from: '2026-11-01', until: '2026-12-01', description: 'Travaux' });
  assert.equal(closedAt(closed, new Date('2026-11-15T00:00:00Z')), true);
  assert.equal(closedAt(closed, new Date('2026-12-02T00:00:00Z')), false);
  assert.equal(closedAt(closed, new Date('2026-10-31T00:00:00Z')), false);
  const reopened = withClosure(closed, null);
  assert.equal(reopened.notAvailable, undefined);
  assert.equal(closedAt(reopened), false);
});

test('confirmation sets the status and replaces the date; freshness threshold from the environment', () => {
  const once = confirmed(offer(), new Date('2026-01-01T00:00:00Z'));
  const twice = confirmed(once, new Date('2026-06-01T00:00:00Z'));
  assert.equal(verificationStatusOf(twice), 'verifie');
  assert.equal(confirmationDateOf(twice), '2026-06-01T00:00:00.000Z');
  assert.equal((twice.extension as { url: string }[]).filter((e) => e.url === 'urn:ror:date-confirmation').length, 1);
  assert.equal(staleAfterDays({}), 183);
  assert.equal(staleAfterDays({ ROR_STALE_AFTER_DAYS: '30' }), 30);
  assert.throws(() => staleAfterDays({ ROR_STALE_AFTER_DAYS: 'six mois' }), /ROR_STALE_AFTER_DAYS/);
  const now = new Date('2026-11-23T00:00:00Z');
  assert.equal(isStale('2026-05-01T00:00:00Z', 183, now), true);
  assert.equal(isStale('2026-06-01T00:00:00Z', 183, now), false);
});
