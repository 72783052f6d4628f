/**
 * $export benchmark on the PostgreSQL server: a national-size synthetic dataset (offers, sites, legal
 * entities, places, from the validation fixtures) written by SQL, then the export run by the job
 * service as a consumer application of profile 1 would get it (selection, read guard, gzip files).
 *   node --import tsx bench/export.ts [--offers 100000] [--sites N] [--ejs N] [--places N] [--practitioners N] [--roles N]
 *     [--keep] [--regional-only] [--type T1,T2] [--profile 0..5]
 *   node --import tsx bench/export.ts --source ror_national --profile 0 [--type T1,T2]   (export of an existing database; read-only at profile 0)
 * --keep: the database ror_e_export_<offers>_<practitioners> is created and filled once, then reused (drop it by hand).
 * Export settings from the environment as the server reads them (ROR_EXPORT_GZIP_LEVEL, ROR_EXPORT_PARALLEL, ROR_EXPORT_BATCH).
 * Prints wall time, resources/s, peak RSS and output size; results go to bench/RESULTS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { PostgresDatabase } from '../src/db/postgres.ts';
import { searchAccessFilter } from '../src/security/access-predicate.ts';
import { ReadGuard } from '../src/security/read-guard.ts';
import type { RequestContext } from '../src/store/context.ts';
import { ResourceStore } from '../src/store/resource-store.ts';
import { parseExportRequest } from '../src/sync/export/export-request.ts';
import { ExportService, exportSettingsFromEnv } from '../src/sync/export/export-service.ts';
import { largestFirst } from '../src/sync/export/type-order.ts';
import { typeLines, writeGzipFile } from '../src/sync/export/type-stream.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';
import { completedHealthcareService, example, legalEntity, practice, professional, site } from '../src/validation/fixtures.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const OFFERS = arg('offers', 100_000);
const SITES = arg('sites', Math.ceil(OFFERS / 2));
const EJS = arg('ejs', Math.ceil(SITES / 2));
const PLACES = arg('places', SITES);
const PRACTITIONERS = arg('practitioners', 0);
const ROLES = arg('roles', PRACTITIONERS);
/** Kept database (filled once, reused by later runs); without it a throw-away one. */
const KEEP = process.argv.includes('--keep') ? `ror_e_export_${OFFERS}_${PRACTITIONERS}` : undefined;
/** Read-only run against an existing database (e.g. ror_national, written by someone else): `--source <name>`. */
const SOURCE = process.argv.includes('--source') ? process.argv[process.argv.indexOf('--source') + 1] : undefined;
/** `--type T1,T2`: only these types (`_type`). */
const TYPES = process.argv.includes('--type') ? process.argv[process.argv.indexOf('--type') + 1] : undefined;
const PROFILE = arg('profile', 1) as 0 | 1 | 2 | 3 | 4 | 5;
const APP: RequestContext = {
  actor: { id: 'bench-app', kind: 'app', principal: { kind: 'app', id: 'bench-app', accessProfile: PROFILE, scopes: [] } }, source: 'api',
};
/** Export settings as a server would take them from the environment (ROR_EXPORT_GZIP_LEVEL, ROR_EXPORT_PARALLEL…). */
const SETTINGS = exportSettingsFromEnv(os.tmpdir());
const REGION = 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM';
const REGIONS = ['11', '24', '27', '28', '32', '44', '52', '53', '75', '76', '84', '93', '94'];

