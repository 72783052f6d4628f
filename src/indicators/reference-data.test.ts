import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sharedDir } from '../geo/shared-data.ts';
import { categoryTable, classOf, DOMAIN_CATEGORIES, domainOf, isFollowedCategory, PERIMETER_CATEGORIES, perimeterOf } from './reference-data.ts';

test('category classes and perimeters of §2.1, with the 2024 codes (decision Q6)', () => {
  assert.equal(domainOf('500'), 'Médico-social');
  assert.equal(domainOf('638'), 'Sanitaire');
  assert.equal(domainOf('SA07'), 'Offre de ville');
  assert.equal(domainOf('223'), 'Non défini');
  assert.equal(perimeterOf('355'), 'historique');
  assert.equal(perimeterOf('603'), '2023');
  assert.equal(perimeterOf('166'), '2024');
  assert.equal(perimeterOf('638'), '2024');
  assert.equal(perimeterOf('699'), 'Non suivi');
  assert.equal(classOf('500'), 'PA');
  assert.equal(classOf('183'), 'PH');
  assert.equal(classOf('354'), 'Domicile');
  assert.equal(classOf('608'), 'Autres MS');
  assert.equal(classOf('604'), 'Coordination');
  // Decision Q5: 617 / 618 are classed Ville (the published table leaves them "Non défini").
  assert.equal(classOf('617'), 'Ville');
  assert.equal(classOf('618'), 'Ville');
  assert.ok(isFollowedCategory('618') && !isFollowedCategory('124') && !isFollowedCategory('699'));
});

test('the categories of the lists are those of JDV_J55, except three the NOS file we hold predates; no category in two domains or perimeters', () => {
  const j55 = fs.readFileSync(path.join(sharedDir(), 'data/nos/JDV_J55-CategorieEG-ROR.tabs'), 'utf8');
  const codes = new Set(j55.split(/\r?\n/).map((l) => l.split(';')[1]).filter(Boolean));
  const missing = categoryTable().map((c) => c.category).filter((c) => !codes.has(c));
  // 617, 618 (2023) and 638 (2024) come from the 2024 V_REF_J55 list; our JDV_J55 file is older.
  assert.deepEqual(missing, ['617', '618', '638']);
  const inDomains = Object.values(DOMAIN_CATEGORIES).flat();
  assert.equal(new Set(inDomains).size, inDomains.length);
  const inPerimeters = Object.values(PERIMETER_CATEGORIES).flat();
  assert.equal(new Set(inPerimeters).size, inPerimeters.length);
});
