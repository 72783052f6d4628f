import fs from 'node:fs';
import { loadConfig } from '../../config.ts';
import { migrate } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { importFinessAuthorisations } from '../../indicators/finess-authorisations.ts';
import type { Command } from '../command.ts';

/** `ror import finess-authorisations <file> [--dry-run] [--json]`: FINESS activité / modalité / forme authorisations (cs1400103 fields). */
export const command: Command = {
  name: 'import-finess-authorisations',
  summary: 'Import FINESS health-care activity authorisations (CSV with the cs1400103 fields) for the population target',
  usage: 'ror import finess-authorisations <file> [--dry-run] [--json]',
  async run(args) {
    const file = args.find((a) => !a.startsWith('--'));
    if (!file || !fs.existsSync(file)) {
      console.error(file ? `Fichier introuvable : ${file}` : `Usage : ${this.usage}`);
      return 2;
    }
    const config = loadConfig();
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrate(db, (m) => console.error(m));
      const r = await importFinessAuthorisations(db, file, { dryRun: args.includes('--dry-run') });
      if (args.includes('--json')) console.log(JSON.stringify(r));
      else {
        console.log(
          [
            `Import des autorisations FINESS ${r.dryRun ? "(simulation, rien n'est écrit) " : ''}de ${r.file} — encodage ${r.encoding}`,
            `  lignes lues ${r.read}, autorisations enregistrées ${r.imported}, rejetées ${r.rejected}`,
            ...r.rejectedLines.slice(0, 50).map((p) => `    ligne ${p.line} : ${p.fr}`),
            `  durée ${(r.elapsedMs / 1000).toFixed(1)} s`,
          ].join('\n'),
        );
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
