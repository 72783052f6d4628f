/**
 * $export benchmark on the PostgreSQL server: a national-size synthetic dataset (offers, sites, legal
 * entities, places, from the validation fixtures) written by SQL, then the export run by the job
 * service as a consumer application of profile 1 would get it (selection, read guard, gzip files).
 *   node --import tsx bench/export.ts [--offers 100000]
 * Prints wall time, resources/s, peak RSS and output size; results go to bench/RESULTS.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../src/db/migrate.ts';
import { PostgresDatabase } from '../src/db/postgres.ts';
import { searchAccessFilter } from '../src/security/access-predicate.ts';
import { ReadGuard } from '../src/security/read-guard.ts';
import type { RequestContext } from '../src/store/context.ts';
import { ResourceStore } from '../src/store/resource-store.ts';
import { parseExportRequest } from '../src/sync/export/export-request.ts';
import { ExportService } from '../src/sync/export/export-service.ts';
import { createPostgresTestDatabase } from '../src/testing/databases.ts';
import { completedHealthcareService, example, legalEntity, site } from '../src/validation/fixtures.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const OFFERS = arg('offers', 100_000);
const SITES = Math.ceil(OFFERS / 2);
const EJS = Math.ceil(SITES / 2);
const APP: RequestContext = {
  actor: { id: 'bench-app', kind: 'app', principal: { kind: 'app', id: 'bench-app', accessProfile: 1, scopes: [] } }, source: 'api',
};
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
  await run('location', 'loc-', SITES, example('Location-ror-location-exemple'), '');
  await run('healthcare_service', 'hs-', OFFERS, completedHealthcareService(),
    `|| jsonb_build_object('providedBy', jsonb_build_object('reference', 'Organization/eg-' || (1 + i % ${SITES})),
        'location', jsonb_build_array(jsonb_build_object('reference', 'Location/loc-' || (1 + i % ${SITES}))))`);
  await db.exec(`
    INSERT INTO search_reference (rtype, id, param, target_type, target_id)
      SELECT 'HealthcareService', id, 'organization', 'Organization', split_part(content -> 'providedBy' ->> 'reference', '/', 2) FROM healthcare_service;
    INSERT INTO search_reference (rtype, id, param, target_type, target_id)
      SELECT 'HealthcareService', id, 'location', 'Location', split_part(content -> 'location' -> 0 ->> 'reference', '/', 2) FROM healthcare_service;
    INSERT INTO search_reference (rtype, id, param, target_type, target_id)
      SELECT 'Organization', id, 'partof', 'Organization', split_part(content -> 'partOf' ->> 'reference', '/', 2) FROM organization WHERE content ? 'partOf';
    ANALYZE`);
}

async function runExport(db: PostgresDatabase, label: string, query: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ror-bench-export-'));
  const service = new ExportService({
    db, store: new ResourceStore(db), readGuard: new ReadGuard(db), access: searchAccessFilter,
    settings: { dir, batchSize: 1000, pauseMs: 0, leaseSeconds: 60, retentionHours: 24 },
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
  console.log(`| ${label} | ${count.toLocaleString('en')} | ${secs.toFixed(1)} s | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s | ${Math.round(count / secs).toLocaleString('en')} | ${Math.round(rss0 / 2 ** 20)} → ${Math.round(peak / 2 ** 20)} MB | ${(bytes / 2 ** 20).toFixed(1)} MB |`);
  fs.rmSync(dir, { recursive: true, force: true });
}

const target = await createPostgresTestDatabase();
const db = new PostgresDatabase(target.url, 4);
try {
  await migrate(db);
  const t0 = Date.now();
  await fill(db);
  console.log(`dataset: ${OFFERS} offers, ${SITES} sites, ${EJS} legal entities, ${SITES} places (${((Date.now() - t0) / 1000).toFixed(1)} s to write)`);
  console.log('| export (profile-1 application) | resources | wall | node CPU | resources/s (wall) | RSS before → peak | gzip output |');
  console.log('|---|---|---|---|---|---|---|');
  await runExport(db, 'system level, all types', '_outputFormat=application/fhir%2Bndjson');
  await runExport(db, 'region 11, offers + _myCompleteExtract', `_type=HealthcareService&includeAssociatedData=_myCompleteExtract&_typeFilter=${encodeURIComponent(`HealthcareService?_tag=${REGION}|11`)}`);
} finally {
  await db.close();
  await target.drop();
}
