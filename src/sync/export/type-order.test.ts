import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestContext } from '../../store/context.ts';
import { ResourceStore } from '../../store/resource-store.ts';
import { describeWithDatabases } from '../../testing/suite.ts';
import { completedHealthcareService, legalEntity } from '../../validation/fixtures.ts';
import { largestFirst } from './type-order.ts';

await describeWithDatabases('export type order', (db) => {
  test('the largest tables first, ties in the given order', async () => {
    const setup: RequestContext = { actor: { id: 'test-setup', kind: 'system' }, source: 'cli', validation: 'lenient' };
    // Offers are large documents; a few legal entities are small.
    await new ResourceStore(db()).bulkPut([
      ...Array.from({ length: 300 }, (_, i) => ({ ...completedHealthcareService(), id: `order-hs-${i}` })),
      ...Array.from({ length: 3 }, (_, i) => ({ ...legalEntity(), id: `order-ej-${i}` })),
    ], setup);
    const order = await largestFirst(db(), ['Organization', 'Location', 'HealthcareService', 'Task']);
    assert.equal(order[0], 'HealthcareService');
    assert.equal(order[1], 'Organization');
    assert.deepEqual(new Set(order), new Set(['Organization', 'Location', 'HealthcareService', 'Task']));
    assert.deepEqual(await largestFirst(db(), ['Location']), ['Location']);
  });
});
