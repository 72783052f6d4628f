/**
 * FHIR search benchmark on data made by `ror generate` (the IG query mix of ror-ig.md §3.2–3.4 plus a
 * `:not`, an OR list of 1,000 values and a deep chain), over loopback HTTP with autocannon at 1, 8 and 32
 * concurrent clients, side by side with the floor: a hand-written SQL on our index tables answering the
 * same question (same page, same total, same included resources), run through `pg` (or the PGlite handle).
 *
 *   node --import tsx bench/search.ts --pg postgres://postgres@127.0.0.1:5432/ror_bench_gen [--region 52]
 *   node --import tsx bench/search.ts --pglite /tmp/dir [--region 52]
 *   options: --duration s (6) --connections 1,8,32 --only coordinator,sync… --explain (plans, no load)
 *
 * The server runs in a child process (`ror serve`, ROR_RATE_LIMIT raised, anonymous reader); autocannon and
 * the floor's clients run here. Latencies are per request, measured by the client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import type { Database } from '../src/db/database.ts';
import { PGliteDatabase } from '../src/db/pglite.ts';
import { createSearchEngine } from '../src/search/engine.ts';
import { searchAccessFilter } from '../src/security/access-predicate.ts';
import { coordinatorPath, INCLUDES, R211, R227, R239, R330, regionCommunes, RPPS, syncPath } from './ig-queries.ts';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'string' },
    pglite: { type: 'string' },
    region: { type: 'string', default: '52' },
    duration: { type: 'string', default: '6' },
    connections: { type: 'string', default: '1,8,32' },
    only: { type: 'string' },
    explain: { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = args.connections!.split(',').map(Number);



/** What every scenario needs from the data. */
interface Fixture {
  communes: string[];
  zone1000: string[];
  since: string[];
  rpps: string[];
}

interface Scenario {
  name: string;
  label: string;
  /** Request paths (cycled by the clients). */
  paths: (f: Fixture) => string[];
  /** The floor: one SQL statement and its parameter sets (cycled). */
  floor: (f: Fixture) => { sql: string; params: unknown[][] };
}

const enc = encodeURIComponent;

/** Include set of the IG on a CTE `page(id)` of offers: organizations (+ partOf tree), places, roles, practitioners. */
const INCLUDE_SQL = `
  orgs AS (
    WITH RECURSIVE t(id) AS (
      SELECT r.target_id FROM search_reference r JOIN page p ON r.rtype = 'HealthcareService' AND r.id = p.id AND r.param = 'organization'
      UNION
      SELECT r.target_id FROM search_reference r JOIN t ON r.rtype = 'Organization' AND r.id = t.id AND r.param = 'partof')
    SELECT id FROM t),
  locs AS (SELECT DISTINCT r.target_id AS id FROM search_reference r JOIN page p ON r.rtype = 'HealthcareService' AND r.id = p.id AND r.param = 'location'),
  roles AS (SELECT DISTINCT r.id FROM search_reference r JOIN page p ON r.rtype = 'PractitionerRole' AND r.param = 'service' AND r.target_id = p.id),
  pracs AS (SELECT DISTINCT r.target_id AS id FROM search_reference r JOIN roles x ON r.rtype = 'PractitionerRole' AND r.id = x.id AND r.param = 'practitioner')`;
const INCLUDE_ROWS = `
  UNION ALL SELECT 'include', o.content, NULL FROM organization o JOIN orgs USING (id) WHERE NOT o.deleted
  UNION ALL SELECT 'include', l.content, NULL FROM location l JOIN locs USING (id) WHERE NOT l.deleted
  UNION ALL SELECT 'include', x.content, NULL FROM practitioner_role x JOIN roles USING (id) WHERE NOT x.deleted
  UNION ALL SELECT 'include', x.content, NULL FROM practitioner x JOIN pracs USING (id) WHERE NOT x.deleted`;

