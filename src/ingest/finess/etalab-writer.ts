import fs from 'node:fs';
import iconv from 'iconv-lite';
import type { CommuneIndex } from '../geo/commune-index.ts';
import type { FinessEstablishment } from './establishment.ts';
import { GEOLOCALISATION_FIELDS, STRUCTUREET_FIELDS } from './etalab-reader.ts';
import { crsOfDepartement, fromWgs84 } from './projection.ts';

/**
 * Writes establishments in the exact etalab `cs1100507` layout (header line, `structureet` lines, then
 * `geolocalisation` lines with projected coordinates). No full etalab file is available here: this
 * builds faithful fixtures from the real establishments of the WGS84 extracts.
 */

const OVERSEAS_FINESS_DEP: Record<string, string> = { '971': '9A', '972': '9B', '973': '9C', '974': '9D', '975': '9E', '976': '9F' };

function csvField(v: string | undefined): string {
  if (v === undefined) return '';
  return /[;"\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** `38 R THOME-PATENOTRE` → number, street type, street name (FINESS abbreviations are one token). */
function splitStreet(line: string): { numvoie?: string; compvoie?: string; typvoie?: string; voie?: string } {
  const m = /^(\d{1,4})\s+(?:([BTQC])\s+)?(\S+)\s+(.+)$/.exec(line);
  if (m) return { numvoie: m[1], compvoie: m[2], typvoie: m[3], voie: m[4] };
  return { voie: line };
}

/** The structured etalab form of an establishment read from a flat or FHIR extract. */
export function toEtalabRecord(r: FinessEstablishment, communes: CommuneIndex): FinessEstablishment {
  if (r.addressLines === undefined && r.communeCog) return r;
  const [first, ...rest] = r.addressLines ?? [];
  const commune = communes.resolve(r.postalCode, r.city);
  const cogDep = commune ? (commune.code.startsWith('97') ? commune.code.slice(0, 3) : commune.code.slice(0, 2)) : undefined;
  const out: FinessEstablishment = { ...r, ...(first ? splitStreet(first) : {}), lieuditbp: rest.length ? rest.join(' ') : undefined };
  delete out.addressLines;
  if (commune && cogDep) {
    out.departement = OVERSEAS_FINESS_DEP[cogDep] ?? cogDep;
    out.communeCog = commune.code;
  }
  return out;
}

export function structureetLine(r: FinessEstablishment): string {
  const values: Record<string, string | undefined> = {
    ...(r as unknown as Record<string, string | undefined>),
    structureet: 'structureet',
    commune: r.communeCog?.slice(-3),
    ligneacheminement: [r.postalCode, r.city].filter(Boolean).join(' ') || undefined,
  };
  return STRUCTUREET_FIELDS.map((f) => csvField(values[f])).join(';');
}

export function geolocalisationLine(r: FinessEstablishment, source = '1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93'): string | null {
  if (!r.position) return null;
  const crs = crsOfDepartement(r.departement);
  const { x, y } = fromWgs84(r.position, crs);
  const src = crs === 'EPSG:2154' ? source : source.replace(/[^,]*$/, { 'EPSG:5490': 'UTM_N20', 'EPSG:4467': 'UTM_N21', 'EPSG:2972': 'UTM_N22', 'EPSG:4471': 'UTM_S38', 'EPSG:2975': 'UTM_S40' }[crs]);
  const values = [GEOLOCALISATION_FIELDS[0], r.nofinesset, x.toFixed(1), y.toFixed(1), src, r.datemaj];
  return values.map((v) => csvField(v)).join(';');
}

/** Writes an etalab file (UTF-8 or Windows-1252, CRLF like the published files). */
export function writeEtalabFile(
  file: string, records: FinessEstablishment[],
  opts: { snapshotDate?: string; encoding?: 'utf8' | 'win1252'; lineCount?: number } = {},
): void {
  const lines = [`finess;etalab;${opts.lineCount ?? 100};${opts.snapshotDate ?? '2021-01-08'}`];
  for (const r of records) lines.push(structureetLine(r));
  for (const r of records) {
    const g = geolocalisationLine(r);
    if (g) lines.push(g);
  }
  const text = lines.join('\r\n') + '\r\n';
  fs.writeFileSync(file, opts.encoding === 'win1252' ? iconv.encode(text, 'win1252') : Buffer.from(text, 'utf8'));
}
