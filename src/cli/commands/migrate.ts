import { loadConfig } from '../../config.ts';
import { migrate } from '../../db/migrate.ts';
import { openDatabase } from '../../db/open.ts';
import type { Command } from '../command.ts';

export const command: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations (DATABASE_URL, or the embedded database in ROR_DATA_DIR)',
  async run() {
    const config = loadConfig();
    const db = await openDatabase(config);
    try {
      const applied = await migrate(db, (m) => console.error(m));
      console.log(applied.length ? `${applied.length} migration(s) applied` : 'Database schema up to date');
    } finally {
      await db.close();
    }
  },
};
