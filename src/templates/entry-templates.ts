/**
 * Entry templates ("modèles de saisie", ror-ig.md §1.10): FHIR Questionnaires per establishment category
 * (useContext catEG, TRE_R66 / JDV_J55) and per profession (catPS, TRE_G15 / JDV_J229) that decide which fields
 * the web forms show and require. They are data (questionnaires/*.json), loaded by the code migration
 * 090_load_questionnaires and served on /fhir/Questionnaire like any resource.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from '../db/database.ts';
import type { Migration } from '../db/migrate.ts';
import type { Resource } from '../fhir/types.ts';
import { createSearchIndexer } from '../search/indexer.ts';
import type { RequestContext } from '../store/context.ts';
import { ResourceStore } from '../store/resource-store.ts';

export const TEMPLATES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'questionnaires');

const nos = (name: string) => `https://mos.esante.gouv.fr/NOS/${name}/FHIR/${name.replace('_', '-')}`;
/** useContext code systems of the ROR templates and the value systems they point to. */
export const TEMPLATE_CONTEXT = {
  structureType: nos('TRE_R67-TypeStructure-EJ-EG'),
  egCategory: nos('TRE_R66-CategorieEtablissement'),
  professionType: nos('TRE_R288-TypeProfession'),
  profession: nos('TRE_G15-ProfessionSante'),
  field: nos('TRE_R227-ChampActivite'),
} as const;

/** The template Questionnaires shipped with the server, by id. */
export function entryTemplates(dir = TEMPLATES_DIR): Resource[] {
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Resource);
}

const TEMPLATE_CONTEXT_ACTOR: RequestContext = { actor: { id: 'system:modeles-saisie', kind: 'system' }, source: 'cli' };

/**
 * Writes the shipped templates through the store (history, search index, audit); an unchanged template
 * writes nothing. Validation is left to the tests (the terminology is not loaded inside a migration).
 */
export async function loadEntryTemplates(tx: Queryable, store?: ResourceStore): Promise<number> {
  // Only the *With(tx) methods are used: the store's own database handle is never touched here.
  const s = store ?? new ResourceStore(undefined as unknown as Database, { indexers: [createSearchIndexer()] });
  let written = 0;
  for (const q of entryTemplates()) {
    const r = await s.updateWith(tx, q, TEMPLATE_CONTEXT_ACTOR);
    if (r.outcome !== 'unchanged') written++;
  }
  return written;
}

export const loadQuestionnairesMigration: Migration = {
  id: '090_load_questionnaires',
  run: async (tx) => void (await loadEntryTemplates(tx)),
};
