import type { Migration } from '../migrate.ts';
import { loadNosMigration } from '../../terminology/load-nos-migration.ts';
import { loadCommunes } from '../../search/geo/communes.ts';
import { loadQuestionnairesMigration } from '../../templates/entry-templates.ts';

/** Migrations written as code (data loads). SQL migrations are the `.sql` files of this folder. */
export const codeMigrations: Migration[] = [
  loadNosMigration, // 011_load_nos
  { id: '021_commune', run: async (tx) => void (await loadCommunes(tx)) },
  loadQuestionnairesMigration, // 090_load_questionnaires
];