const SCENARIOS: Scenario[] = [
  {
    name: 'coordinator',
    label: 'activity 339 + patient-type 07 + location.near-insee-code …|30|km + IG include set, _count=20',
    paths: (f) => f.communes.map(coordinatorPath),
    floor: (f) => ({
      sql: `WITH c AS (SELECT ll_to_earth(lat, lon) AS e FROM commune WHERE cog = $1),
        near AS (SELECT l.id, earth_distance(c.e, l.position) AS d FROM location l, c
                 WHERE earth_box(c.e, 30000) @> l.position AND earth_distance(c.e, l.position) <= 30000 AND NOT l.deleted),
        hits AS (SELECT hs.id, min(n.d) AS d FROM healthcare_service hs
                 JOIN search_reference r ON r.rtype = 'HealthcareService' AND r.param = 'location' AND r.id = hs.id
                 JOIN near n ON n.id = r.target_id
                 WHERE hs.specialty @> $2::text[] AND hs.patient_type @> $3::text[] AND NOT hs.deleted GROUP BY hs.id),
        page AS (SELECT id, d FROM hits ORDER BY d, id LIMIT 20),
        ${INCLUDE_SQL}
        SELECT 'match' AS mode, hs.content, (SELECT count(*) FROM hits) AS total FROM healthcare_service hs JOIN page USING (id)
        ${INCLUDE_ROWS}`,
      params: f.communes.map((c) => [c, [`${R211}|339`], [`${R239}|07`]]),
    }),
  },
  {
    name: 'sync',
    label: 'incremental _lastUpdated=ge… (≈ 500–8,000 offers changed) + IG include set, _count=200',
    paths: (f) => f.since.map(syncPath),
    floor: (f) => ({
      sql: `WITH hits AS (SELECT id, last_updated FROM healthcare_service WHERE last_updated >= $1::timestamptz AND NOT deleted),
        page AS (SELECT id FROM hits ORDER BY id LIMIT 200),
        ${INCLUDE_SQL}
        SELECT 'match' AS mode, hs.content, (SELECT count(*) FROM hits) AS total FROM healthcare_service hs JOIN page USING (id)
        ${INCLUDE_ROWS}`,
      params: f.since.map((t) => [t]),
    }),
  },
  {
    name: 'capacity',
    label: 'activity 288 + location.capacity-status=02 + location.nb-capacity=gt0 + _include=HealthcareService:location, _count=50',
    paths: () => [`/fhir/HealthcareService?specialty=${enc(`${R211}|288`)}&location.capacity-status=${enc(`${R330}|02`)}&location.nb-capacity=gt0&_include=HealthcareService:location&_count=50`],
    floor: () => ({
      sql: `WITH locs0 AS (SELECT t.id FROM search_token t WHERE t.rtype = 'Location' AND t.param = 'capacity-status' AND t.code = '02' AND t.system = $2
                          INTERSECT SELECT n.id FROM search_number n WHERE n.rtype = 'Location' AND n.param = 'nb-capacity' AND n.value > 0),
        hits AS (SELECT DISTINCT hs.id FROM healthcare_service hs
                 JOIN search_reference r ON r.rtype = 'HealthcareService' AND r.param = 'location' AND r.id = hs.id
                 JOIN locs0 ON locs0.id = r.target_id
                 WHERE hs.specialty @> $1::text[] AND NOT hs.deleted),
        page AS (SELECT id FROM hits ORDER BY id LIMIT 50),
        locs AS (SELECT DISTINCT r.target_id AS id FROM search_reference r JOIN page p ON r.rtype = 'HealthcareService' AND r.id = p.id AND r.param = 'location')
        SELECT 'match' AS mode, hs.content, (SELECT count(*) FROM hits) AS total FROM healthcare_service hs JOIN page USING (id)
        UNION ALL SELECT 'include', l.content, NULL FROM location l JOIN locs USING (id) WHERE NOT l.deleted`,
      params: [[[`${R211}|288`], R330]],
    }),
  },
  {
    name: 'content',
    label: '_content=<word> (French full text, prefix, ranked), _count=20',
    paths: () => ['kinesitherapie', 'cardiologie', 'infirmiers', 'dentaire', 'readaptation', 'psychiatrie', 'hemodialyse', 'orthophonie']
      .map((w) => `/fhir/HealthcareService?_content=${w}&_count=20`),
    floor: () => ({
      sql: `WITH q AS (SELECT to_tsquery('french', $1 || ':*') AS q),
        hits AS (SELECT t.id, ts_rank(t.tsv, q.q) AS rank FROM search_text t, q WHERE t.rtype = 'HealthcareService' AND t.tsv @@ q.q),
        page AS (SELECT h.id, h.rank FROM hits h JOIN healthcare_service hs ON hs.id = h.id AND NOT hs.deleted ORDER BY h.rank DESC, h.id LIMIT 20)
        SELECT 'match' AS mode, hs.content, (SELECT count(*) FROM hits) AS total FROM healthcare_service hs JOIN page USING (id)`,
      params: ['kinesitherapie', 'cardiologie', 'infirmiers', 'dentaire', 'readaptation', 'psychiatrie', 'hemodialyse', 'orthophonie'].map((w) => [w]),
    }),
  },
  {
    name: 'not',
    label: 'service-type=05 (ambulatory) + specialty:not=339 + location.commune-cog=<commune>, _count=20',
    paths: (f) => f.communes.map((c) => `/fhir/HealthcareService?service-type=${enc(`${R227}|05`)}&specialty:not=${enc(`${R211}|339`)}&location.commune-cog=${c}&_count=20`),
    floor: (f) => ({
      sql: `WITH hits AS (SELECT hs.id FROM healthcare_service hs
                 WHERE hs.service_type @> $2::text[] AND NOT (hs.specialty @> $3::text[]) AND NOT hs.deleted
                   AND EXISTS (SELECT 1 FROM search_reference r JOIN location l ON l.id = r.target_id
                               WHERE r.rtype = 'HealthcareService' AND r.param = 'location' AND r.id = hs.id AND l.commune_cog @> $1::text[])),
        page AS (SELECT id FROM hits ORDER BY id LIMIT 20)
        SELECT 'match' AS mode, hs.content, (SELECT count(*) FROM hits) AS total FROM healthcare_service hs JOIN page USING (id)`,
      params: f.communes.map((c) => [[c], [`${R227}|05`], [`${R211}|339`]]),
    }),
  },
  {
    name: 'or1000',
    label: 'intervention-zone = OR list of 1,000 commune codes, _count=20',
    paths: (f) => [`/fhir/HealthcareService?intervention-zone=${f.zone1000.join(',')}&_count=20`],
    floor: (f) => ({
      sql: `WITH hits AS (SELECT hs.id FROM healthcare_service hs WHERE hs.intervention_zone && $1::text[] AND NOT hs.deleted),
        page AS (SELECT id FROM hits ORDER BY id LIMIT 20)
        SELECT 'match' AS mode, hs.content, (SELECT count(*) FROM hits) AS total FROM healthcare_service hs JOIN page USING (id)`,
      params: [[f.zone1000]],
    }),
  },
  {
    name: 'chain',
    label: '_has:PractitionerRole:service:practitioner.identifier=<RPPS> (reverse chain + chain, IG scenario 13)',
    paths: (f) => f.rpps.map((n) => `/fhir/HealthcareService?_has:PractitionerRole:service:practitioner.identifier=${enc(`${RPPS}|${n}`)}`),
    floor: (f) => ({
      sql: `WITH hits AS (SELECT DISTINCT s.target_id AS id FROM search_token t
                 JOIN search_reference p ON p.rtype = 'PractitionerRole' AND p.param = 'practitioner' AND p.target_id = t.id
                 JOIN search_reference s ON s.rtype = 'PractitionerRole' AND s.param = 'service' AND s.id = p.id
                 WHERE t.rtype = 'Practitioner' AND t.param = 'identifier' AND t.code = $1 AND t.system = $2),
        page AS (SELECT hs.id FROM healthcare_service hs JOIN hits USING (id) WHERE NOT hs.deleted ORDER BY hs.id LIMIT 200)
        SELECT 'match' AS mode, hs.content, (SELECT count(*) FROM page) AS total FROM healthcare_service hs JOIN page USING (id)`,
      params: f.rpps.map((n) => [n, RPPS]),
    }),
  },
];

