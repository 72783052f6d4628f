import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ResourceStore } from '../store/resource-store.ts';
import { describeWithDatabases } from '../testing/suite.ts';
import { measureReports, measures, POPULATION_MEASURE_ID, publishMeasures, qualityMeasureId } from './measures.ts';
import { today } from './population.ts';
import { RULE_CODES_LIST } from './quality.ts';
import { computeIndicators } from './compute.ts';
import { listSnapshots, populationSnapshotRows, qualitySnapshotRows, quarterEnd, takePopulationSnapshot, takeQualitySnapshot, weekMonday, weekSunday } from './snapshots.ts';
import { complete, importYvelines, offer, writeAll } from './test-fixtures.ts';

test('reference dates: quarter end and Monday of the week', () => {
  assert.equal(quarterEnd('2026-11-23'), '2026-12-31');
  assert.equal(quarterEnd('2024-02-10'), '2024-03-31');
  assert.equal(quarterEnd('2023-06-30'), '2023-06-30');
  assert.equal(weekMonday('2026-11-23'), '2026-11-23');
  assert.equal(weekMonday('2026-11-29'), '2026-11-23');
  assert.equal(weekMonday('2026-01-01'), '2025-12-29');
  assert.equal(weekSunday('2025-12-29'), '2026-01-04');
});

await describeWithDatabases('indicator snapshots and FHIR measures', (db) => {
  let store: ResourceStore;
  const day = today();

  before(async () => {
    // EHPAD (PA), SSIAD (Domicile), CH Mantes (MCO and SMR from its authorisations): 4 rows.
    store = await importYvelines(db(), ['780000204', '780001442', '780000287']);
    await writeAll(store, [offer({ ...complete('ehpad', 'finess-eg-780000204', '04', '288', '46', 'finess-loc-780000204'), organisationCategory: undefined })]);
  });

  test('population snapshot of the current quarter, then a re-computation superseding it', async () => {
    const first = await takePopulationSnapshot(db(), { day });
    assert.equal(first.referenceDate, quarterEnd(day));
    assert.deepEqual([first.summary.perimeter, first.summary.finalised, first.summary.live], [4, 1, true]);
    const rows = await populationSnapshotRows(db(), first.id);
    assert.deepEqual(rows.map((r) => [r.field, r.perimeterCount, r.finalised]).sort(), [['Domicile', 1, 0], ['MCO', 1, 0], ['PA', 1, 1], ['SMR', 1, 0]]);
    const again = await takePopulationSnapshot(db(), { day });
    const current = await listSnapshots(db(), 'population');
    assert.deepEqual(current.map((s) => s.id), [again.id]);
    const old = (await db().query<{ superseded_by: string }>('SELECT superseded_by FROM indicator_snapshot WHERE id = $1', [first.id])).rows[0]!;
    assert.equal(Number(old.superseded_by), again.id);
  });

  test('a past quarter is re-computed from the history: the offer did not exist then', async () => {
    const past = await takePopulationSnapshot(db(), { day: '2025-05-10' });
    assert.equal(past.referenceDate, '2025-06-30');
    assert.deepEqual([past.summary.perimeter, past.summary.finalised, past.summary.live], [4, 0, false]);
    const trend = await listSnapshots(db(), 'population');
    assert.deepEqual(trend.map((s) => s.referenceDate), ['2025-06-30', quarterEnd(day)]);
  });

  test('weekly quality snapshot with per-rule national figures', async () => {
    // The current week is measured live whatever the weekday: the data imported today counts.
    const q = await takeQualitySnapshot(db(), { day });
    assert.equal(q.referenceDate, weekMonday(day));
    assert.equal(q.summary.live, true);
    const rules = q.summary.rules as Record<string, { perimeter: number; deviations: number }>;
    // EX1.2: the three historical ETs are in the ROR; CP4: 4 rows, 3 not finalised.
    assert.deepEqual(rules['EX1.2'], { perimeter: 3, deviations: 0, conformity: 1 });
    assert.deepEqual(rules.CP4, { perimeter: 4, deviations: 3, conformity: 0.25 });
    // A past week is measured as the store stood at the end of its Sunday: nothing was imported yet.
    const past = await takeQualitySnapshot(db(), { day: '2025-05-10' });
    assert.deepEqual([past.referenceDate, past.summary.live], ['2025-05-05', false]);
    assert.deepEqual((past.summary.rules as Record<string, { perimeter: number; deviations: number }>)['EX1.2'], { perimeter: 3, deviations: 3, conformity: 0 });
  });

  test('snapshots from a computation already done equal snapshots computed afresh', async () => {
    const strip = <T extends object>(rows: T[]) => rows.map((r) => ({ ...r }));
    const computed = await computeIndicators(db(), { referenceDate: quarterEnd(day) });
    const [popA, popB] = [await takePopulationSnapshot(db(), { day, computed }), await takePopulationSnapshot(db(), { day })];
    assert.deepEqual(strip(await populationSnapshotRows(db(), popA.id)), strip(await populationSnapshotRows(db(), popB.id)));
    assert.deepEqual(popA.summary, popB.summary);
    const week = await computeIndicators(db(), { referenceDate: weekMonday(day) });
    const [qA, qB] = [await takeQualitySnapshot(db(), { day, computed: week }), await takeQualitySnapshot(db(), { day })];
    const qRows = await qualitySnapshotRows(db(), qA.id);
    assert.ok(qRows.length > 0);
    assert.deepEqual(strip(qRows), strip(await qualitySnapshotRows(db(), qB.id)));
    assert.deepEqual(qA.summary, qB.summary);
  });

  test('Measure and MeasureReport resources generated from a snapshot and stored', async () => {
    assert.equal(measures().length, 1 + RULE_CODES_LIST.length);
    const [snap] = (await listSnapshots(db(), 'population')).slice(-1);
    const [report] = await measureReports(db(), snap!);
    const group = (report!.group as { population: { code: { coding: { code: string }[] }; count: number }[]; measureScore: { value: number } }[])[0]!;
    assert.deepEqual(group.population.map((p) => [p.code.coding[0]!.code, p.count]), [['initial-population', 4], ['denominator', 4], ['numerator', 1]]);
    assert.equal(group.measureScore.value, 0.25);
    const written = await publishMeasures(store, snap!);
    assert.ok(written.includes(`Measure/${POPULATION_MEASURE_ID}`));
    assert.ok(written.includes(`Measure/${qualityMeasureId('EX1.2')}`));
    const stored = await store.read('MeasureReport', `${POPULATION_MEASURE_ID}-${snap!.referenceDate}`);
    assert.equal(stored.versionId, 1);
    assert.equal(stored.resource.measure, `https://interop.esante.gouv.fr/ig/fhir/ror/Measure/${POPULATION_MEASURE_ID}|ror-bi-2024-02`);
    const [q] = (await listSnapshots(db(), 'quality')).slice(-1);
    const qualityWritten = await publishMeasures(store, q!);
    assert.ok(qualityWritten.includes(`MeasureReport/${qualityMeasureId('CP4')}-${q!.referenceDate}`));
  });
});
