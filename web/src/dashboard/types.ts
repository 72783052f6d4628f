/** The indicator API's answers as the dashboard reads them (src/indicators/routes.ts). */

export interface PopulationRow {
  region?: string;
  departement?: string;
  field?: string;
  perimeterCount: number;
  finalised: number;
  inProgress: number;
  toDo: number;
  rate: number;
}

export interface QualityRow {
  rule?: string;
  perimeterCount: number;
  deviations: number;
  conformity: number;
}

export interface TrendPoint {
  snapshotId: number;
  referenceDate: string;
  rows: PopulationRow[];
}

export interface SegurLine {
  region: string;
  indicator: string;
  baseline: { perimeter: number; finalised: number; rate: number } | null;
  objective: number;
  current: { perimeter: number; finalised: number; rate: number } | null;
  remaining: number | null;
}

export interface Deviation {
  rule: string;
  objectType: 'FinessET' | 'Organization' | 'HealthcareService' | 'FinessET×champ';
  objectId: string;
  finess: string | null;
  region: string;
  departement: string;
  domain: string;
  reason: string | null;
}

/** Overseas régions (INSEE / TRE_R30 codes): not on the metropolitan outline file, named here. */
export const OVERSEAS_REGIONS: Record<string, string> = {
  '01': 'Guadeloupe',
  '02': 'Martinique',
  '03': 'Guyane',
  '04': 'La Réunion',
  '06': 'Mayotte',
};

export const pct = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${(r * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`);