// ---------------------------------------------------------------------------------------------------------

interface Figures { p50: number; p95: number; p99: number; rps: number; n: number; errors: number }

function figures(lat: number[], seconds: number, errors: number): Figures {
  const s = [...lat].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), rps: s.length / seconds, n: s.length, errors };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(import.meta.dirname, '../bin/ror.js'), 'serve'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', ROR_DEMO: '0', ROR_RATE_LIMIT: '10000000', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => { exited = true; });
  for (let i = 0; i < 600 && !exited; i++) {
    try {
      if ((await fetch(`${url}/fhir/metadata`)).ok) return { url, child };
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('server did not start');
}

async function httpLoad(url: string, paths: string[], connections: number): Promise<Figures> {
  const lat: number[] = [];
  let errors = 0;
  let done!: (r: autocannon.Result) => void;
  let fail!: (e: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => { done = resolve; fail = reject; });
  const instance = autocannon({
    url, connections, duration: DURATION, pipelining: 1, timeout: 60,
    requests: paths.map((p) => ({ method: 'GET', path: p, headers: { accept: 'application/fhir+json' } })),
  }, (err, r) => (err ? fail(err) : done(r)));
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 200) lat.push(ms);
    else errors++;
  });
  const result = await finished;
  return figures(lat, result.duration || DURATION, errors + result.errors + result.timeouts);
}

