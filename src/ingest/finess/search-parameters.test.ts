import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { SHARED_DIR } from '../../testing/fixtures.ts';
import { CommuneIndex } from '../geo/commune-index.ts';
import type { FinessEstablishment } from './establishment.ts';
import { closedVersion, mapEstablishment } from './mapping.ts';
import { loadFinessNos } from './nos-reference.ts';

// The imported resources answer the IG's own SearchParameter expressions (shared/spec/ror-ig), evaluated with FHIRPath.

const sp = (code: string) =>
  (JSON.parse(fs.readFileSync(path.join(SHARED_DIR, 'spec/ror-ig', `SearchParameter-ror-sp-${code}.json`), 'utf8')) as { expression: string }).expression;
const evaluate = (resource: unknown, expression: string) => fhirpath.evaluate(resource, expression, undefined, r4model) as unknown[];

const ehpad: FinessEstablishment = {
  line: 2, nofinesset: '780018560', nofinessej: '920030152', rs: 'EHPAD "LA VILLA DES AINES"', addressLines: ['28 AV DE LA REPUBLIQUE'],
  postalCode: '78270', city: 'BONNIERES SUR SEINE', telephone: '0130985858', categetab: '500', categagretab: '4401',
  dateouv: '2005-04-04', datemaj: '2020-10-30', position: { latitude: 49.037622, longitude: 1.584768 },
};

test('FINESS resources answer commune-cog, period-end, closing-type, _tag and the standard type / identifier / near paths', () => {
  const { eg, location } = mapEstablishment(ehpad, { communes: CommuneIndex.load(), nos: loadFinessNos() });
  const cog = evaluate(location, sp('location-commune-cog')) as { coding: { code: string }[] }[];
  assert.equal(cog[0]?.coding[0]?.code, '78089'); // Bonnières-sur-Seine
  assert.deepEqual(evaluate(eg, sp('organization-period-end')), []);
  const closed = closedVersion(eg, '2026-11-23');
  assert.deepEqual(evaluate(closed, sp('organization-period-end')), ['2026-11-23']);
  const closing = evaluate(closed, sp('organization-closing-type')) as { coding: { code: string }[] }[];
  assert.equal(closing[0]?.coding[0]?.code, 'DEF');
  assert.deepEqual(evaluate(eg, "Organization.meta.tag.where(system='https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM').code"), ['11']);
  assert.ok((evaluate(eg, 'Organization.type.coding.code') as string[]).includes('500'));
  assert.deepEqual(evaluate(eg, "Organization.identifier.where(system='https://finess.esante.gouv.fr').value"), ['780018560']);
  assert.deepEqual(evaluate(location, 'Location.position.latitude'), [49.037622]);
  assert.deepEqual(evaluate(eg, 'Organization.partOf.reference'), ['Organization/finess-ej-920030152']);
});
