import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CommuneDirectory } from '../geo/commune-directory.ts';
import { geoDataDir } from '../geo/shared-data.ts';
import { createRorValidator } from '../validation/index.ts';
import { loadTerminologyFromFiles } from '../terminology/terminology.ts';
import { buildCityProfessionals } from './city-professionals.ts';

const communes = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));

test('the synthetic professionals are deterministic, tagged synthetic and conform to the ROR profiles', async () => {
  const a = buildCityProfessionals(communes);
  const b = buildCityProfessionals(communes);
  assert.deepEqual(a.map((p) => p.resources), b.map((p) => p.resources));
  assert.equal(a.filter((p) => p.profession === 'kine').length, 32);
  assert.equal(a.filter((p) => p.profession === 'midwife').length, 12);
  const validator = createRorValidator(await loadTerminologyFromFiles());
  for (const p of a) {
    for (const r of p.resources) {
      assert.ok(r.meta?.tag?.some((t) => t.code === 'synthetique'), `${r.resourceType}/${r.id} tagged synthetic`);
      const errors = (await validator.validate(r)).filter((i) => i.severity === 'error');
      assert.deepEqual(errors, [], `${r.resourceType}/${r.id}`);
    }
  }
});

test('the scenarios of the coordinators exist in the demo: knee rehabilitation at home in Limay, post-partum visits in Gargenville', () => {
  const pros = buildCityProfessionals(communes);
  const kneeAtHomeInLimay = pros.filter((p) => p.profession === 'kine' && p.homeVisits
    && p.zone.some((c) => c.code === '78335') && p.activities.some((x) => x.code === '418' || x.code === '425'));
  assert.ok(kneeAtHomeInLimay.length >= 1, 'a kiné doing orthopaedic/trauma rehabilitation visits Limay');
  const midwivesGargenville = pros.filter((p) => p.profession === 'midwife' && p.homeVisits && p.zone.some((c) => c.code === '78267'));
  assert.ok(midwivesGargenville.length >= 1, 'a midwife visits Gargenville');
  // Every zone is made of real COG communes of the Yvelines around the practice.
  for (const p of pros) for (const c of p.zone) assert.equal(c.departement, '78');
});
