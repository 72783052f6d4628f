// The published ROR SearchParameters cast with `.value.as(T)`, which FHIRPath refuses on a collection:
// an offer with several intervention-zone communes, or a place with several capacity records, must
// still be indexed on every value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capacity, interventionZone } from '../demo/codes.ts';
import type { Resource } from '../fhir/types.ts';
import { createSearchIndexer } from './indexer.ts';

test('every commune of a multi-commune intervention zone is indexed', () => {
  const hs: Resource = {
    resourceType: 'HealthcareService',
    extension: interventionZone([{ code: '78335', name: 'Limay' }, { code: '78267', name: 'Gargenville' }, { code: '78361', name: 'Mantes-la-Jolie' }]),
  };
  const rows = createSearchIndexer().rows('HealthcareService', hs);
  const zone = rows.token.filter((t) => t.param === 'intervention-zone').map((t) => t.code).sort();
  assert.deepEqual(zone, ['78267', '78335', '78361']);
});

test('every capacity record of a place is indexed (status, type, number)', () => {
  const loc: Resource = {
    resourceType: 'Location',
    extension: [capacity('lit', '01', 30, '2026-11-23T08:00:00Z'), capacity('lit', '02', 4, '2026-11-23T08:00:00Z')],
  };
  const rows = createSearchIndexer().rows('Location', loc);
  assert.deepEqual(rows.token.filter((t) => t.param === 'capacity-status').map((t) => t.code).sort(), ['01', '02']);
  assert.deepEqual(rows.number.filter((n) => n.param === 'nb-capacity').map((n) => Number(n.value)).sort((a, b) => a - b), [4, 30]);
});
