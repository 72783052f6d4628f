/**
 * FINESS authorisations of health-care activities (activité / modalité / forme) for the sanitaire target
 * (ror-indicators.md §2.1, field set of the XML convention cs1400103, §6.3): a `;`-separated CSV whose
 * header names those fields, read as a stream. The file is the current stock: it replaces the table in
 * one transaction; a bad line is rejected with its line number, the others are kept.
 */
import { PassThrough, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import type { Database } from '../db/database.ts';
import { csvLines } from '../ingest/csv-lines.ts';
import { openBytes } from '../ingest/finess/input.ts';

/** The cs1400103 fields, in their XSD order. */
export const AUTHORISATION_FIELDS = [
  'nofinessej', 'rsej', 'activite', 'libactivite', 'modalite', 'libmodalite', 'forme', 'libforme', 'noautor', 'dateautor',
  'indnatlien', 'nofinesset', 'rset', 'noligautor', 'noautorarhgos', 'noimplarhgos', 'sectpsy', 'datemeo', 'datefin',
  'datelimite', 'indcaduc', 'daterenouv', 'indrenouv', 'indsupact', 'indsupsite', 'datemajact', 'datemajsite',
] as const;
/** Fields without which a line means nothing for the target. */
const REQUIRED = ['nofinesset', 'activite'] as const;

export interface RejectedLine {
  line: number;
  fr: string;
  en: string;
}

export interface AuthorisationImportReport {
  file: string;
  encoding: 'utf8' | 'windows-1252';
  read: number;
  imported: number;
  rejected: number;
  rejectedLines: RejectedLine[];
  dryRun: boolean;
  elapsedMs: number;
}

const FINESS_NUMBER = /^[0-9][0-9AB][0-9]{7}$/;
const CODE = /^[0-9A-Z]{1,4}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** FINESS XML dates may come as AAAA-MM-JJ or JJ/MM/AAAA in spreadsheet exports. */
function isoDate(v: string): string | null | undefined {
  if (!v) return null;
  if (DATE.test(v)) return Number.isNaN(Date.parse(v)) ? undefined : v;
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : undefined;
}

/** UTF-8 unless the first 64 KB are not valid UTF-8 (legacy FINESS exports are Windows-1252). */
async function decoded(file: string): Promise<{ stream: Readable; encoding: AuthorisationImportReport['encoding'] }> {
  const probe = await openBytes(file);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of probe) {
    chunks.push(c as Buffer);
    size += (c as Buffer).length;
    if (size >= 65536) break;
  }
  probe.destroy();
  let utf8 = true;
  try {
    // A multi-byte character cut at the probe's end is not an error: drop the last 3 bytes.
    new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks).subarray(0, size >= 65536 ? size - 3 : size));
  } catch {
    utf8 = false;
  }
  const bytes = await openBytes(file);
  if (utf8) return { stream: bytes, encoding: 'utf8' };
  return { stream: bytes.pipe(iconv.decodeStream('win1252')).pipe(new PassThrough()), encoding: 'windows-1252' };
}

type Row = Record<(typeof AUTHORISATION_FIELDS)[number], string>;

interface Parsed {
  values: unknown[];
  key: string;
}

function parseRow(r: Row, line: number): Parsed | RejectedLine {
  for (const f of REQUIRED) if (!r[f]) return { line, fr: `champ ${f} vide`, en: `empty ${f} field` };
  if (!FINESS_NUMBER.test(r.nofinesset)) return { line, fr: `numéro FINESS ET invalide « ${r.nofinesset} »`, en: `invalid FINESS ET number "${r.nofinesset}"` };
  if (r.nofinessej && !FINESS_NUMBER.test(r.nofinessej)) return { line, fr: `numéro FINESS EJ invalide « ${r.nofinessej} »`, en: `invalid FINESS EJ number "${r.nofinessej}"` };
  for (const f of ['activite', 'modalite', 'forme'] as const) {
    if (r[f] && !CODE.test(r[f])) return { line, fr: `code ${f} invalide « ${r[f]} »`, en: `invalid ${f} code "${r[f]}"` };
  }
  const dates: Record<string, string | null> = {};
  for (const f of ['dateautor', 'datemeo', 'datefin'] as const) {
    const d = isoDate(r[f]);
    if (d === undefined) return { line, fr: `date ${f} invalide « ${r[f]} » (AAAA-MM-JJ attendu)`, en: `invalid ${f} date "${r[f]}" (YYYY-MM-DD expected)` };
    dates[f] = d;
  }
  for (const f of ['indcaduc', 'indsupact'] as const) {
    if (r[f] && !/^[ON]$/.test(r[f])) return { line, fr: `indicateur ${f} invalide « ${r[f]} » (O ou N)`, en: `invalid ${f} flag "${r[f]}" (O or N)` };
  }
  const values = [
    r.nofinesset, r.nofinessej || null, r.activite, r.modalite ?? '', r.forme ?? '', r.noautor ?? '',
    dates.dateautor, dates.datemeo, dates.datefin, r.indcaduc || null, r.indsupact || null, line,
  ];
  return { values, key: [r.nofinesset, r.activite, r.modalite, r.forme, r.noautor].join('|') };
}

