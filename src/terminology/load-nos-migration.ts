import fs from 'node:fs';
import type { Migration } from '../db/migrate.ts';
import { importNos } from './import-nos.ts';
import { defaultIgDir, defaultNosDir } from './nos-terminology.ts';

/**
 * Code migration 011: fills the terminology tables from the NOS files and the IG's own
 * CodeSystem/ValueSet files (`ROR_NOS_DIR`, `ROR_IG_DIR`). Without the NOS folder it loads nothing
 * (the tables stay empty until `ror import nos <dir>`).
 */
export const loadNosMigration: Migration = {
  id: '011_load_nos',
  async run(tx) {
    const dirs = [defaultNosDir(), defaultIgDir()].filter((d) => fs.existsSync(d));
    if (!fs.existsSync(defaultNosDir())) return;
    await importNos(tx, dirs);
  },
};
