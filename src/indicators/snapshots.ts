/**
 * Indicator snapshots kept as history (migration 080): population at the last day of a quarter, quality on
 * the Monday of a week. A snapshot can be (re)computed for any date: the ROR side is read from the
 * resource history as it stood at the end of that day; the FINESS side (last import, authorisations) is
 * the current one — FINESS imports keep no history of their own. A re-computation supersedes, never deletes.
 */
import type { Database, Queryable } from '../db/database.ts';
import { aggregatePopulation, populationRows, today, type PopulationAggregate } from './population.ts';
import { aggregateQuality, type QualityAggregate, type RuleCode } from './quality.ts';
import { computeIndicators, type IndicatorComputation } from './compute.ts';
import { REFERENCE_VERSION } from './reference-data.ts';

export type SnapshotKind = 'population' | 'quality';

export interface SnapshotInfo {
  id: number;
  kind: SnapshotKind;
  referenceDate: string;
  computedAt: string;
  referenceVersion: string;
  supersededBy: number | null;
  summary: Record<string, unknown>;
}

/** Last day of the quarter of an ISO day. */
export function quarterEnd(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  const endMonth = Math.ceil(m / 3) * 3;
  return new Date(Date.UTC(y, endMonth, 0)).toISOString().slice(0, 10);
}

/** Monday of the ISO week of a day. */
export function weekMonday(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/** Sunday closing the ISO week that starts on `monday`. */
export function weekSunday(monday: string): string {
  const d = new Date(`${monday}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 6);
  return d.toISOString().slice(0, 10);
}

/**
 * A period that ended before today is measured on the store as it stood at the end of its last day;
 * the current period (today included) is measured live.
 */
function asOfFor(periodEnd: string, now = today()): string | undefined {
  return periodEnd < now ? `${periodEnd}T23:59:59.999Z` : undefined;
}

async function insertSnapshot(tx: Queryable, kind: SnapshotKind, referenceDate: string, summary: Record<string, unknown>): Promise<number> {
  const id = Number((await tx.query<{ id: string }>(
    `INSERT INTO indicator_snapshot (kind, reference_date, reference_version, summary) VALUES ($1, $2, $3, $4) RETURNING id`,
    [kind, referenceDate, REFERENCE_VERSION, JSON.stringify(summary)],
  )).rows[0]!.id);
  await tx.query(
    `UPDATE indicator_snapshot SET superseded_by = $1 WHERE kind = $2 AND reference_date = $3 AND id <> $1 AND superseded_by IS NULL`,
    [id, kind, referenceDate],
  );
  return id;
}

async function insertRows(tx: Queryable, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    const n = columns.length;
    const values = part.map((_, r) => `(${columns.map((_, c) => `$${r * n + c + 1}`).join(', ')})`).join(', ');
    await tx.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}`, part.flat());
  }
}

/** A computation already done (computeIndicators) serves a snapshot of the same reference date and source. */
function reusable(computed: IndicatorComputation | undefined, referenceDate: string, periodEnd: string): IndicatorComputation | undefined {
  return computed && computed.referenceDate === referenceDate && computed.live === !asOfFor(periodEnd) ? computed : undefined;
}

/**
 * Computes and stores the population snapshot of the quarter of `day` (default: the current quarter);
 * `computed` (computeIndicators for the same reference date and source) is reused instead of computing again.
 */
export async function takePopulationSnapshot(db: Database, opts: { day?: string; computed?: IndicatorComputation } = {}): Promise<SnapshotInfo> {
  const referenceDate = quarterEnd(opts.day ?? today());
  const rows = reusable(opts.computed, referenceDate, referenceDate)?.rows ?? await populationRows(db, { referenceDate, asOf: asOfFor(referenceDate) });
  const aggs = aggregatePopulation(rows);
  const total = aggs.reduce((s, a) => ({ perimeter: s.perimeter + a.perimeterCount, finalised: s.finalised + a.finalised }), { perimeter: 0, finalised: 0 });
  const summary = { ...total, rate: total.perimeter ? total.finalised / total.perimeter : 0, live: !asOfFor(referenceDate) };
  const id = await db.transaction(async (tx) => {
    const id = await insertSnapshot(tx, 'population', referenceDate, summary);
    await insertRows(tx, 'indicator_population_row',
      ['snapshot_id', 'region', 'departement', 'field', 'category', 'domain', 'perimeter', 'perimeter_count', 'finalised', 'in_progress', 'to_do'],
      aggs.map((a) => [id, a.region, a.departement, a.field, a.category, a.domain, a.perimeter, a.perimeterCount, a.finalised, a.inProgress, a.toDo]));
    return id;
  });
  return (await getSnapshot(db, id))!;
}