type Runner = (sql: string, params: unknown[]) => Promise<unknown>;

async function sqlLoad(run: (i: number) => Runner, floor: { sql: string; params: unknown[][] }, connections: number): Promise<Figures> {
  const lat: number[] = [];
  const started = performance.now();
  const deadline = started + DURATION * 1000;
  let k = 0;
  let errors = 0;
  await Promise.all(Array.from({ length: connections }, async (_, i) => {
    while (performance.now() < deadline) {
      const params = floor.params[k++ % floor.params.length];
      const t = performance.now();
      try {
        await run(i)(floor.sql, params);
        lat.push(performance.now() - t);
      } catch (e) {
        errors++;
        if (errors === 1) console.error('floor error:', (e as Error).message);
      }
    }
  }));
  return figures(lat, (performance.now() - started) / 1000, errors);
}

async function fixture(db: Database, region: string): Promise<Fixture> {
  const inRegion = regionCommunes(region);
  const communes = inRegion.slice(0, 20);
  const zone1000 = [...inRegion].sort((a, b) => a.localeCompare(b)).slice(0, 1000);
  const since: string[] = [];
  for (const offset of [500, 1000, 2000, 4000, 8000]) {
    const r = await db.query<{ t: Date | string }>(`SELECT last_updated AS t FROM healthcare_service ORDER BY last_updated DESC OFFSET ${offset} LIMIT 1`);
    if (r.rows[0]) since.push(new Date(r.rows[0].t).toISOString());
  }
  const rpps = (await db.query<{ v: string }>(
    `SELECT content -> 'identifier' -> 0 ->> 'value' AS v FROM practitioner WHERE id LIKE 'gen-ps-%' AND abs(hashtext(id)) % 97 = 0 ORDER BY id LIMIT 50`,
  )).rows.map((r) => r.v);
  return { communes, zone1000, since, rpps };
}

/** Runs one request of each scenario through a search engine that records its SQL, then EXPLAINs it. */
async function explain(db: Database, f: Fixture, scenarios: Scenario[]): Promise<void> {
  for (const s of scenarios) {
    const statements: { sql: string; params: unknown[] }[] = [];
    const recording: Database = Object.create(db, {
      query: { value: (sql: string, params: unknown[] = []) => { statements.push({ sql, params }); return db.query(sql, params); } },
    });
    const engine = createSearchEngine(recording, { accessFilter: searchAccessFilter });
    const url = new URL(`http://x${s.paths(f)[0]}`);
    const bundle = await engine.search({
      resourceType: url.pathname.split('/').pop() as never, params: [...url.searchParams.entries()], baseUrl: 'http://x/fhir',
      ctx: { actor: { id: 'anonymous', kind: 'anonymous' }, source: 'api' },
    });
    console.log(`\n#### ${s.name}: ${s.label}\ntotal ${bundle.total ?? '—'}, entries ${(bundle.entry ?? []).length}, ${statements.length} statements`);
    for (const st of statements) {
      if (/^\s*SELECT cog, lat, lon/.test(st.sql)) continue;
      console.error(`explaining ${s.name}: ${st.sql.replace(/\s+/g, ' ').slice(0, 100)}`);
      const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${st.sql}`, st.params);
      console.log('```\n' + st.sql.replace(/\s+/g, ' ').slice(0, 600) + (st.sql.length > 600 ? ' …' : '') + '\n');
      console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n') + '\n```');
    }
    const floor = s.floor(f);
    const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${floor.sql}`, floor.params[0]);
    console.log('floor:\n```\n' + plan.rows.map((r) => r['QUERY PLAN']).join('\n') + '\n```');
  }
}

