import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { openBytes, type ReadProgress } from '../finess/input.ts';
import { field, type LineProblem } from '../finess/establishment.ts';
import { defaultNosDir } from '../reference-data.ts';

/**
 * Reader of the Annuaire Santé extraction `PS_LibreAcces_SavoirFaire`: every savoir-faire of every
 * professional (spécialités ordinales, compétences, capacités, DESC…), one per line, `|`-separated with a
 * header line and a trailing `|` like the activity file. Columns are found by their header names (the
 * identity columns of the activity file, then `Code type savoir-faire`, `Libellé type savoir-faire`,
 * `Code savoir-faire`, `Libellé savoir-faire`), so extra or reordered columns do not matter. Streamed.
 */

export const SAVOIR_FAIRE_COLUMNS = {
  idNatPS: 'Identification nationale PP',
  typeCode: 'Code type savoir-faire',
  type: 'Libellé type savoir-faire',
  code: 'Code savoir-faire',
  label: 'Libellé savoir-faire',
} as const;

export interface SavoirFaireLine {
  line: number;
  idNatPS: string;
  /** TRE_R04-TypeSavoirFaire code (S, CEX, C, CAPA, DNQ, DEC, OP, PAC, FQ, SH). */
  typeCode: string;
  type?: string;
  code: string;
  label?: string;
}

export type SavoirFaireReadItem = { kind: 'savoir-faire'; record: SavoirFaireLine } | { kind: 'rejected'; problem: LineProblem };

/** Whether a `|`-separated header line is the SavoirFaire file's (it has no practice columns). */
export function isSavoirFaireHeader(header: string): boolean {
  const names = header.replace(/^\uFEFF/, '').split('|').map((h) => h.trim());
  return names.includes(SAVOIR_FAIRE_COLUMNS.code) && names.includes(SAVOIR_FAIRE_COLUMNS.idNatPS) && !names.includes('Code mode exercice');
}

/** The first line of a file (the header), read without loading the file. */
export async function firstLine(file: string): Promise<string> {
  const lines = readline.createInterface({ input: await openBytes(file), crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

let types: Set<string> | undefined;
/** The codes of TRE_R04-TypeSavoirFaire (shared/data/nos). */
export function savoirFaireTypes(): Set<string> {
  types ??= new Set(
    fs.readFileSync(path.join(defaultNosDir(), 'TRE_R04-TypeSavoirFaire.tabs'), 'utf8')
      .split('\n').slice(3).map((l) => l.split(';')[1]?.trim()).filter((c): c is string => !!c),
  );
  return types;
}

export async function* readSavoirFaire(file: string, progress?: ReadProgress): AsyncGenerator<SavoirFaireReadItem> {
  const lines = readline.createInterface({ input: await openBytes(file, progress), crlfDelay: Infinity });
  const known = savoirFaireTypes();
  let n = 0;
  let index: Record<keyof typeof SAVOIR_FAIRE_COLUMNS, number> | null = null;
  let width = 0;
  for await (let text of lines) {
    n++;
    if (n === 1) text = text.replace(/^\uFEFF/, '');
    if (text === '') continue;
    const f = text.split('|');
    if (!index) {
      const header = f.map((h) => h.trim());
      const at = (name: string) => header.indexOf(name);
      const missing = Object.values(SAVOIR_FAIRE_COLUMNS).filter((name) => at(name) < 0);
      if (missing.length) throw new Error(`En-tête du fichier SavoirFaire inattendu : colonnes absentes ${missing.join(', ')}`);
      index = {
        idNatPS: at(SAVOIR_FAIRE_COLUMNS.idNatPS), typeCode: at(SAVOIR_FAIRE_COLUMNS.typeCode), type: at(SAVOIR_FAIRE_COLUMNS.type),
        code: at(SAVOIR_FAIRE_COLUMNS.code), label: at(SAVOIR_FAIRE_COLUMNS.label),
      };
      width = f.length;
      continue;
    }
    const bad = (fr: string, en: string): SavoirFaireReadItem => ({ kind: 'rejected', problem: { line: n, fr, en } });
    if (f.length !== width) {
      yield bad(`${f.length} champs au lieu de ${width}`, `${f.length} fields instead of ${width}`);
      continue;
    }
    const idNatPS = field(f[index.idNatPS]);
    const typeCode = field(f[index.typeCode]);
    const code = field(f[index.code]);
    if (!idNatPS || !/^\d{10,12}$/.test(idNatPS)) {
      yield bad(`identifiant national PP invalide « ${idNatPS ?? ''} »`, `invalid national PP identifier "${idNatPS ?? ''}"`);
      continue;
    }
    if (!typeCode || !known.has(typeCode)) {
      yield bad(`type de savoir-faire inconnu « ${typeCode ?? ''} » (TRE_R04)`, `unknown savoir-faire type "${typeCode ?? ''}" (TRE_R04)`);
      continue;
    }
    if (!code) {
      yield bad('code savoir-faire absent', 'missing savoir-faire code');
      continue;
    }
    const type = field(f[index.type]);
    const label = field(f[index.label]);
    yield { kind: 'savoir-faire', record: { line: n, idNatPS, typeCode, code, ...(type ? { type } : {}), ...(label ? { label } : {}) } };
  }
}