async function fill(db: PostgresDatabase): Promise<void> {
  const t = (r: unknown) => JSON.stringify(r);
  const run = async (table: string, prefix: string, n: number, tpl: object, extra: string) => {
    await db.query(
      `INSERT INTO ${table} (id, version_id, last_updated, region, content)
       SELECT $2 || i, 1, now(), ($3::text[])[1 + i % array_length($3::text[], 1)],
              $1::jsonb || jsonb_build_object('id', $2 || i, 'meta', jsonb_build_object('versionId', '1', 'tag',
                jsonb_build_array(jsonb_build_object('system', $4::text, 'code', ($3::text[])[1 + i % array_length($3::text[], 1)])))) ${extra}
       FROM generate_series(1, ${n}) i`,
      [t(tpl), prefix, REGIONS, REGION],
    );
  };
  await run('organization', 'ej-', EJS, legalEntity(), '');
  await run('organization', 'eg-', SITES, site(), `|| jsonb_build_object('partOf', jsonb_build_object('reference', 'Organization/ej-' || (1 + i % ${EJS})))`);
  await run('location', 'loc-', PLACES, example('Location-ror-location-exemple'), '');
  await run('healthcare_service', 'hs-', OFFERS, completedHealthcareService(),
    `|| jsonb_build_object('providedBy', jsonb_build_object('reference', 'Organization/eg-' || (1 + i % ${SITES})),
        'location', jsonb_build_array(jsonb_build_object('reference', 'Location/loc-' || (1 + i % ${PLACES}))))`);
  if (PRACTITIONERS > 0) {
    await run('practitioner', 'ps-', PRACTITIONERS, professional(), '');
    await run('practitioner_role', 'pr-', ROLES, practice(),
      `|| jsonb_build_object('practitioner', jsonb_build_object('reference', 'Practitioner/ps-' || (1 + i % ${PRACTITIONERS})),
          'healthcareService', jsonb_build_array(jsonb_build_object('reference', 'HealthcareService/hs-' || (1 + i % ${OFFERS}))))`);
  }
  await db.exec(`
    INSERT INTO search_reference (rtype, id, param, target_type, target_id)
      SELECT 'HealthcareService', id, 'organization', 'Organization', split_part(content -> 'providedBy' ->> 'reference', '/', 2) FROM healthcare_service;
    INSERT INTO search_reference (rtype, id, param, target_type, target_id)
      SELECT 'HealthcareService', id, 'location', 'Location', split_part(content -> 'location' -> 0 ->> 'reference', '/', 2) FROM healthcare_service;
    INSERT INTO search_reference (rtype, id, param, target_type, target_id)
      SELECT 'Organization', id, 'partof', 'Organization', split_part(content -> 'partOf' ->> 'reference', '/', 2) FROM organization WHERE content ? 'partOf';
    INSERT INTO search_reference (rtype, id, param, target_type, target_id)
      SELECT 'PractitionerRole', id, 'practitioner', 'Practitioner', split_part(content -> 'practitioner' ->> 'reference', '/', 2) FROM practitioner_role;
    INSERT INTO search_reference (rtype, id, param, target_type, target_id)
      SELECT 'PractitionerRole', id, 'service', 'HealthcareService', split_part(content -> 'healthcareService' -> 0 ->> 'reference', '/', 2) FROM practitioner_role;
    ANALYZE`);
}

