/**
 * Population ("peuplement") indicators, ror-indicators.md §2: the status of each offer (UE) from its seven
 * criteria, the status of each unit of counting (FINESS ET × field), and the counts by région ×
 * département × field × category × domain × perimeter, with rate = finalised / perimeter.
 */
import type { Database, Queryable } from '../db/database.ts';
import { computeIndicators } from './compute.ts';
import { baseCtes, type SourceOptions } from './sources.ts';

export type Status = 'finalise' | 'en_cours' | 'a_faire';
export const STATUS_LABELS: Record<Status, string> = { finalise: 'Finalisé', en_cours: 'En cours', a_faire: 'À faire' };

export interface ComputeOptions extends SourceOptions {
  /** Reference date (ISO day): closures after it do not count yet. Default: today. */
  referenceDate?: string;
  /** Restrict to one région (TRE_R30 code). */
  region?: string;
}

/** One offer with its criteria (null = not applicable). */
export interface UnitStatus {
  id: string;
  siteId: string;
  fieldCode: string | null;
  criteria: { field: boolean; organisationCategory: boolean | null; activity: boolean; careMode: boolean; ages: boolean; address: boolean; contact: boolean };
  status: Status;
}

/** One unit of counting: an open FINESS ET (× field for sanitaire establishments). */
export interface PopulationRow {
  finess: string;
  name: string | null;
  region: string;
  departement: string;
  category: string;
  domain: string;
  perimeter: string;
  field: string;
  rorSites: number;
  units: number;
  unitsFinalised: number;
  unitsInProgress: number;
  status: Status;
}

export interface PopulationAggregate {
  region: string;
  departement: string;
  field: string;
  category: string;
  domain: string;
  perimeter: string;
  perimeterCount: number;
  finalised: number;
  inProgress: number;
  toDo: number;
  /** finalised / perimeter (0 for an empty perimeter). */
  rate: number;
}

/**
 * Runs the indicator queries in one read transaction without JIT (PostgreSQL's cost estimates of the SQL
 * functions are high enough to trigger JIT compilation, which costs seconds on a small dataset) and with
 * more memory per sort or hash than the server's default.
 */
export async function indicatorQuery<T>(db: Database | Queryable, fn: (q: Queryable) => Promise<T>): Promise<T> {
  if (!('transaction' in db)) return fn(db);
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL jit = off');
    // A national run sorts 620k rule results and hashes 142k organizations: in memory rather than on disk.
    await tx.query(`SET LOCAL work_mem = '128MB'`);
    return fn(tx);
  });
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function params(opts: ComputeOptions): unknown[] {
  return opts.asOf ? [opts.referenceDate ?? opts.asOf.slice(0, 10), opts.asOf] : [opts.referenceDate ?? today()];
}

const n = (v: unknown) => Number(v ?? 0);

/** Status of every open offer attached to a site (optionally of one site). */
export async function unitStatuses(db: Database | Queryable, opts: ComputeOptions & { siteId?: string } = {}): Promise<UnitStatus[]> {
  const p = params(opts);
  const where = opts.siteId ? `WHERE eg_id = $${p.length + 1}` : '';
  // One site: its sources are the site, the internal units below it and their offers (not the whole directory).
  const sources = opts.siteId ? { ...opts, organizations: await organizationsOfSite(db, opts.siteId) } : opts;
  const r = await indicatorQuery(db, (q) => q.query<Record<string, unknown>>(
    `WITH ${baseCtes(sources)} SELECT id, eg_id, field_code, c1, c2, c3, c4, c5, c6, c7, status FROM ue ${where} ORDER BY id`,
    opts.siteId ? [...p, opts.siteId] : p,
  ));
  return r.rows.map((x) => ({
    id: String(x.id),
    siteId: String(x.eg_id),
    fieldCode: (x.field_code as string | null) ?? null,
    criteria: {
      field: !!x.c1,
      organisationCategory: x.c2 === null ? null : !!x.c2,
      activity: !!x.c3,
      careMode: !!x.c4,
      ages: !!x.c5,
      address: !!x.c6,
      contact: !!x.c7,
    },
    status: x.status as Status,
  }));
}

