import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { CommuneDirectory, normalizePlaceName } from './commune-directory.ts';
import { loadDepartementOutlines } from './departement-outlines.ts';
import { geoDataDir } from './shared-data.ts';

const directory = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));

test('the real COG 2026 file loads every commune that has a centroid', () => {
  // 34,868 communes + 45 arrondissements in the file (see shared/data/README.md §3a).
  assert.equal(directory.size, 34_913);
  const limay = directory.get('78335');
  assert.equal(limay?.name, 'Limay');
  assert.deepEqual(limay?.postcodes, ['78520']);
  assert.ok(Math.abs((limay?.lat ?? 0) - 48.99452) < 1e-6);
});

test('names match without accents, case or hyphens, largest commune first', () => {
  assert.equal(normalizePlaceName("L'Haÿ-les-Roses"), 'l hay les roses');
  assert.equal(normalizePlaceName('St-Denis'), 'saint denis');
  const hits = directory.search('mantes');
  assert.deepEqual(hits.slice(0, 2).map((c) => c.name), ['Mantes-la-Jolie', 'Mantes-la-Ville']);
  assert.equal(directory.search('MANTES LA JOLIE')[0].code, '78361');
  assert.equal(directory.search('gargenv')[0].code, '78267');
  assert.equal(directory.search('evry')[0].name.startsWith('Évry'), true);
});

test('an exact name comes before longer names, then a later word of the name', () => {
  const paris = directory.search('paris', 5);
  assert.equal(paris[0].code, '75056');
  const jolie = directory.search('jolie', 20);
  assert.ok(jolie.some((c) => c.code === '78361'), 'Mantes-la-Jolie found by a later word');
});

test('digits search the postcode and the INSEE code', () => {
  assert.equal(directory.search('78520')[0].code, '78335');
  assert.equal(directory.search('78335')[0].name, 'Limay');
  // 78520 is Limay's postcode and another commune's INSEE code: the postcode wins.
  assert.ok(directory.search('78520').some((c) => c.code === '78520'));
  const byPrefix = directory.search('7820', 10);
  assert.ok(byPrefix.some((c) => c.code === '78361'));
  assert.equal(directory.search('2A004')[0]?.departement, '2A');
  assert.deepEqual(directory.search(''), []);
  assert.deepEqual(directory.search('zzzzqqq'), []);
});

test('the département outlines are a FeatureCollection of the 96 metropolitan départements', () => {
  const outlines = loadDepartementOutlines(path.join(geoDataDir(), 'departements-version-simplifiee.geojson'));
  assert.equal(outlines.featureCount, 96);
  assert.match(outlines.etag, /^"dep-/);
});