async function main(): Promise<void> {
  const scenarios = SCENARIOS.filter((s) => !args.only || args.only.split(',').includes(s.name));
  const engines: { name: string; env: Record<string, string>; open: () => Promise<{ db: Database; run: (i: number) => Runner; close: () => Promise<void> }> }[] = [];
  if (args.pg) {
    engines.push({
      name: 'PostgreSQL', env: { DATABASE_URL: args.pg },
      open: async () => {
        const pool = new pg.Pool({ connectionString: args.pg, max: Math.max(...CONNECTIONS) });
        const db = { kind: 'postgres', query: (sql: string, params?: unknown[]) => pool.query(sql, params as unknown[]), exec: async (sql: string) => { await pool.query(sql); } } as unknown as Database;
        return { db, run: () => (sql, params) => pool.query(sql, params as unknown[]), close: () => pool.end() };
      },
    });
  }
  if (args.pglite) {
    engines.push({
      name: 'PGlite', env: { ROR_DATA_DIR: args.pglite },
      open: async () => {
        const db = await PGliteDatabase.open(args.pglite);
        return { db, run: () => (sql, params) => db.query(sql, params), close: () => db.close() };
      },
    });
  }
  for (const engine of engines) {
    console.log(`\n## ${engine.name}`);
    // Fixture (and plans) first; PGlite's data folder cannot be opened by two processes at once.
    let h = await engine.open();
    const f = await fixture(h.db, args.region!);
    console.error(`fixture: ${f.communes.length} communes, ${f.since.length} instants, ${f.rpps.length} RPPS`);
    if (args.explain) {
      await explain(h.db, f, scenarios);
      await h.close();
      continue;
    }
    if (engine.name === 'PGlite') await h.close();
    const server = await startServer(engine.env);
    const http: Record<string, Record<number, Figures>> = {};
    try {
      for (const s of scenarios) {
        const paths = s.paths(f);
        const first = await (await fetch(server.url + paths[0], { headers: { accept: 'application/fhir+json' } })).json() as { total?: number; entry?: unknown[]; resourceType: string };
        console.log(`${s.name}: first request → ${first.resourceType} total ${first.total}, ${first.entry?.length ?? 0} entries`);
        for (const p of paths) await fetch(server.url + p); // warm
        http[s.name] = {};
        for (const c of CONNECTIONS) http[s.name][c] = await httpLoad(server.url, paths, c);
      }
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
    }
    if (engine.name === 'PGlite') h = await engine.open();
    console.log(`\n| query | clients | API p50 / p95 / p99 ms | API req/s | floor p50 / p95 / p99 ms | floor req/s | API/floor throughput |`);
    console.log(`|---|---|---|---|---|---|---|`);
    for (const s of scenarios) {
      const floor = s.floor(f);
      const check = await h.run(0)(floor.sql, floor.params[0]) as { rows: { mode: string; total: string | null }[] };
      const matches = check.rows.filter((r) => r.mode === 'match');
      console.error(`${s.name} floor: total ${matches[0]?.total ?? 0}, ${check.rows.length} rows`);
      for (let i = 0; i < Math.min(3, floor.params.length); i++) await h.run(0)(floor.sql, floor.params[i]); // warm
      for (const c of CONNECTIONS) {
        const fl = await sqlLoad(h.run, floor, c);
        const api = http[s.name][c];
        const fmt = (x: Figures) => `${x.p50.toFixed(1)} / ${x.p95.toFixed(1)} / ${x.p99.toFixed(1)}`;
        console.log(`| ${s.name} | ${c} | ${fmt(api)} | ${api.rps.toFixed(0)}${api.errors ? ` (${api.errors} err)` : ''} | ${fmt(fl)} | ${fl.rps.toFixed(0)}${fl.errors ? ` (${fl.errors} err)` : ''} | ${((100 * api.rps) / fl.rps).toFixed(0)} % |`);
      }
    }
    await h.close();
  }
}

await main();