async function runExport(db: PostgresDatabase, label: string, query: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-bench-export-'));
  const service = new ExportService({
    db, store: new ResourceStore(db), readGuard: new ReadGuard(db), access: searchAccessFilter,
    settings: { ...SETTINGS, dir },
    log: (m, e) => console.error(m, e),
  });
  const params = [...new URLSearchParams(query).entries()] as [string, string][];
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 200);
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const id = await service.kickOff(parseExportRequest(params, undefined, 'http://bench/fhir', `http://bench/fhir/$export?${query}`), APP);
  service.start();
  let job = await service.job(id);
  while (job && job.status !== 'completed' && job.status !== 'failed') {
    await new Promise((r) => setTimeout(r, 250));
    job = await service.job(id);
  }
  const secs = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await service.stop();
  if (!job || job.status !== 'completed') throw new Error(`export ${label} failed: ${JSON.stringify(job?.error)}`);
  const count = job.output.reduce((n, o) => n + o.count, 0);
  const bytes = fs.readdirSync(path.join(dir, id)).reduce((n, f) => n + fs.statSync(path.join(dir, id, f)).size, 0);
  console.log(`| ${label} | ${count.toLocaleString('en')} | ${secs.toFixed(1)} s | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s | ${Math.round(count / secs).toLocaleString('en')} | ${Math.round(rss0 / 2 ** 20)} → ${Math.round(peak / 2 ** 20)} MB | ${(bytes / 2 ** 20).toFixed(1)} MB | ${os.loadavg()[0].toFixed(1)} |`);
  for (const o of job.output) console.log(`  ${o.type}: ${o.count} resources, ${(fs.statSync(path.join(dir, id, o.file)).size / 2 ** 20).toFixed(1)} MB`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * The export of an existing database through a read-only connection (`default_transaction_read_only`): the
 * same type streams as the job service (type-stream.ts: access predicate, read guard, gzip, types in
 * parallel) without the job tables. Profile 0 reads disclose nothing restricted: read-only connection; other
 * profiles write only the read guard's audit rows.
 */
async function exportReadOnly(name: string): Promise<void> {
  // Profile 0 reads disclose nothing restricted: no audit row, so the connection can be read-only. Other
  // profiles write their `read-restricted` audit rows (and nothing else) into the source database.
  const readOnly = PROFILE === 0;
  const options = readOnly ? `?options=${encodeURIComponent('-c default_transaction_read_only=on')}` : '';
  const db = new PostgresDatabase(`postgres://postgres@127.0.0.1:5432/${name}${options}`, (SETTINGS.parallel ?? 1) * (SETTINGS.readAhead ?? 1) + 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-bench-export-'));
  try {
    const ro = (await db.query<{ v: string }>('SELECT current_setting(\'default_transaction_read_only\') AS v')).rows[0]?.v;
    if (readOnly && ro !== 'on') throw new Error(`the connection to ${name} is not read-only (${ro})`);
    const only: [string, string][] = TYPES ? [['_type', TYPES]] : [];
    const req = parseExportRequest([['_outputFormat', 'application/fhir+ndjson'], ...only], undefined, 'http://bench/fhir', 'http://bench/fhir/$export');
    const guard = new ReadGuard(db);
    const todo = await largestFirst(db, req.types);
    const counts = new Map<string, number>();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 200);
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const worker = async () => {
      for (let type = todo.shift(); type; type = todo.shift()) {
        const counter = { written: 0 };
        const t1 = Date.now();
        const lines = typeLines({ db, readGuard: guard, type, caller: APP, access: searchAccessFilter, batchSize: SETTINGS.batchSize, readAhead: SETTINGS.readAhead }, counter, async () => undefined);
        await writeGzipFile(path.join(dir, `${type}.ndjson.gz`), lines, SETTINGS.gzipLevel ?? 6);
        counts.set(type, counter.written);
        console.log(`  ${type}: ${counter.written} resources in ${((Date.now() - t1) / 1000).toFixed(1)} s, ${(fs.statSync(path.join(dir, `${type}.ndjson.gz`)).size / 2 ** 20).toFixed(1)} MB`);
      }
    };
    await Promise.all(Array.from({ length: SETTINGS.parallel ?? 1 }, worker));
    const secs = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(sampler);
    const count = [...counts.values()].reduce((a, b) => a + b, 0);
    const bytes = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    console.log(`| ${name}, system level, profile ${PROFILE}${readOnly ? ', read-only' : ''} | ${count.toLocaleString('en')} | ${secs.toFixed(1)} s | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s | ${Math.round(count / secs).toLocaleString('en')} | ${Math.round(rss0 / 2 ** 20)} → ${Math.round(peak / 2 ** 20)} MB | ${(bytes / 2 ** 20).toFixed(1)} MB | ${os.loadavg()[0].toFixed(1)} |`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.close();
  }
}

/** The bench database: a kept one (created and filled on first use), else a throw-away one. */
async function benchDatabase(): Promise<{ db: PostgresDatabase; filled: boolean; drop(): Promise<void> }> {
  if (!KEEP) {
    const target = await createPostgresTestDatabase();
    return { db: new PostgresDatabase(target.url, 10), filled: false, drop: () => target.drop() };
  }
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [KEEP])).rowCount;
  if (!exists) await admin.query(`CREATE DATABASE ${KEEP}`);
  await admin.end();
  const db = new PostgresDatabase(`postgres://postgres@127.0.0.1:5432/${KEEP}`, 10);
  const filled = !!exists && (await db.query<{ n: string }>('SELECT count(*) AS n FROM healthcare_service')).rows[0]?.n !== '0';
  return { db, filled, drop: async () => undefined };
}

if (SOURCE) {
  console.log(`settings: gzip level ${SETTINGS.gzipLevel}, ${SETTINGS.parallel} types at once, ${SETTINGS.readAhead} pages read ahead, pages of ${SETTINGS.batchSize}`);
  await exportReadOnly(SOURCE);
  process.exit(0);
}
const { db, filled, drop } = await benchDatabase();
try {
  // Jobs left by an interrupted run of a kept database would be claimed first and counted in this run's time.
  if (filled) await db.query("UPDATE export_job SET status = 'cancelled' WHERE status IN ('accepted', 'in-progress')");
  if (!filled) {
    await migrate(db);
    const t0 = Date.now();
    await fill(db);
    console.log(`written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(`dataset${KEEP ? ` ${KEEP}` : ''}: ${OFFERS} offers, ${SITES} sites, ${EJS} legal entities, ${PLACES} places, ${PRACTITIONERS} practitioners, ${ROLES} roles`);
  console.log(`settings: gzip level ${SETTINGS.gzipLevel}, ${SETTINGS.parallel} types at once, ${SETTINGS.readAhead} pages read ahead, pages of ${SETTINGS.batchSize}`);
  console.log('| export (profile-1 application) | resources | wall | node CPU | resources/s (wall) | RSS before → peak | gzip output | load avg (1 min) at end |');
  console.log('|---|---|---|---|---|---|---|---|');
  const only = TYPES ? `&_type=${TYPES}` : '';
  if (!process.argv.includes('--regional-only')) await runExport(db, `system level, ${only ? only.slice(7) : 'all types'}`, `_outputFormat=application/fhir%2Bndjson${only}`);
  await runExport(db, 'region 11, offers + _myCompleteExtract', `_type=HealthcareService&includeAssociatedData=_myCompleteExtract&_typeFilter=${encodeURIComponent(`HealthcareService?_tag=${REGION}|11`)}`);
} finally {
  await db.close();
  await drop();
}
