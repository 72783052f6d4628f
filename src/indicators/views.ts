/**
 * What the CLI and the JSON API show: population and quality figures at a chosen grain, live or from the
 * latest snapshot, and the list of écarts. One place so that both outputs give the same figures.
 */
import type { Database } from '../db/database.ts';
import { aggregatePopulation, populationRows, rate, unitStatuses, type ComputeOptions, type UnitStatus } from './population.ts';
import { aggregateQuality, qualityResults, type RuleCode, type RuleResult } from './quality.ts';
import { latestSnapshot, listSnapshots, populationSnapshotRows, qualitySnapshotRows } from './snapshots.ts';
import type { SegurLine } from './segur.ts';

export const POPULATION_KEYS = ['region', 'departement', 'field', 'category', 'domain', 'perimeter'] as const;
export type PopulationKey = (typeof POPULATION_KEYS)[number];
export const QUALITY_KEYS = ['rule', 'region', 'departement', 'domain'] as const;
export type QualityKey = (typeof QUALITY_KEYS)[number];

export interface ViewOptions extends ComputeOptions {
  /** `live` computes now; `snapshot` reads the latest stored snapshot. */
  source?: 'live' | 'snapshot';
}

export interface PopulationFigure {
  region?: string; departement?: string; field?: string; category?: string; domain?: string; perimeter?: string;
  perimeterCount: number; finalised: number; inProgress: number; toDo: number; rate: number;
}
export interface QualityFigure {
  rule?: string; region?: string; departement?: string; domain?: string;
  perimeterCount: number; deviations: number; conformity: number;
}

export interface View<T> {
  source: 'live' | 'snapshot';
  snapshotId: number | null;
  referenceDate: string | null;
  rows: T[];
}

function group<T extends Record<string, unknown>, R>(rows: T[], keys: string[], init: () => R, add: (acc: R, row: T) => void): (Record<string, string> & R)[] {
  const m = new Map<string, Record<string, string> & R>();
  for (const r of rows) {
    const k = keys.map((key) => String(r[key])).join('\u0000');
    let g = m.get(k);
    if (!g) m.set(k, (g = { ...Object.fromEntries(keys.map((key) => [key, String(r[key])])), ...init() } as Record<string, string> & R));
    add(g, r);
  }
  return [...m.values()].sort((a, b) => keys.map((k) => a[k]).join(' ').localeCompare(keys.map((k) => b[k]).join(' ')));
}

export async function populationView(db: Database, by: PopulationKey[], opts: ViewOptions = {}): Promise<View<PopulationFigure>> {
  let aggs;
  let snapshotId: number | null = null;
  let referenceDate: string | null = opts.referenceDate ?? null;
  if (opts.source === 'snapshot') {
    const snap = await latestSnapshot(db, 'population');
    if (!snap) return { source: 'snapshot', snapshotId: null, referenceDate: null, rows: [] };
    snapshotId = snap.id;
    referenceDate = snap.referenceDate;
    aggs = await populationSnapshotRows(db, snap.id, opts.region);
  } else {
    aggs = aggregatePopulation(await populationRows(db, opts));
  }
  const rows = group(aggs as unknown as Record<string, unknown>[], by, () => ({ perimeterCount: 0, finalised: 0, inProgress: 0, toDo: 0, rate: 0 }), (g, a) => {
    g.perimeterCount += Number(a.perimeterCount);
    g.finalised += Number(a.finalised);
    g.inProgress += Number(a.inProgress);
    g.toDo += Number(a.toDo);
    g.rate = rate(g.finalised, g.perimeterCount);
  });
  return { source: opts.source ?? 'live', snapshotId, referenceDate, rows };
}

/** The population figures of every kept snapshot (oldest first) at a grain, for trend charts. */
export async function populationTrend(db: Database, by: PopulationKey[], opts: { region?: string } = {}): Promise<{ snapshotId: number; referenceDate: string; rows: PopulationFigure[] }[]> {
  const out = [];
  for (const snap of await listSnapshots(db, 'population')) {
    const aggs = await populationSnapshotRows(db, snap.id, opts.region);
    const rows = group(aggs as unknown as Record<string, unknown>[], by, () => ({ perimeterCount: 0, finalised: 0, inProgress: 0, toDo: 0, rate: 0 }), (g, a) => {
      g.perimeterCount += Number(a.perimeterCount);
      g.finalised += Number(a.finalised);
      g.inProgress += Number(a.inProgress);
      g.toDo += Number(a.toDo);
      g.rate = rate(g.finalised, g.perimeterCount);
    });
    out.push({ snapshotId: snap.id, referenceDate: snap.referenceDate, rows });
  }
  return out;
}

