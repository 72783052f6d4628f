import type { LatLon, FinessCrs } from './projection.ts';

/**
 * One FINESS establishment (ET / EG) as read from any of the three file shapes, normalised:
 * codes kept as strings, empty fields absent. `line` is the line number of its record in the file.
 */
export interface FinessEstablishment {
  line: number;
  nofinesset: string;
  nofinessej: string;
  rs?: string;
  rslongue?: string;
  complrs?: string;
  compldistrib?: string;
  numvoie?: string;
  typvoie?: string;
  voie?: string;
  compvoie?: string;
  lieuditbp?: string;
  /** Free address lines, when the source gives no structured address (FHIR ndjson, flat CSV). */
  addressLines?: string[];
  /** Commune COG (5 chars), when the source gives it (etalab: departement + commune). */
  communeCog?: string;
  /** FINESS département code (2 chars: `78`, `2A`, `9D`…). */
  departement?: string;
  libdepartement?: string;
  postalCode?: string;
  city?: string;
  telephone?: string;
  telecopie?: string;
  categetab?: string;
  libcategetab?: string;
  categagretab?: string;
  libcategagretab?: string;
  siret?: string;
  codeape?: string;
  codemft?: string;
  libmft?: string;
  codesph?: string;
  libsph?: string;
  dateouv?: string;
  dateautor?: string;
  datemaj?: string;
  numuai?: string;
  /** WGS84 position (given, or projected from the raw coordinates). */
  position?: LatLon;
  /** Raw projected coordinates of an etalab `geolocalisation` line. */
  coordinates?: { x: number; y: number; source: string; crs: FinessCrs };
}

/** Why a line was rejected: a French message for people, an English one for integrators. */
export interface LineProblem {
  line: number;
  fr: string;
  en: string;
  /** The FINESS ET number, when it could be read. */
  nofinesset?: string;
}

/** A reader's output: an establishment, a rejected line, or what the file says about itself. */
export type FinessReadItem =
  | { kind: 'establishment'; record: FinessEstablishment }
  | { kind: 'rejected'; problem: LineProblem }
  | { kind: 'meta'; encoding?: 'utf8' | 'win1252'; snapshotDate?: string };

export const FINESS_NUMBER = /^[0-9][0-9A-Z][0-9]{7}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** `undefined` for an empty or blank field, else the trimmed text. */
export function field(v: string | undefined | null): string | undefined {
  if (v === undefined || v === null) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/**
 * Undoes the CSV quoting left in text by the third-party FHIR conversion (1,722 names such as
 * `"EHPAD ""LE CORNILLON"" ST RAMBERT"`): the name is `EHPAD "LE CORNILLON" ST RAMBERT`.
 */
export function undoCsvQuoting(s: string | undefined): string | undefined {
  if (s === undefined || s.length < 2 || !s.startsWith('"') || !s.endsWith('"')) return s;
  const inner = s.slice(1, -1);
  // Only a well-formed quoted field: every inner quote doubled.
  if (inner.replace(/""/g, '').includes('"')) return s;
  return field(inner.replace(/""/g, '"'));
}

/** Checks the fields a resource is built from; the first problem found rejects the line. */
export function checkEstablishment(r: FinessEstablishment): LineProblem | null {
  const bad = (fr: string, en: string): LineProblem => ({ line: r.line, fr, en, nofinesset: r.nofinesset || undefined });
  if (!FINESS_NUMBER.test(r.nofinesset ?? '')) {
    return bad(`numéro FINESS ET invalide « ${r.nofinesset ?? ''} » (9 caractères attendus)`, `invalid FINESS ET number "${r.nofinesset ?? ''}" (9 characters expected)`);
  }
  if (!FINESS_NUMBER.test(r.nofinessej ?? '')) {
    return bad(`numéro FINESS EJ invalide « ${r.nofinessej ?? ''} »`, `invalid FINESS EJ number "${r.nofinessej ?? ''}"`);
  }
  for (const [name, value] of [['dateouv', r.dateouv], ['dateautor', r.dateautor], ['datemaj', r.datemaj]] as const) {
    if (value !== undefined && !validDate(value)) {
      return bad(`date ${name} invalide « ${value} » (AAAA-MM-JJ attendu)`, `invalid date ${name} "${value}" (YYYY-MM-DD expected)`);
    }
  }
  if (r.siret !== undefined && !/^\d{14}$/.test(r.siret)) return bad(`SIRET invalide « ${r.siret} » (14 chiffres)`, `invalid SIRET "${r.siret}" (14 digits)`);
  if (r.categetab !== undefined && !/^\d{3}$/.test(r.categetab)) return bad(`catégorie d'établissement invalide « ${r.categetab} »`, `invalid establishment category "${r.categetab}"`);
  if (r.categagretab !== undefined && !/^\d{4}$/.test(r.categagretab)) return bad(`agrégat de catégorie invalide « ${r.categagretab} »`, `invalid category aggregate "${r.categagretab}"`);
  if (r.postalCode !== undefined && !/^\d{5}$/.test(r.postalCode)) return bad(`code postal invalide « ${r.postalCode} »`, `invalid postcode "${r.postalCode}"`);
  if (r.codesph !== undefined && !/^\d$/.test(r.codesph)) return bad(`code SPH invalide « ${r.codesph} »`, `invalid SPH code "${r.codesph}"`);
  if (r.position) {
    const { latitude, longitude } = r.position;
    if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
      return bad(`coordonnées invalides (${latitude}, ${longitude})`, `invalid coordinates (${latitude}, ${longitude})`);
    }
  }
  return null;
}

/** True for the overseas establishments (FINESS numbers 97…/98… and départements 9A–9J). */
export function isOverseas(nofinesset: string): boolean {
  return /^9[7-9A-J]/.test(nofinesset);
}
