import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Resource } from '../fhir/types.ts';
import type { Terminology } from '../terminology/terminology.ts';
import { capacityRecord, completedHealthcareService, errorsOf, example, legalEntity, practice, realTerminology } from './fixtures.ts';
import { validateResource } from './index.ts';

/** Whatever a client sends, validation answers with issues, never with an exception. */

let terminology: Terminology;
before(async () => {
  terminology = await realTerminology();
});

const GARBAGE: unknown[] = [42, 'x', true, null, [], {}, [null], [42], [{}], { coding: 'x' }, { extension: {} }, [{ extension: [null, 7, { url: 3 }] }], [{ coding: [{ system: 42, code: 7 }] }], { system: 1, code: 2 }];

/** Every path to an object or array inside the resource (capped), as key lists. */
function paths(node: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 400 || node === null || typeof node !== 'object') return out;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'resourceType' && prefix.length === 0) continue;
    const key = Array.isArray(node) ? Number(k) : k;
    out.push([...prefix, key]);
    paths(v, [...prefix, key], out);
  }
  return out;
}

function replaced(r: Resource, path: (string | number)[], value: unknown): Resource {
  const copy = structuredClone(r) as Record<string | number, any>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  node[path.at(-1)!] = value;
  return copy as Resource;
}

describe('robustness', () => {
  const withCapacity = () => {
    const loc = example('Location-ror-location-exemple') as Resource & { extension: unknown[] };
    loc.extension.push(capacityRecord());
    return loc;
  };
  for (const [name, make] of [
    ['HealthcareService', completedHealthcareService],
    ['Location', withCapacity],
    ['Organization', legalEntity],
    ['PractitionerRole', practice],
    ['Task', () => example('Task-ror-task-exemple')],
  ] as const) {
    test(`${name}: any element replaced by garbage gives issues, never an exception`, () => {
      const base = make();
      let tried = 0;
      for (const p of paths(base).filter((_, i) => i % 3 === 0)) {
        for (const g of GARBAGE) {
          const r = replaced(base, p, g);
          const issues = validateResource(r, terminology);
          assert.ok(Array.isArray(issues));
          for (const i of issues) assert.ok(i.fr && i.en && i.severity, JSON.stringify(i));
          tried++;
        }
      }
      assert.ok(tried > 50);
    });
  }

  test('a number where a CodeableConcept is expected is an error in both layers, told once', () => {
    const r = completedHealthcareService() as Resource & Record<string, any>;
    r.type = [42];
    const errors = errorsOf(validateResource(r, terminology));
    assert.ok(errors.length >= 1);
    assert.ok(errors.every((e) => e.expression?.startsWith('HealthcareService.type')));
  });
});
