import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { RESOURCE_TYPES } from '../../fhir/resource-types.ts';
import type { Resource } from '../../fhir/types.ts';
import { searchParamRegistry } from '../registry/registry.ts';
import { buildYvelinesFixture } from '../testing/yvelines-fixture.ts';
import { compileWithFhirpath } from './extractor.ts';
import { compileFastPath } from './fast-path.ts';

const examples = fs.readdirSync('/work/shared/spec/ror-ig/examples')
  .map((f) => JSON.parse(fs.readFileSync(`/work/shared/spec/ror-ig/examples/${f}`, 'utf8')) as Resource);

test('the fast path covers the common expressions and gives what fhirpath.js gives', async () => {
  const fx = await buildYvelinesFixture(40, 37);
  const resources = [...fx.resources, ...examples];
  const registry = searchParamRegistry();
  let compared = 0;
  let covered = 0;
  let total = 0;
  for (const type of RESOURCE_TYPES) {
    for (const p of registry.indexed(type)) {
      total++;
      const fast = compileFastPath(p.expression!, type);
      if (!fast) continue;
      covered++;
      const slow = compileWithFhirpath(p.expression!, type);
      for (const r of resources.filter((x) => x.resourceType === type)) {
        const norm = (ns: { data: unknown; type: string | undefined }[]) => ns.filter((n) => n.data !== undefined).map((n) => ({ data: n.data, type: n.type }));
        assert.deepEqual(norm(fast(r)), norm(slow(r)), `${type}.${p.code}: ${p.expression} on ${r.id}`);
        compared++;
      }
    }
  }
  assert.ok(covered / total > 0.9, `fast path covers ${covered}/${total}`);
  assert.ok(compared > 1000, `${compared} comparisons`);
  // Outside the subset: left to fhirpath.js.
  assert.equal(compileFastPath('Task.for.where(resolve() is Patient)', 'Task'), undefined);
  assert.equal(compileFastPath('Location.name.lower()', 'Location'), undefined);
});

test('choice values, where() and unions', () => {
  const loc = examples.find((r) => r.resourceType === 'Location')!;
  const cog = compileFastPath("Location.extension.where(url='https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-commune-cog').value.as(CodeableConcept)", 'Location')!;
  assert.deepEqual(cog(loc).map((n) => [n.type, (n.data as { coding: { code: string }[] }).coding[0].code]), [['CodeableConcept', '78646']]);
  const name = compileFastPath('Location.name | Location.alias | Location.name', 'Location')!;
  assert.deepEqual(name({ resourceType: 'Location', name: 'A', alias: ['B', 'A'] }).map((n) => n.data), ['A', 'B']);
});
