import { Transform, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { csvLines } from '../csv-lines.ts';
import { openBytes, type ReadProgress } from './input.ts';
import { field, type FinessEstablishment, type FinessReadItem, type LineProblem } from './establishment.ts';
import { crsOfSource, toWgs84, type FinessCrs } from './projection.ts';

/**
 * Reader of the official etalab open-data CSV (`etalab-cs1100507-stock-*.csv`, ror-indicators.md §6.2):
 * line 1 `finess;etalab;<n>;<date>`, then `structureet` lines (32 fields) and `geolocalisation` lines
 * (6 fields, projected coordinates). Two streamed passes: the first checks the encoding (UTF-8, else
 * Windows-1252) and keeps only the coordinates by FINESS number; the second yields the establishments.
 */

export const STRUCTUREET_FIELDS = [
  'structureet', 'nofinesset', 'nofinessej', 'rs', 'rslongue', 'complrs', 'compldistrib', 'numvoie', 'typvoie', 'voie',
  'compvoie', 'lieuditbp', 'commune', 'departement', 'libdepartement', 'ligneacheminement', 'telephone', 'telecopie',
  'categetab', 'libcategetab', 'categagretab', 'libcategagretab', 'siret', 'codeape', 'codemft', 'libmft', 'codesph',
  'libsph', 'dateouv', 'dateautor', 'datemaj', 'numuai',
] as const;
export const GEOLOCALISATION_FIELDS = ['geolocalisation', 'nofinesset', 'coordxet', 'coordyet', 'sourcecoordet', 'datemaj'] as const;

export type EtalabEncoding = 'utf8' | 'win1252';

interface Geo {
  x: number;
  y: number;
  source: string;
}

function parseNumber(s: string | undefined): number | undefined {
  const t = field(s);
  if (t === undefined) return undefined;
  const n = Number(t.includes('.') ? t : t.replace(',', '.'));
  return Number.isFinite(n) ? n : NaN;
}

/** COG of a commune from the FINESS département (2 chars) and commune (3 chars) codes. */
export function cogOf(departement: string | undefined, commune: string | undefined): string | undefined {
  if (!departement || !commune || !/^[0-9A-Z]{2}$/.test(departement) || !/^\d{3}$/.test(commune)) return undefined;
  // Overseas départements are coded 9A…9J in FINESS; their COG is 97x / 98x + the commune's 2 last digits.
  if (/^9[A-Z]$/.test(departement)) return (departement <= '9F' ? '97' : '98') + commune;
  return departement + commune;
}

/** Pass 1: is the whole file valid UTF-8, and the coordinates of each establishment. */
async function scan(file: string, problems: LineProblem[]): Promise<{ encoding: EtalabEncoding; geo: Map<string, Geo> }> {
  const geo = new Map<string, Geo>();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let utf8 = true;
  // Latin-1 maps bytes 1:1, enough to split fields: separators and quotes are ASCII in both encodings.
  const latin1 = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (utf8) {
        try {
          decoder.decode(chunk, { stream: true });
        } catch {
          utf8 = false;
        }
      }
      done(null, chunk.toString('latin1'));
    },
    flush(done) {
      if (utf8) {
        try {
          decoder.decode();
        } catch {
          utf8 = false;
        }
      }
      done();
    },
  });
  const bytes = await openBytes(file);
  bytes.on('error', (e) => latin1.destroy(e));
  for await (const row of csvLines(bytes.pipe(latin1))) {
    if (!('fields' in row)) continue; // reported by pass 2
    const f = row.fields;
    if (f[0]?.trim() !== 'geolocalisation') continue;
    const line = row.line;
    const nofinesset = field(f[1]) ?? '';
    const x = parseNumber(f[2]);
    const y = parseNumber(f[3]);
    const source = field(f[4]) ?? '';
    if (x === undefined && y === undefined) continue; // not geocoded
    if (x === undefined || y === undefined || Number.isNaN(x) || Number.isNaN(y)) {
      problems.push({
        line, nofinesset,
        fr: `coordonnées illisibles (X « ${f[2] ?? ''} », Y « ${f[3] ?? ''} »)`,
        en: `unreadable coordinates (X "${f[2] ?? ''}", Y "${f[3] ?? ''}")`,
      });
      continue;
    }
    geo.set(nofinesset, { x, y, source });
  }
  return { encoding: utf8 ? 'utf8' : 'win1252', geo };
}

