import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SentKeys } from './sent-keys.ts';

test('remembers the most recently seen keys, up to its capacity', () => {
  const k = new SentKeys(2);
  k.committedBefore(10);
  assert.equal(k.sentOrAdd('a', 1), false);
  assert.equal(k.sentOrAdd('b', 1), false);
  assert.equal(k.sentOrAdd('a', 2), true); // a is now the most recent: b goes first
  assert.equal(k.sentOrAdd('c', 2), false);
  assert.equal(k.size, 2);
  assert.equal(k.sentOrAdd('a', 3), true);
  assert.equal(k.sentOrAdd('b', 3), false); // forgotten: sent again
});

test('never forgets a key whose batch may be uncommitted', () => {
  const k = new SentKeys(1);
  k.sentOrAdd('a', 0);
  k.sentOrAdd('b', 1);
  k.sentOrAdd('c', 1);
  assert.equal(k.size, 3); // batches 0 and 1 in flight
  assert.equal(k.sentOrAdd('a', 2), true);
  k.committedBefore(1); // batch 0 done: 'a' was seen again since, 'b' is the oldest but still in flight
  assert.equal(k.size, 3);
  k.committedBefore(2);
  assert.equal(k.size, 1);
  assert.equal(k.sentOrAdd('b', 2), false);
});
