/**
 * Where one FHIR search request's time goes: the IG coordinator query (or the incremental sync query, both from
 * bench/ig-queries.ts) sent N times to the app in process (Fastify inject, no socket), with the wall time of each
 * kind of SQL statement it ran.
 *   node --import tsx bench/request-statements.ts --pg postgres://…/ror_national [--query coordinator|sync] [--n 80]
 * Prints the Bundle's shape, p50 / p95 of the request and, per statement kind, its time and count per request.
 * The first 5 requests warm up and are not counted. EXPLAIN ANALYZE times per-row plan nodes with clock reads, which
 * on a VM clock overstates some plans: this measures statements as they run.
 */
import { parseArgs } from 'node:util';
import { buildApp } from '../src/api/app.ts';
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/open.ts';
import { coordinatorPath, regionCommunes, syncPath } from './ig-queries.ts';
import { timed, timings } from './statement-timings.ts';

const { values: args } = parseArgs({
  options: { pg: { type: 'string' }, query: { type: 'string', default: 'coordinator' }, n: { type: 'string', default: '80' }, region: { type: 'string', default: '52' } },
});
if (!args.pg) throw new Error('--pg <url> is required');
const N = Number(args.n);
const config = loadConfig({ ROR_DEMO: '0', DATABASE_URL: args.pg, ROR_RATE_LIMIT: '10000000', LOG_LEVEL: 'warn' });
const plain = await openDatabase({ databaseUrl: args.pg });
const services = await createServices(config, { db: timed(plain) });
const app = await buildApp(services, { logger: false });

let paths: string[];
if (args.query === 'sync') {
  const r = await plain.query<{ t: Date }>('SELECT last_updated AS t FROM healthcare_service ORDER BY last_updated DESC OFFSET 500 LIMIT 1');
  paths = [syncPath(new Date(r.rows[0].t).toISOString())];
} else {
  paths = regionCommunes(args.region!).slice(0, 20).map(coordinatorPath);
}

const latencies: number[] = [];
for (let i = 0; i < N + 5; i++) {
  if (i === 5) timings.clear();
  const t = performance.now();
  const r = await app.inject({ method: 'GET', url: paths[i % paths.length], headers: { accept: 'application/fhir+json' } });
  if (i >= 5) latencies.push(performance.now() - t);
  if (r.statusCode !== 200) throw new Error(`${r.statusCode}: ${r.body.slice(0, 300)}`);
  if (i === 0) {
    const b = JSON.parse(r.body) as { total?: number; entry?: { search: { mode: string }; resource: { resourceType: string } }[] };
    const kinds = new Map<string, number>();
    for (const e of b.entry ?? []) kinds.set(`${e.search.mode} ${e.resource.resourceType}`, (kinds.get(`${e.search.mode} ${e.resource.resourceType}`) ?? 0) + 1);
    console.log(`${args.query}: total ${b.total}, ${b.entry?.length ?? 0} entries, ${r.body.length} bytes — ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  }
}
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
console.log(`${N} requests: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms`);
for (const [k, v] of [...timings].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${(v.ms / N).toFixed(2).padStart(8)} ms ${(v.n / N).toFixed(1).padStart(5)} × per request  ${k}`);
}
await app.close();
await services.close();
