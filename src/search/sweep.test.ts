/**
 * Every registered parameter of every type, with a value of its type and each modifier it
 * accepts, compiles to SQL that runs: the answer is a Bundle or a 400 naming the parameter, never
 * an SQL error. Catches SQL generation mistakes on parameters no other test uses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FhirError } from '../fhir/outcome.ts';
import { RESOURCE_TYPES } from '../fhir/resource-types.ts';
import { SYSTEM_CONTEXT } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { createSearchEngine } from './engine.ts';
import { createSearchIndexer } from './indexer.ts';
import { searchParamRegistry } from './registry/registry.ts';
import { buildYvelinesFixture } from './testing/yvelines-fixture.ts';

const VALUES: Record<string, string[]> = {
  token: ['01', 'http://x|01', '|01', 'http://x|'],
  string: ['ver'],
  reference: ['Organization/eg-1', 'eg-1'],
  date: ['ge2020-01-01', 'eq2024-03', 'ap2024-03-10T10:00:00Z'],
  number: ['gt0', '3', 'ap10'],
  quantity: ['le10', '5|http://unitsofmeasure.org|a'],
  uri: ['http://example.org/x'],
  special: ['48.8|2.1|5|km'],
};
const MODIFIERS: Record<string, string[]> = {
  token: ['', ':not', ':missing', ':text'],
  string: ['', ':exact', ':contains', ':missing'],
  reference: ['', ':missing'],
  date: ['', ':missing'],
  number: ['', ':missing'],
  quantity: ['', ':missing'],
  uri: ['', ':below', ':above', ':missing'],
  special: [''],
};

await describeWithDatabases('search parameter sweep', (db) => {
  test('every parameter × modifier runs or answers 400', async () => {
    const fx = await buildYvelinesFixture(5);
    const store = new ResourceStore(db(), { indexers: [createSearchIndexer()] });
    for (const r of fx.resources) await store.update(r, SYSTEM_CONTEXT);
    const engine = createSearchEngine(db());
    let ran = 0;
    for (const type of RESOURCE_TYPES) {
      for (const p of searchParamRegistry().all(type)) {
        if (p.special === 'content' || p.special === 'near-insee-code') continue;
        for (const mod of MODIFIERS[p.type] ?? ['']) {
          const values = mod === ':missing' ? ['true', 'false'] : p.special === 'id' ? ['x,y'] : VALUES[p.type];
          for (const v of values) {
            try {
              const b = await engine.search({ resourceType: type, params: [[p.code + mod, v], ['_sort', '_lastUpdated']], baseUrl: 'http://x', ctx: SYSTEM_CONTEXT });
              assert.equal(b.type, 'searchset');
              ran++;
            } catch (err) {
              assert.ok(err instanceof FhirError && err.status === 400, `${type}?${p.code}${mod}=${v}: ${(err as Error).message}`);
              assert.ok(err.issues[0].en.includes(p.code), `${type}?${p.code}${mod}=${v}: 400 names the parameter`);
            }
          }
        }
      }
    }
    assert.ok(ran > 500, `${ran} searches ran`);
  });
});
