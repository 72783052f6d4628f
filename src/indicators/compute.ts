/**
 * The whole indicator computation for one reference date, done once: the population rows and the quality
 * results share their sources. The facts of every ROR object and FINESS record (columns written with each
 * resource, facts.ts) are read once into temporary tables (dropped at commit), analysed so the planner knows
 * their sizes, and both the population rows and the rules are then computed from them. Same statements as populationRows / qualityResults (same CTE texts), so
 * the same results; the separate functions stay for one-off API calls.
 */
import type { Database, Queryable } from '../db/database.ts';
import { indicatorQuery, params, toPopulationRow, type ComputeOptions, type PopulationRow } from './population.ts';
import { qualitySql, toRuleResult, type RuleCode, type RuleResult } from './quality.ts';
import { baseCtes, populationRowsCte, withoutCtes } from './sources.ts';

export interface IndicatorComputation {
  referenceDate: string;
  /** Whether the ROR was read live (not from the history as of a past instant). */
  live: boolean;
  rows: PopulationRow[];
  results: RuleResult[];
}

/** The CTEs materialised, in dependency order, with their columns and the columns worth an index. */
const MATERIALISED: { name: string; columns: string; index?: string[] }[] = [
  { name: 'finess_et', columns: '*', index: ['finess'] },
  { name: 'auth', columns: '*', index: ['finess'] },
  { name: 'ror_eg', columns: '*', index: ['id', 'finess'] },
  { name: 'ror_eg_x', columns: '*', index: ['id'] },
  { name: 'eg_of', columns: '*', index: ['id'] },
  { name: 'ue', columns: '*', index: ['eg_id'] },
  { name: 'pop', columns: '*' },
];

/** Population rows and quality results (all rules, or `rules`) for one reference date, from one reading of the sources. */
export async function computeIndicators(
  db: Database | Queryable,
  opts: ComputeOptions & { rules?: RuleCode[]; onStep?: (step: string, seconds: number) => void } = {},
): Promise<IndicatorComputation> {
  const t0 = { t: process.hrtime.bigint() };
  const step = (name: string) => {
    const t = process.hrtime.bigint();
    opts.onStep?.(name, Number(t - t0.t) / 1e9);
    t0.t = t;
  };
  const p = params(opts);
  // Every statement names all the parameters (an unused CTE is still analysed): a CTE list left without its
  // date-dependent CTEs may otherwise refer to $2 but not $1, and PostgreSQL could not type $1.
  const typed = `ind_params AS (SELECT $1::date AS reference_date${opts.asOf ? ', $2::timestamptz AS as_of' : ''})`;
  const all = `${typed},${baseCtes(opts)}, ${populationRowsCte()}`;
  return indicatorQuery(db, async (q) => {
    const done = new Set<string>();
    for (const t of MATERIALISED) {
      const ctes = withoutCtes(all, done);
      await q.query(`DROP TABLE IF EXISTS pg_temp.${t.name}`);
      const sql = `CREATE TEMP TABLE ${t.name} ON COMMIT DROP AS WITH ${ctes} SELECT ${t.columns} FROM ${t.name}`;
      await q.query(sql, p);
      for (const c of t.index ?? []) await q.query(`CREATE INDEX ON pg_temp.${t.name} (${c})`);
      await q.query(`ANALYZE pg_temp.${t.name}`);
      done.add(t.name);
      step(t.name);
    }
    const rows = (await q.query<Record<string, unknown>>('SELECT * FROM pop ORDER BY finess, field')).rows.map(toPopulationRow);
    step('population rows');
    // No rule asked (a population snapshot): no quality statement.
    const results = opts.rules?.length === 0 ? []
      : (await q.query<Record<string, unknown>>(qualitySql(withoutCtes(all, done), opts.rules), p)).rows.map(toRuleResult);
    step('quality rules');
    // A région filter applies to the output only (every figure is computed over the whole country anyway).
    const inRegion = <T extends { region: string }>(xs: T[]) => (opts.region ? xs.filter((x) => x.region === opts.region) : xs);
    return { referenceDate: String(p[0]), live: !opts.asOf, rows: inRegion(rows), results: inRegion(results) };
  });
}
