import fs from 'node:fs';
import path from 'node:path';
import { defaultNosDir } from '../reference-data.ts';

/** The NOS tables the FINESS mapping needs: category → aggregate (ASS_X10), and labels of the ROR value sets. */
export interface FinessNos {
  /** TRE_R66 category → its TRE_R65 aggregate (and levels above), from ASS_X10. */
  aggregateOf(categetab: string): { agregat: string; niveau2: string; niveau1: string; domaine: string } | undefined;
  /** Label of a TRE_R66 category in JDV_J55-CategorieEG-ROR. */
  categoryLabel(categetab: string): string | undefined;
  /** Label of an SPH / ESPIC code in JDV_J202-ESPIC-ROR. */
  sphLabel(code: string): string | undefined;
}

const TRE_R66_OID = '1.2.250.1.213.1.6.1.8';

function tabsRows(file: string): string[][] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .slice(3)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(';'));
}

/** Reads ASS_X10, JDV_J55 and JDV_J202 from the NOS folder. */
export function loadFinessNos(nosDir = defaultNosDir()): FinessNos {
  const aggregates = new Map<string, { agregat: string; niveau2: string; niveau1: string; domaine: string }>();
  for (const [niveau1, niveau2, agregat, categorie, domaine] of tabsRows(path.join(nosDir, 'ASS_X10-AgregatCategorieEtablissement.tabs'))) {
    if (categorie && agregat) aggregates.set(categorie, { agregat, niveau2: niveau2 ?? '', niveau1: niveau1 ?? '', domaine: domaine ?? '' });
  }
  const categories = new Map<string, string>();
  for (const [oid, code, label] of tabsRows(path.join(nosDir, 'JDV_J55-CategorieEG-ROR.tabs'))) {
    if (oid === TRE_R66_OID && code && label) categories.set(code, label);
  }
  const sph = new Map<string, string>();
  for (const [, code, label] of tabsRows(path.join(nosDir, 'JDV_J202-ESPIC-ROR.tabs'))) if (code && label) sph.set(code, label);
  return {
    aggregateOf: (c) => aggregates.get(c),
    categoryLabel: (c) => categories.get(c),
    sphLabel: (c) => sph.get(c),
  };
}