/** A site and the organizations below it (internal units; partOf indexed by migration 098). */
async function organizationsOfSite(db: Database | Queryable, siteId: string): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `WITH RECURSIVE below(id) AS (
       SELECT $1::text
       UNION SELECT o.id FROM organization o JOIN below b ON substr(o.content->'partOf'->>'reference', 14) = b.id WHERE NOT o.deleted)
     SELECT id FROM below`, [siteId]);
  return r.rows.map((x) => x.id);
}

/**
 * Every unit of counting with its status: through computeIndicators (the sources in analysed temporary
 * tables), whose plans stay linear at national scale; the single statement's plan did not (bench/RESULTS.md).
 */
export async function populationRows(db: Database | Queryable, opts: ComputeOptions = {}): Promise<PopulationRow[]> {
  return (await computeIndicators(db, { ...opts, rules: [] })).rows;
}

export function toPopulationRow(x: Record<string, unknown>): PopulationRow {
  return {
    finess: String(x.finess),
    name: (x.name as string | null) ?? null,
    region: String(x.region),
    departement: String(x.departement),
    category: String(x.category),
    domain: String(x.domain),
    perimeter: String(x.perimeter),
    field: String(x.field),
    rorSites: n(x.ror_sites),
    units: n(x.units),
    unitsFinalised: n(x.units_finalised),
    unitsInProgress: n(x.units_in_progress),
    status: x.status as Status,
  };
}

/** Counts by région × département × field × category × domain × perimeter. */
export function aggregatePopulation(rows: PopulationRow[]): PopulationAggregate[] {
  const groups = new Map<string, PopulationAggregate>();
  for (const r of rows) {
    const key = [r.region, r.departement, r.field, r.category, r.domain, r.perimeter].join('\u0000');
    let g = groups.get(key);
    if (!g) {
      g = { region: r.region, departement: r.departement, field: r.field, category: r.category, domain: r.domain, perimeter: r.perimeter, perimeterCount: 0, finalised: 0, inProgress: 0, toDo: 0, rate: 0 };
      groups.set(key, g);
    }
    g.perimeterCount++;
    if (r.status === 'finalise') g.finalised++;
    else if (r.status === 'en_cours') g.inProgress++;
    else g.toDo++;
  }
  const out = [...groups.values()];
  for (const g of out) g.rate = rate(g.finalised, g.perimeterCount);
  return out.sort((a, b) => [a.region, a.departement, a.field, a.category].join(' ').localeCompare([b.region, b.departement, b.field, b.category].join(' ')));
}

export function rate(finalised: number, perimeter: number): number {
  return perimeter > 0 ? finalised / perimeter : 0;
}

/** Sums at a coarser grain (e.g. PA for a region = Σ over its départements and PA categories). */
export function rollUp<K extends keyof PopulationAggregate>(aggs: PopulationAggregate[], keys: K[]): (Pick<PopulationAggregate, K> & { perimeterCount: number; finalised: number; inProgress: number; toDo: number; rate: number })[] {
  const groups = new Map<string, Pick<PopulationAggregate, K> & { perimeterCount: number; finalised: number; inProgress: number; toDo: number; rate: number }>();
  for (const a of aggs) {
    const key = keys.map((k) => String(a[k])).join('\u0000');
    let g = groups.get(key);
    if (!g) {
      g = { ...(Object.fromEntries(keys.map((k) => [k, a[k]])) as Pick<PopulationAggregate, K>), perimeterCount: 0, finalised: 0, inProgress: 0, toDo: 0, rate: 0 };
      groups.set(key, g);
    }
    g.perimeterCount += a.perimeterCount;
    g.finalised += a.finalised;
    g.inProgress += a.inProgress;
    g.toDo += a.toDo;
  }
  const out = [...groups.values()];
  for (const g of out) g.rate = rate(g.finalised, g.perimeterCount);
  return out;
}
