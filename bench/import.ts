/**
 * Register import benchmark: a file imported twice (the second run must write nothing) through the store
 * the server uses (ROR validation and search index included), on embedded PGlite and on PostgreSQL
 * (a scratch database, dropped at the end).
 *   node --import tsx bench/import.ts [<finess file>] [--engine pglite|postgres|both] [--once]
 *   node --import tsx bench/import.ts --rpps <lines> [--engine …] [--once]
 * Default file: the Yvelines extract (1,623 establishments). `--rpps N` generates a synthetic
 * PS_LibreAcces_Personne_activite file of N lines in the temporary folder (bench/rpps-synthetic.ts) and
 * imports it. `--once`: the first import only. `--sql <statements>`: run on the database after its migrations,
 * before the import (trials). Session settings go through libpq's PGOPTIONS (`PGOPTIONS='-c name=value'`).
 * Prints time, resources/s and peak RSS (of this process).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { openDatabase } from '../src/db/open.ts';
import { importFiness } from '../src/ingest/finess/import-finess.ts';
import { importRpps } from '../src/ingest/rpps/import-rpps.ts';
import { defaultFinessDir } from '../src/ingest/reference-data.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';
import { writeSyntheticRpps } from './rpps-synthetic.ts';
import { timed, timings } from './statement-timings.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const engine = arg('--engine') ?? 'both';
const rppsLines = arg('--rpps') ? Number(arg('--rpps')) : undefined;
const once = process.argv.includes('--once');
let file = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : path.join(defaultFinessDir(), 'finess-etablissements-20210108-wgs84-dep78.csv');
let tmpDir: string | undefined;
if (rppsLines) {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-bench-rpps-'));
  file = path.join(tmpDir, `PS_LibreAcces_Personne_activite_synthetic_${rppsLines}.txt`);
  const t0 = Date.now();
  const g = await writeSyntheticRpps(file, rppsLines);
  console.error(`generated ${rppsLines} lines (${g.professionals} professionals, ${g.structures} structures, ${Math.round(fs.statSync(file).size / 1e6)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const concurrency = arg('--concurrency') ? Number(arg('--concurrency')) : undefined;

async function run(name: string, plain: Database): Promise<string[]> {
  const db = process.argv.includes('--timings') ? timed(plain) : plain;
  const services = await createServices({ ...loadConfig({ ROR_DEMO: '0' }) }, { db });
  // A trial on the scratch database once migrated (an index dropped, a storage parameter changed).
  if (arg('--sql')) await plain.exec(arg('--sql')!);
  const rows: string[] = [];
  try {
    for (const label of once ? ['first import'] : ['first import', 're-import (no change)']) {
      let last = 0;
      const onProgress = (p: { read: number; created: number; updated: number; unchanged: number; elapsedMs: number }) => {
        if (p.elapsedMs - last < 10000) return;
        last = p.elapsedMs;
        console.error(`  ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.read} lines read, ${p.created + p.updated + p.unchanged} resources, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
      };
      const r = rppsLines
        ? await importRpps(services.store, file, { onProgress })
        : await importFiness(services.store, file, { onProgress, concurrency });
      const mb = Math.round(process.resourceUsage().maxRSS / 1024);
      const units = 'establishments' in r ? r.establishments : r.activities;
      rows.push(`| ${name} | ${label} | ${units} | ${r.created} / ${r.updated} / ${r.unchanged} | ${(r.elapsedMs / 1000).toFixed(1)} s | ${r.resourcesPerSecond} | ${mb} MB |`);
      console.error(rows.at(-1));
      for (const [k, v] of [...timings].sort((a, b) => b[1].ms - a[1].ms)) console.error(`    ${(v.ms / 1000).toFixed(1)} s in ${v.n} × ${k}`);
      timings.clear();
    }
  } finally {
    await services.close();
  }
  return rows;
}

const out = [`| engine | run | ${rppsLines ? 'activities' : 'establishments'} | created / updated / unchanged | time | resources/s | peak RSS |`, '|---|---|---|---|---|---|---|'];
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
if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
console.log(`${path.basename(file)}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log(out.join('\n'));