/** Computes and stores the quality snapshot of the week of `day` (default: this week); `computed` as above. */
export async function takeQualitySnapshot(db: Database, opts: { day?: string; computed?: IndicatorComputation } = {}): Promise<SnapshotInfo> {
  const referenceDate = weekMonday(opts.day ?? today());
  const weekEnd = weekSunday(referenceDate);
  const results = reusable(opts.computed, referenceDate, weekEnd)?.results ?? (await computeIndicators(db, { referenceDate, asOf: asOfFor(weekEnd) })).results;
  const aggs = aggregateQuality(results);
  const national = aggs.filter((a) => a.region === '00');
  const summary = {
    rules: Object.fromEntries([...new Set(national.map((a) => a.rule))].map((rule) => {
      const rows = national.filter((a) => a.rule === rule);
      const perimeter = rows.reduce((s, a) => s + a.perimeterCount, 0);
      const deviations = rows.reduce((s, a) => s + a.deviations, 0);
      return [rule, { perimeter, deviations, conformity: perimeter ? 1 - deviations / perimeter : 1 }];
    })),
    live: !asOfFor(weekEnd),
  };
  const id = await db.transaction(async (tx) => {
    const id = await insertSnapshot(tx, 'quality', referenceDate, summary);
    await insertRows(tx, 'indicator_quality_row', ['snapshot_id', 'rule', 'region', 'departement', 'domain', 'perimeter_count', 'deviations'],
      aggs.map((a) => [id, a.rule, a.region, a.departement, a.domain, a.perimeterCount, a.deviations]));
    return id;
  });
  return (await getSnapshot(db, id))!;
}

const toInfo = (r: Record<string, unknown>): SnapshotInfo => ({
  id: Number(r.id),
  kind: r.kind as SnapshotKind,
  referenceDate: typeof r.reference_date === 'string' ? r.reference_date : new Date(r.reference_date as Date).toISOString().slice(0, 10),
  computedAt: new Date(r.computed_at as string).toISOString(),
  referenceVersion: String(r.reference_version),
  supersededBy: r.superseded_by == null ? null : Number(r.superseded_by),
  summary: (typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary) as Record<string, unknown>,
});
const SNAPSHOT_COLUMNS = `id, kind, reference_date::text AS reference_date, computed_at, reference_version, superseded_by, summary`;

export async function getSnapshot(db: Queryable, id: number): Promise<SnapshotInfo | undefined> {
  const r = await db.query<Record<string, unknown>>(`SELECT ${SNAPSHOT_COLUMNS} FROM indicator_snapshot WHERE id = $1`, [id]);
  return r.rows[0] ? toInfo(r.rows[0]) : undefined;
}

/** The current (not superseded) snapshots of a kind, oldest first: the trend. */
export async function listSnapshots(db: Queryable, kind: SnapshotKind): Promise<SnapshotInfo[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT ${SNAPSHOT_COLUMNS} FROM indicator_snapshot WHERE kind = $1 AND superseded_by IS NULL ORDER BY reference_date, id`, [kind]);
  return r.rows.map(toInfo);
}

export async function latestSnapshot(db: Queryable, kind: SnapshotKind): Promise<SnapshotInfo | undefined> {
  const all = await listSnapshots(db, kind);
  return all[all.length - 1];
}

export async function populationSnapshotRows(db: Queryable, id: number, region?: string): Promise<PopulationAggregate[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT * FROM indicator_population_row WHERE snapshot_id = $1 ${region ? 'AND region = $2' : ''} ORDER BY region, departement, field, category`,
    region ? [id, region] : [id]);
  return r.rows.map((x) => {
    const perimeterCount = Number(x.perimeter_count);
    const finalised = Number(x.finalised);
    return {
      region: String(x.region), departement: String(x.departement), field: String(x.field), category: String(x.category), domain: String(x.domain),
      perimeter: String(x.perimeter), perimeterCount, finalised, inProgress: Number(x.in_progress), toDo: Number(x.to_do),
      rate: perimeterCount ? finalised / perimeterCount : 0,
    };
  });
}

export async function qualitySnapshotRows(db: Queryable, id: number, region?: string): Promise<QualityAggregate[]> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT * FROM indicator_quality_row WHERE snapshot_id = $1 ${region ? 'AND region = $2' : ''} ORDER BY rule, region, departement, domain`,
    region ? [id, region] : [id]);
  return r.rows.map((x) => {
    const perimeterCount = Number(x.perimeter_count);
    const deviations = Number(x.deviations);
    return {
      rule: x.rule as RuleCode, region: String(x.region), departement: String(x.departement), domain: String(x.domain),
      perimeterCount, deviations, conformity: perimeterCount ? 1 - deviations / perimeterCount : 1,
    };
  });
}
