import { parse } from 'csv-parse';
import { openBytes } from './input.ts';
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

export async function* readFlat(file: string): AsyncGenerator<FinessReadItem> {
  const skipped: LineProblem[] = [];
  const parser = parse({
    delimiter: ';', columns: (header: string[]) => header.map((h) => h.trim()), info: true, bom: true,
    skip_records_with_error: true, relax_quotes: true,
    on_skip: (err) => {
      const line = Number((err as { lines?: number } | undefined)?.lines ?? 0);
      skipped.push({ line, fr: `ligne mal formée (${err?.code ?? 'erreur'})`, en: `malformed line (${err?.message ?? 'error'})` });
      return undefined;
    },
  });
  const bytes = await openBytes(file);
  bytes.on('error', (e) => parser.destroy(e));
  bytes.pipe(parser);
  yield { kind: 'meta', encoding: 'utf8' };
  for await (const row of parser as AsyncIterable<{ record: Row; info: { lines: number } }>) {
    while (skipped.length) yield { kind: 'rejected', problem: skipped.shift()! };
    const r = toEstablishment(row.record, row.info.lines);
    if ('fr' in r) yield { kind: 'rejected', problem: r };
    else yield { kind: 'establishment', record: r };
  }
  while (skipped.length) yield { kind: 'rejected', problem: skipped.shift()! };
}
