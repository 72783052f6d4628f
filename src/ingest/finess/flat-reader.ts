import { csvLines } from '../csv-lines.ts';
import { openBytes, type ReadProgress } from './input.ts';
import { field, undoCsvQuoting, type FinessEstablishment, type FinessReadItem, type LineProblem } from './establishment.ts';

/**
 * Reader of the flat `;` CSV derived from the FHIR extract (`finess-etablissements-*-wgs84.csv[.gz]`,
 * data/README.md §1b–c): a header line, one row per ET, WGS84 latitude/longitude, address lines joined by ` | `.
 */

export const FLAT_COLUMNS = [
  'nofinesset', 'nofinessej', 'rs', 'adresse', 'code_postal', 'ville', 'telephone', 'telecopie', 'categetab', 'libcategetab',
  'categagretab', 'libcategagretab', 'siret', 'codeape', 'codesph', 'libsph', 'dateouv', 'datemaj', 'latitude', 'longitude',
] as const;

type Row = Record<(typeof FLAT_COLUMNS)[number], string>;

function toEstablishment(r: Row, line: number): FinessEstablishment | LineProblem {
  const rec: FinessEstablishment = {
    line,
    nofinesset: field(r.nofinesset) ?? '',
    nofinessej: field(r.nofinessej) ?? '',
    rs: undoCsvQuoting(field(r.rs)),
    addressLines: field(r.adresse)?.split('|').map((l) => undoCsvQuoting(l.trim()) ?? '').filter((l) => l !== ''),
    postalCode: field(r.code_postal), city: field(r.ville),
    telephone: field(r.telephone), telecopie: field(r.telecopie),
    categetab: field(r.categetab), libcategetab: field(r.libcategetab),
    categagretab: field(r.categagretab), libcategagretab: field(r.libcategagretab),
    siret: field(r.siret), codeape: field(r.codeape), codesph: field(r.codesph), libsph: field(r.libsph),
    dateouv: field(r.dateouv), datemaj: field(r.datemaj),
  };
  const lat = field(r.latitude);
  const lon = field(r.longitude);
  if (lat !== undefined || lon !== undefined) {
    const latitude = Number(lat);
    const longitude = Number(lon);
    if (lat === undefined || lon === undefined || !Number.isFinite(latitude) || !Number.isFinite(longitude)) {
      return { line, nofinesset: rec.nofinesset, fr: `coordonnées illisibles (« ${r.latitude} », « ${r.longitude} »)`, en: `unreadable coordinates ("${r.latitude}", "${r.longitude}")` };
    }
    rec.position = { latitude, longitude };
  }
  for (const k of Object.keys(rec) as (keyof FinessEstablishment)[]) if (rec[k] === undefined) delete rec[k];
  return rec;
}

export async function* readFlat(file: string, progress?: ReadProgress): AsyncGenerator<FinessReadItem> {
  const bytes = await openBytes(file, progress);
  yield { kind: 'meta', encoding: 'utf8' };
  let header: string[] | null = null;
  for await (const row of csvLines(bytes)) {
    const line = row.line;
    if (!('fields' in row)) {
      yield { kind: 'rejected', problem: { line, fr: `ligne mal formée (${row.error})`, en: `malformed line (${row.error})` } };
      continue;
    }
    if (!header) {
      header = row.fields.map((h) => h.trim());
      const missing = FLAT_COLUMNS.filter((c) => !header!.includes(c));
      if (missing.length) throw new Error(`Colonnes absentes de l'en-tête : ${missing.join(', ')}`);
      continue;
    }
    if (row.fields.length !== header.length) {
      yield {
        kind: 'rejected',
        problem: { line, nofinesset: field(row.fields[0]), fr: `${row.fields.length} champs au lieu de ${header.length}`, en: `${row.fields.length} fields instead of ${header.length}` },
      };
      continue;
    }
    const record = Object.fromEntries(header.map((h, i) => [h, row.fields[i]!])) as Row;
    const r = toEstablishment(record, line);
    if ('fr' in r) yield { kind: 'rejected', problem: r };
    else yield { kind: 'establishment', record: r };
  }
}
