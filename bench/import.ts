/**
 * FINESS import benchmark: a file imported twice (the second run must write nothing) through the store
 * the server uses (ROR validation and search index included), on embedded PGlite and on PostgreSQL.
 *   node --import tsx bench/import.ts [<file>] [--engine pglite|postgres|both]
 * Default file: the Yvelines extract (1,623 establishments). Prints time, resources/s and peak RSS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { openDatabase } from '../src/db/open.ts';
import { importFiness } from '../src/ingest/finess/import-finess.ts';
import { defaultFinessDir } from '../src/ingest/reference-data.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';

const file = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : path.join(defaultFinessDir(), 'finess-etablissements-20210108-wgs84-dep78.csv');
const ei = process.argv.indexOf('--engine');
const engine = ei > 0 ? process.argv[ei + 1] : 'both';

async function run(name: string, db: Database): Promise<string[]> {
  const services = await createServices({ ...loadConfig({ ROR_DEMO: '0' }) }, { db });
  const rows: string[] = [];
  try {
    for (const label of ['first import', 're-import (no change)']) {
      const r = await importFiness(services.store, file);
      const mb = Math.round(process.resourceUsage().maxRSS / 1024);
      rows.push(`| ${name} | ${label} | ${r.establishments} | ${r.created} / ${r.updated} / ${r.unchanged} | ${(r.elapsedMs / 1000).toFixed(1)} s | ${r.resourcesPerSecond} | ${mb} MB |`);
      console.error(rows.at(-1));
    }
  } finally {
    await services.close();
  }
  return rows;
}

const out = ['| engine | run | establishments | created / updated / unchanged | time | resources/s | peak RSS |', '|---|---|---|---|---|---|---|'];
if (engine !== 'postgres') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-bench-import-'));
  try {
    out.push(...(await run('pglite', await openDatabase({ dataDir: dir }))));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
if (engine !== 'pglite') {
  const pg = await createPostgresTestDatabase();
  try {
    out.push(...(await run('postgres', await openDatabase({ databaseUrl: pg.url }))));
  } finally {
    await pg.drop();
  }
}
console.log(`${path.basename(file)}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log(out.join('\n'));