function toEstablishment(f: string[], line: number, geo: Geo | undefined): FinessEstablishment {
  const get = (name: (typeof STRUCTUREET_FIELDS)[number]) => field(f[STRUCTUREET_FIELDS.indexOf(name)]);
  const acheminement = get('ligneacheminement');
  const m = acheminement ? /^(\d{5})\s*(.*)$/.exec(acheminement) : null;
  const departement = get('departement');
  const rec: FinessEstablishment = {
    line,
    nofinesset: get('nofinesset') ?? '',
    nofinessej: get('nofinessej') ?? '',
    rs: get('rs'), rslongue: get('rslongue'), complrs: get('complrs'), compldistrib: get('compldistrib'),
    numvoie: get('numvoie'), typvoie: get('typvoie'), voie: get('voie'), compvoie: get('compvoie'), lieuditbp: get('lieuditbp'),
    communeCog: cogOf(departement, get('commune')), departement, libdepartement: get('libdepartement'),
    postalCode: m ? m[1] : undefined, city: m ? field(m[2]) : acheminement,
    telephone: get('telephone'), telecopie: get('telecopie'),
    categetab: get('categetab'), libcategetab: get('libcategetab'), categagretab: get('categagretab'), libcategagretab: get('libcategagretab'),
    siret: get('siret'), codeape: get('codeape'), codemft: get('codemft'), libmft: get('libmft'), codesph: get('codesph'), libsph: get('libsph'),
    dateouv: get('dateouv'), dateautor: get('dateautor'), datemaj: get('datemaj'), numuai: get('numuai'),
  };
  if (geo) {
    const crs: FinessCrs = crsOfSource(geo.source, departement);
    rec.coordinates = { ...geo, crs };
    rec.position = toWgs84(geo.x, geo.y, crs);
  }
  for (const k of Object.keys(rec) as (keyof FinessEstablishment)[]) if (rec[k] === undefined) delete rec[k];
  return rec;
}

/** Streams the establishments of an etalab CSV file; bad lines come out as `rejected` items with their line number. */
export async function* readEtalab(file: string, progress?: ReadProgress): AsyncGenerator<FinessReadItem> {
  const problems: LineProblem[] = [];
  const { encoding, geo } = await scan(file, problems);
  for (const p of problems) yield { kind: 'rejected', problem: p };

  const bytes = await openBytes(file, progress);
  const text = bytes.pipe(iconv.decodeStream(encoding === 'utf8' ? 'utf8' : 'win1252')) as unknown as Readable;
  bytes.on('error', (e) => text.destroy(e));
  for await (const row of csvLines(text)) {
    const line = row.line;
    if (!('fields' in row)) {
      yield { kind: 'rejected', problem: { line, fr: `ligne CSV mal formée (${row.error})`, en: `malformed CSV line (${row.error})` } };
      continue;
    }
    const f = row.fields;
    const kind = f[0]?.trim();
    if (kind === 'finess' && f[1]?.trim() === 'etalab') {
      const date = field(f[3]);
      yield { kind: 'meta', encoding, snapshotDate: date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : undefined };
      continue;
    }
    if (kind !== 'structureet') continue; // geolocalisation lines were joined in pass 1; other sections ignored
    // The last field (numuai) is mostly empty; some writers add one more empty field after it.
    const n = f.length === 33 && field(f[32]) === undefined ? 32 : f.length;
    if (n !== 32) {
      yield {
        kind: 'rejected',
        problem: { line, nofinesset: field(f[1]), fr: `ligne structureet de ${f.length} champs (32 attendus)`, en: `structureet line with ${f.length} fields (32 expected)` },
      };
      continue;
    }
    yield { kind: 'establishment', record: toEstablishment(f, line, geo.get(field(f[1]) ?? '')) };
  }
}
