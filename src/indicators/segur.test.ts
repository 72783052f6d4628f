import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { describeWithDatabases } from '../testing/suite.ts';
import { populationObjective, remainingToDo, segurObjectives } from './segur.ts';
import { takePopulationSnapshot } from './snapshots.ts';
import { complete, importYvelines, offer, writeAll } from './test-fixtures.ts';

test('2.3d objective from the baseline rate', () => {
  assert.equal(populationObjective(null), 0.85);
  assert.equal(populationObjective(0.96), 1);
  assert.equal(populationObjective(0.95), 1);
  assert.equal(populationObjective(0.9), 0.95);
  assert.equal(populationObjective(0.846), 0.9); // rounded 85 % → + 5 points
  assert.equal(populationObjective(0.844), 0.85);
  assert.equal(populationObjective(0.5), 0.85);
});

test('reste à faire = ⌈perimeter × objective − finalised⌉, 0 once the rounded rate reaches the objective', () => {
  assert.equal(remainingToDo(100, 80, 0.85), 5);
  assert.equal(remainingToDo(100, 85, 0.85), 0);
  assert.equal(remainingToDo(7, 5, 0.85), 1);
  assert.equal(remainingToDo(20, 17, 0.9), 1);
  assert.equal(remainingToDo(1000, 849, 0.85), 0);
  assert.equal(remainingToDo(0, 0, 0.85), 0);
});

await describeWithDatabases('SEGUR population objectives', (db) => {
  before(async () => {
    const store = await importYvelines(db(), ['780000204', '780000196', '780001442', '780000287']);
    // The baseline quarter is re-computed from the history: no offer existed then.
    await takePopulationSnapshot(db(), { day: '2023-05-15' });
    await writeAll(store, [offer({ ...complete('ehpad', 'finess-eg-780000204', '04', '288', '46', 'finess-loc-780000204'), organisationCategory: undefined })]);
  });

  test('per région × champ: baseline, objective, current figures, reste à faire (SMR and Domicile not targeted)', async () => {
    const lines = await segurObjectives(db(), { referenceDate: '2026-12-31' });
    assert.deepEqual(lines.map((l) => [l.region, l.indicator, l.baseline?.rate, l.objective, l.current?.finalised, l.current?.perimeter, l.remaining]), [
      ['11', 'ES MCO', 0, 0.85, 0, 1, 1],
      ['11', 'ESMS PA', 0, 0.85, 1, 1, 0],
      ['11', 'ESMS PH', 0, 0.85, 0, 1, 1],
    ]);
  });
});
