/**
 * SEGUR objectives of the population indicators (ror-indicators.md §5, programme 2023-2024, ref. 2.3d):
 * per région × champ (ESMS PA, ESMS PH, ES MCO, ES PSY; SMR not targeted), historical perimeter, the
 * baseline is the population snapshot of 2023-06-30; objective = 100 % if the baseline reached 95 %,
 * baseline + 5 points if the rounded baseline reached 85 %, else 85 % (85 % for an empty perimeter);
 * reste à faire = ⌈perimeter × objective − finalised⌉, 0 once the rounded rate reaches the objective.
 * Figures of régions 02 and 75 are blanked, as in the published view.
 */
import type { Database } from '../db/database.ts';
import { aggregatePopulation, populationRows, rate } from './population.ts';
import { populationSnapshotRows } from './snapshots.ts';

export const SEGUR_BASELINE_DATE = '2023-06-30';
export const SEGUR_FIELDS = { PA: 'ESMS PA', PH: 'ESMS PH', MCO: 'ES MCO', PSY: 'ES PSY' } as const;
/** Régions whose automated figures were not validated: actual values blanked. */
export const SEGUR_BLANKED_REGIONS = ['02', '75'];

/** Rates are compared rounded to the whole percent (the dashboard shows whole percents). */
const roundPercent = (r: number) => Math.round(r * 100) / 100;

/** The 2.3d population objective from the baseline rate (null = empty perimeter or no baseline). */
export function populationObjective(baselineRate: number | null): number {
  if (baselineRate === null) return 0.85;
  if (baselineRate >= 0.95) return 1;
  if (roundPercent(baselineRate) >= 0.85) return Math.min(1, roundPercent(roundPercent(baselineRate) + 0.05));
  return 0.85;
}

/** Units still to finalise to reach the objective. */
export function remainingToDo(perimeter: number, finalised: number, objective: number): number {
  if (perimeter === 0 || roundPercent(finalised / perimeter) >= objective) return 0;
  return Math.max(0, Math.ceil(perimeter * objective - finalised - 1e-9));
}

export interface SegurLine {
  region: string;
  indicator: (typeof SEGUR_FIELDS)[keyof typeof SEGUR_FIELDS];
  baseline: { perimeter: number; finalised: number; rate: number } | null;
  objective: number;
  /** Null for a blanked région. */
  current: { perimeter: number; finalised: number; rate: number } | null;
  remaining: number | null;
}

type Sums = Map<string, { perimeter: number; finalised: number }>;

function sums(rows: { region: string; field: string; perimeter: string; perimeterCount: number; finalised: number }[]): Sums {
  const m: Sums = new Map();
  for (const r of rows) {
    if (r.perimeter !== 'historique' || !(r.field in SEGUR_FIELDS)) continue;
    const k = `${r.region}|${r.field}`;
    const s = m.get(k) ?? { perimeter: 0, finalised: 0 };
    s.perimeter += r.perimeterCount;
    s.finalised += r.finalised;
    m.set(k, s);
  }
  return m;
}

/** The objectives per région × champ, with the current (live) figures. */
export async function segurObjectives(db: Database, opts: { region?: string; referenceDate?: string } = {}): Promise<SegurLine[]> {
  const snap = await db.query<{ id: string }>(
    `SELECT id FROM indicator_snapshot WHERE kind = 'population' AND reference_date = $1 AND superseded_by IS NULL ORDER BY id DESC LIMIT 1`,
    [SEGUR_BASELINE_DATE]);
  const baseline = snap.rows[0] ? sums(await populationSnapshotRows(db, Number(snap.rows[0].id), opts.region)) : new Map() as Sums;
  const current = sums(aggregatePopulation(await populationRows(db, { region: opts.region, referenceDate: opts.referenceDate })));
  const keys = [...new Set([...baseline.keys(), ...current.keys()])].sort();
  return keys.map((k) => {
    const [region, field] = k.split('|') as [string, keyof typeof SEGUR_FIELDS];
    const b = baseline.get(k);
    const c = current.get(k) ?? { perimeter: 0, finalised: 0 };
    const baselineFigures = b ? { ...b, rate: rate(b.finalised, b.perimeter) } : null;
    const objective = populationObjective(b && b.perimeter > 0 ? rate(b.finalised, b.perimeter) : null);
    const blanked = SEGUR_BLANKED_REGIONS.includes(region);
    return {
      region,
      indicator: SEGUR_FIELDS[field],
      baseline: baselineFigures,
      objective,
      current: blanked ? null : { ...c, rate: rate(c.finalised, c.perimeter) },
      remaining: blanked ? null : remainingToDo(c.perimeter, c.finalised, objective),
    };
  });
}
