/**
 * The indicators as FHIR resources (ror-ig.md §1.11, `ror-measure` / `ror-measurereport`): one Measure per
 * indicator (population rate, each quality rule), and per snapshot one summary MeasureReport per Measure,
 * stratified by région and by département, written through the store (so history, audit and search apply).
 * Report ids are deterministic (`<measure>-<date>`): a re-computed snapshot makes a new version.
 */
import type { Queryable } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { RULES, type RuleCode } from './quality.ts';
import { REFERENCE_VERSION } from './reference-data.ts';
import { populationSnapshotRows, qualitySnapshotRows, type SnapshotInfo } from './snapshots.ts';

const BASE = 'https://interop.esante.gouv.fr/ig/fhir/ror';
const MEASURE_PROFILE = `${BASE}/StructureDefinition/ror-measure`;
const REPORT_PROFILE = `${BASE}/StructureDefinition/ror-measurereport`;
const POPULATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/measure-population';
const INDICATOR_SYSTEM = 'urn:ror:indicateur';
const REGION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';

export const MEASURE_CONTEXT: RequestContext = { actor: { id: 'indicators', kind: 'system' }, source: 'generator', validation: 'lenient' };

export const POPULATION_MEASURE_ID = 'ror-peuplement';
export const qualityMeasureId = (rule: RuleCode) => `ror-qualite-${rule.toLowerCase().replace('.', '-')}`;

const pop = (code: 'initial-population' | 'denominator' | 'numerator', description: string) => ({
  code: { coding: [{ system: POPULATION_SYSTEM, code }] },
  description,
});

function measure(id: string, code: string, title: string, description: string, numerator: string, denominator: string): Resource {
  return {
    resourceType: 'Measure',
    id,
    meta: { profile: [MEASURE_PROFILE] },
    url: `${BASE}/Measure/${id}`,
    identifier: [{ system: INDICATOR_SYSTEM, value: code }],
    version: REFERENCE_VERSION,
    name: id.replace(/-/g, '_'),
    title,
    status: 'active',
    experimental: false,
    publisher: 'ROR',
    description,
    topic: [{ coding: [{ system: INDICATOR_SYSTEM, code: code.startsWith('PEUPLEMENT') ? 'peuplement' : 'qualite' }] }],
    scoring: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-scoring', code: 'proportion' }] },
    improvementNotation: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/measure-improvement-notation', code: 'increase' }] },
    group: [{ population: [pop('initial-population', denominator), pop('denominator', denominator), pop('numerator', numerator)] }],
  };
}

/** The Measures: population rate and the quality rules. */
export function measures(): Resource[] {
  return [
    measure(POPULATION_MEASURE_ID, 'PEUPLEMENT', 'Taux de peuplement du ROR',
      "Part des établissements FINESS du périmètre (par champ pour le sanitaire) dont toutes les offres sont finalisées (les sept critères d'une offre renseignés).",
      'établissements × champ au statut finalisé', 'établissements × champ du périmètre FINESS'),
    ...(Object.entries(RULES) as [RuleCode, string][]).map(([rule, label]) =>
      measure(qualityMeasureId(rule), rule, `Exigence qualité ${rule} — ${label}`, `Taux de conformité à l'exigence ${rule} : objets conformes / objets du périmètre de l'exigence.`,
        'objets conformes', "objets du périmètre de l'exigence")),
  ];
}

interface Counts { key: string; perimeter: number; numerator: number }

function sumBy<T>(rows: T[], key: (r: T) => string, perimeter: (r: T) => number, numerator: (r: T) => number): Counts[] {
  const m = new Map<string, Counts>();
  for (const r of rows) {
    const k = key(r);
    const c = m.get(k) ?? { key: k, perimeter: 0, numerator: 0 };
    c.perimeter += perimeter(r);
    c.numerator += numerator(r);
    m.set(k, c);
  }
  return [...m.values()].sort((a, b) => a.key.localeCompare(b.key));
}

const populations = (c: Counts) => [
  { code: { coding: [{ system: POPULATION_SYSTEM, code: 'initial-population' }] }, count: c.perimeter },
  { code: { coding: [{ system: POPULATION_SYSTEM, code: 'denominator' }] }, count: c.perimeter },
  { code: { coding: [{ system: POPULATION_SYSTEM, code: 'numerator' }] }, count: c.numerator },
];
const score = (c: Counts) => ({ value: c.perimeter ? Math.round((c.numerator / c.perimeter) * 10000) / 10000 : 0 });

function report(measureId: string, snap: SnapshotInfo, rows: { region: string; departement: string; perimeter: number; numerator: number }[]): Resource {
  const total = sumBy(rows, () => 'total', (r) => r.perimeter, (r) => r.numerator)[0] ?? { key: 'total', perimeter: 0, numerator: 0 };
  const stratum = (c: Counts, system?: string) => ({
    value: { text: c.key, ...(system ? { coding: [{ system, code: c.key }] } : {}) },
    population: populations(c),
    measureScore: score(c),
  });
  const period = snap.kind === 'population'
    ? { start: `${snap.referenceDate.slice(0, 5)}${String(Number(snap.referenceDate.slice(5, 7)) - 2).padStart(2, '0')}-01`, end: snap.referenceDate }
    : { start: snap.referenceDate, end: snap.referenceDate };
  return {
    resourceType: 'MeasureReport',
    id: `${measureId}-${snap.referenceDate}`,
    meta: { profile: [REPORT_PROFILE] },
    identifier: [{ system: 'urn:ror:indicateur-snapshot', value: String(snap.id) }],
    status: 'complete',
    type: 'summary',
    measure: `${BASE}/Measure/${measureId}|${snap.referenceVersion}`,
    date: snap.computedAt,
    period,
    group: [{
      population: populations(total),
      measureScore: score(total),
      stratifier: [
        { code: [{ text: 'région' }], stratum: sumBy(rows, (r) => r.region, (r) => r.perimeter, (r) => r.numerator).map((c) => stratum(c, REGION_SYSTEM)) },
        { code: [{ text: 'département' }], stratum: sumBy(rows, (r) => r.departement, (r) => r.perimeter, (r) => r.numerator).map((c) => stratum(c)) },
      ],
    }],
  };
}

/** MeasureReports of a snapshot (population: one; quality: one per rule). */
export async function measureReports(db: Queryable, snap: SnapshotInfo): Promise<Resource[]> {
  if (snap.kind === 'population') {
    const rows = await populationSnapshotRows(db, snap.id);
    return [report(POPULATION_MEASURE_ID, snap, rows.map((r) => ({ region: r.region, departement: r.departement, perimeter: r.perimeterCount, numerator: r.finalised })))];
  }
  const rows = (await qualitySnapshotRows(db, snap.id)).filter((r) => r.region !== '00');
  const rules = [...new Set(rows.map((r) => r.rule))];
  return rules.map((rule) => report(qualityMeasureId(rule), snap, rows.filter((r) => r.rule === rule)
    .map((r) => ({ region: r.region, departement: r.departement, perimeter: r.perimeterCount, numerator: r.perimeterCount - r.deviations }))));
}

/** Writes the Measures and the reports of a snapshot through the store; returns the ids written. */
export async function publishMeasures(store: ResourceStore, snap: SnapshotInfo): Promise<string[]> {
  const resources = [...measures(), ...(await measureReports(store.db, snap))];
  await store.transaction(async (tx) => {
    for (const r of resources) await tx.update(r, MEASURE_CONTEXT);
  });
  return resources.map((r) => `${r.resourceType}/${r.id}`);
}