const BATCH = 500;
const COLUMNS = 'nofinesset, nofinessej, activite, modalite, forme, noautor, dateautor, datemeo, datefin, indcaduc, indsupact, source_line';
const ROLLBACK = Symbol('dry run');

/** Reads `file` and replaces the stored authorisations with its valid lines (nothing written in a dry run). */
export async function importFinessAuthorisations(db: Database, file: string, opts: { dryRun?: boolean } = {}): Promise<AuthorisationImportReport> {
  const started = Date.now();
  const { stream, encoding } = await decoded(file);
  const report: AuthorisationImportReport = { file, encoding, read: 0, imported: 0, rejected: 0, rejectedLines: [], dryRun: !!opts.dryRun, elapsedMs: 0 };
  const reject = (p: RejectedLine) => {
    report.rejected++;
    if (report.rejectedLines.length < 1000) report.rejectedLines.push(p);
  };
  const seen = new Map<string, number>();
  try {
    await db.transaction(async (tx) => {
      await tx.query('DELETE FROM finess_authorisation');
      let header: string[] | null = null;
      let batch: unknown[][] = [];
      const flush = async () => {
        if (!batch.length) return;
        const n = 12;
        const placeholders = batch.map((_, i) => `(${Array.from({ length: n }, (_, j) => `$${i * n + j + 1}`).join(', ')})`).join(', ');
        await tx.query(`INSERT INTO finess_authorisation (${COLUMNS}) VALUES ${placeholders}`, batch.flat());
        report.imported += batch.length;
        batch = [];
      };
      for await (const row of csvLines(stream)) {
        if (!('fields' in row)) {
          reject({ line: row.line, fr: `ligne mal formée (${row.error})`, en: `malformed line (${row.error})` });
          continue;
        }
        const fields = row.fields.map((f) => f.trim());
        if (!header) {
          header = fields.map((h) => h.replace(/^\uFEFF/, '').toLowerCase());
          const missing = REQUIRED.filter((c) => !header!.includes(c));
          if (missing.length) throw new Error(`Colonnes absentes de l'en-tête : ${missing.join(', ')} (champs attendus : ${AUTHORISATION_FIELDS.join(';')})`);
          continue;
        }
        if (fields.length === 1 && fields[0] === '') continue;
        report.read++;
        if (fields.length !== header.length) {
          reject({ line: row.line, fr: `${fields.length} champs au lieu de ${header.length}`, en: `${fields.length} fields instead of ${header.length}` });
          continue;
        }
        const record = Object.fromEntries(AUTHORISATION_FIELDS.map((f) => [f, ''])) as Row;
        header.forEach((h, i) => {
          if ((AUTHORISATION_FIELDS as readonly string[]).includes(h)) record[h as keyof Row] = fields[i]!;
        });
        const parsed = parseRow(record, row.line);
        if ('fr' in parsed) {
          reject(parsed);
          continue;
        }
        const first = seen.get(parsed.key);
        if (first !== undefined) {
          reject({ line: row.line, fr: `autorisation déjà lue ligne ${first}`, en: `authorisation already read on line ${first}` });
          continue;
        }
        seen.set(parsed.key, row.line);
        batch.push(parsed.values);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      if (opts.dryRun) throw ROLLBACK;
    });
  } catch (err) {
    if (err !== ROLLBACK) throw err;
  }
  report.elapsedMs = Date.now() - started;
  return report;
}