export async function qualityView(db: Database, by: QualityKey[], opts: ViewOptions & { rules?: RuleCode[] } = {}): Promise<View<QualityFigure>> {
  let aggs;
  let snapshotId: number | null = null;
  let referenceDate: string | null = opts.referenceDate ?? null;
  if (opts.source === 'snapshot') {
    const snap = await latestSnapshot(db, 'quality');
    if (!snap) return { source: 'snapshot', snapshotId: null, referenceDate: null, rows: [] };
    snapshotId = snap.id;
    referenceDate = snap.referenceDate;
    aggs = await qualitySnapshotRows(db, snap.id, opts.region);
  } else {
    aggs = aggregateQuality(await qualityResults(db, opts));
  }
  // The national line (00) is a copy of the others: kept only when asked for by région.
  const kept = aggs.filter((a) => (by.includes('region') ? true : a.region !== '00') && (!opts.rules || opts.rules.includes(a.rule)));
  const rows = group(kept as unknown as Record<string, unknown>[], by, () => ({ perimeterCount: 0, deviations: 0, conformity: 1 }), (g, a) => {
    g.perimeterCount += Number(a.perimeterCount);
    g.deviations += Number(a.deviations);
    g.conformity = g.perimeterCount ? 1 - g.deviations / g.perimeterCount : 1;
  });
  return { source: opts.source ?? 'live', snapshotId, referenceDate, rows };
}

/** The écarts (live), optionally of one rule and one FINESS number. */
export async function deviations(db: Database, opts: ComputeOptions & { rules?: RuleCode[]; finess?: string; limit?: number } = {}): Promise<RuleResult[]> {
  const all = await qualityResults(db, opts);
  return all.filter((r) => r.status === 'ecart' && (!opts.finess || r.finess === opts.finess)).slice(0, opts.limit ?? 1000);
}

/** SEGUR lines flattened for a table (CSV, XLSX, CLI). */
export function segurRows(lines: SegurLine[]): Record<string, unknown>[] {
  return lines.map((l) => ({
    region: l.region, indicateur: l.indicator, reference: l.baseline ? l.baseline.rate : '', objectif: l.objective,
    perimetre: l.current?.perimeter ?? '', finalises: l.current?.finalised ?? '', taux: l.current?.rate ?? '', resteAFaire: l.remaining ?? '',
  }));
}

/** Rows as a table (fixed-width text) or CSV (`;`, the French spreadsheet convention). */
export function formatRows(rows: Record<string, unknown>[], format: 'table' | 'csv'): string {
  if (!rows.length) return format === 'csv' ? '' : '(aucune ligne)';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v ?? ''));
  if (format === 'csv') {
    const esc = (s: string) => (/[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    return [cols.join(';'), ...rows.map((r) => cols.map((c) => esc(cell(r[c]))).join(';'))].join('\n');
  }
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

const CRITERIA_LABELS: Record<keyof UnitStatus['criteria'], string> = {
  field: "champ d'activité",
  organisationCategory: "catégorie d'organisation",
  activity: 'activité opérationnelle',
  careMode: 'mode de prise en charge',
  ages: 'patientèle (âges minimum et maximum)',
  address: 'adresse du lieu de réalisation',
  contact: 'contact (fonction ou nature, télécommunication complète)',
};

export interface StructureTodo {
  siteId: string;
  finess: string | null;
  name: string | null;
  region: string | null;
  offers: { id: string; name: string | null; status: string; missing: string[] }[];
  deviations: RuleResult[];
}

/** A site's to-do list: its offers with the criteria still missing, and the écarts of the site and its offers. */
export async function structureTodo(db: Database, siteId: string, opts: ComputeOptions = {}): Promise<StructureTodo | undefined> {
  const site = await db.query<{ id: string; name: string | null; region: string | null; finess: string | null }>(
    `SELECT id, region, content->>'name' AS name,
       (SELECT i->>'value' FROM jsonb_array_elements(coalesce(content->'identifier', '[]'::jsonb)) i WHERE i->>'system' = 'https://finess.esante.gouv.fr' LIMIT 1) AS finess
     FROM organization WHERE id = $1 AND NOT deleted`, [siteId]);
  const s = site.rows[0];
  if (!s) return undefined;
  const units = await unitStatuses(db, { ...opts, siteId });
  if (!units.length && !s.finess) return undefined;
  const names = new Map((await db.query<{ id: string; name: string | null }>(
    `SELECT id, content->>'name' AS name FROM healthcare_service WHERE id = ANY($1::text[])`, [units.map((u) => u.id)])).rows.map((r) => [r.id, r.name]));
  const offerIds = new Set(units.map((u) => u.id));
  const results = await qualityResults(db, opts);
  return {
    siteId, finess: s.finess, name: s.name, region: s.region,
    offers: units.map((u) => ({
      id: u.id,
      name: names.get(u.id) ?? null,
      status: u.status,
      missing: (Object.entries(u.criteria) as [keyof typeof CRITERIA_LABELS, boolean | null][]).filter(([, v]) => v === false).map(([k]) => CRITERIA_LABELS[k]),
    })),
    deviations: results.filter((r) => r.status === 'ecart' && (r.objectId === siteId || offerIds.has(r.objectId) || (s.finess !== null && r.finess === s.finess && r.objectType !== 'HealthcareService'))),
  };
}
