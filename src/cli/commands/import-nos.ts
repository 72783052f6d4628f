import fs from 'node:fs';
import { loadConfig } from '../../config.ts';
import { migrate } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import { importNos } from '../../terminology/import-nos.ts';
import type { Command } from '../command.ts';

/** `ror import nos <dir>…`: loads or refreshes the NOS nomenclatures (TRE/JDV files) of the folders. */
export const command: Command = {
  name: 'import-nos',
  summary: 'Load or refresh the NOS nomenclatures (TRE_/JDV_ .tabs and FHIR JSON files) from folders',
  usage: 'ror import nos <dir> [<dir>…]',
  async run(args) {
    const dirs = args.filter((a) => !a.startsWith('-'));
    // Reached as `ror import nos <dir>`: the router may pass the `nos` word along.
    if (dirs[0] === 'nos' && !fs.existsSync('nos')) dirs.shift();
    if (!dirs.length) {
      console.error('Usage : ror import nos <dossier> [<dossier>…]');
      return 2;
    }
    for (const d of dirs) {
      if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) {
        console.error(`Dossier introuvable : ${d}`);
        return 2;
      }
    }
    const db = await openDatabase(loadConfig());
    try {
      await migrate(db, (m) => console.error(m));
      const report = await importNos(db, dirs, (m) => console.error(m));
      const t = { read: 0, added: 0, updated: 0, retired: 0, unchanged: 0 };
      for (const f of report.files) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += f[k];
      const loaded = report.files.filter((f) => f.kind !== 'skipped').length;
      console.log(
        `${loaded} file(s) imported: ${t.read} read, ${t.added} added, ${t.updated} updated, ${t.retired} retired, ${t.unchanged} unchanged`,
      );
      return 0;
    } finally {
      await db.close();
    }
  },
};
