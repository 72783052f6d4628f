/**
 * Generator write-path benchmark: `ror generate` into a scratch PostgreSQL database (dropped at the end),
 * with the wall time spent in each kind of statement and the CPU of node and of the PostgreSQL backends.
 *   node --import tsx bench/generate.ts [--region 52] [--fraction 0.05] [--validate all|sample] [--keep]
 * Run it under `flock /tmp/bench.lock`. `--keep`: the database is kept (its name is printed).
 */
import fs from 'node:fs';
import os from 'node:os';
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { openDatabase } from '../src/db/open.ts';
import { generate } from '../src/generate/generate.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';
import { timed, timings } from './statement-timings.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const region = arg('--region') ?? '52';
const fraction = Number(arg('--fraction') ?? '0.05');
const validate = arg('--validate') as 'all' | 'sample' | undefined;


/**
 * CPU seconds (user + system) of the PostgreSQL backends serving a database, from /proc: polled every
 * second (the pool closes idle connections, and their CPU with them), the last figure of each kept.
 */
const backendTicks = new Map<number, number>();
async function pollBackends(db: Database, name: string): Promise<void> {
  const r = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  for (const { pid } of r.rows) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      backendTicks.set(pid, Number(f[11]) + Number(f[12]));
    } catch {
      // gone
    }
  }
}
const backendCpu = () => [...backendTicks.values()].reduce((a, b) => a + b, 0) / 100;

const pg = await createPostgresTestDatabase();
const dbName = new URL(pg.url).pathname.slice(1);
const plain = await openDatabase({ databaseUrl: pg.url });
const db = timed(plain);
try {
  const services = await createServices({ ...loadConfig({ ROR_DEMO: '0' }) }, { db });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const poller = setInterval(() => void pollBackends(plain, dbName).catch(() => undefined), 1000);
  // The backends live as long as the pool: their CPU is sampled at the end, before closing.
  const report = await generate(services.store, { scale: 'region', region, fraction, seed: 1, validate, log: (m) => console.error(m) });
  const seconds = (performance.now() - t0) / 1000;
  await pollBackends(plain, dbName);
  clearInterval(poller);
  const pgCpu = backendCpu();
  const cpu = process.cpuUsage(cpu0);
  const size = await plain.query<{ s: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS s');
  const n = report.written + report.finessResources;
  console.log(`generate --scale region --region ${region} --fraction ${fraction}${validate ? ` --validate ${validate}` : ''}: ${n} resources in ${seconds.toFixed(1)} s (${Math.round(n / seconds)}/s), ` +
    `node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, PostgreSQL backends CPU ${pgCpu.toFixed(1)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB, ` +
    `database ${size.rows[0].s}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const [k, v] of [...timings].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`    ${(v.ms / 1000).toFixed(1)} s in ${v.n} × ${k}`);
  await services.close();
} finally {
  if (process.argv.includes('--keep')) console.log(`kept database ${dbName}`);
  else await pg.drop();
}
