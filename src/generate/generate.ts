/**
 * `ror generate`: a national-scale synthetic ROR built on the real FINESS establishments and COG communes.
 *
 * 1. The FINESS establishments of the scope (national, or the départements of one région; optionally a
 *    deterministic fraction of them) are imported for real (EJ, EG, Location) by the FINESS import.
 * 2. Each site gets the offers of its category (site-templates.ts): HealthcareServices with real NOS codes,
 *    and for bed- or place-based ones their places (Locations) with today's capacity records.
 * 3. Each commune gets private practice in proportion to its population: group cabinets, their offers,
 *    Practitioners and PractitionerRoles (practices.ts).
 * Everything generated is tagged `urn:ror:origine-donnees|synthetique`, deterministic for a seed, built
 * and written in batches (nothing national is held in memory).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { SYSTEM } from '../demo/codes.ts';
import { buildSiteOffers, type DemoSite } from '../demo/establishment-offers.ts';
import type { Resource } from '../fhir/types.ts';
import { CommuneDirectory } from '../geo/commune-directory.ts';
import { geoDataDir, sharedDir } from '../geo/shared-data.ts';
import { CommuneIndex } from '../ingest/geo/commune-index.ts';
import { importFiness } from '../ingest/finess/import-finess.ts';
import { mapEstablishment } from '../ingest/finess/mapping.ts';
import { loadFinessNos } from '../ingest/finess/nos-reference.ts';
import { readFiness } from '../ingest/finess/read-finess.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { CommuneGrid } from './commune-grid.ts';
import { communePractices, type PracticeCounts } from './practices.ts';
import { GENERATOR_TEMPLATES } from './site-templates.ts';
import { ValidationSampler } from '../store/validation-sampler.ts';
import { BatchWriter } from './writer.ts';

export type Scale = 'national' | 'region';

/** National volume of private-practice professionals: ≈ 1.33 PractitionerRoles each (one per offer), ≈ 1M roles. */
export const NATIONAL_PROFESSIONALS = 750_000;

export interface GenerateOptions {
  scale: Scale;
  /** TRE_R30 code of the région (scale `region`; default 11 Île-de-France). */
  region?: string;
  seed?: number;
  /** Share (0–1] of the establishments and professionals generated: small runs (tests, quick benches). */
  fraction?: number;
  /** Capacity update date and ROR creation date written on generated resources (fixed: reproducible output). */
  date?: string;
  /** Skip the FINESS import (already done by an earlier run with the same scope). */
  skipFiness?: boolean;
  /** Build and count without writing (no store needed). */
  dryRun?: boolean;
  batchSize?: number;
  /**
   * Profile validation of the generated resources: `sample` (default) the first 20 of each type then
   * one in 100 (a trusted write, src/store/validation-sampler.ts), `all` every one.
   */
  validate?: 'all' | 'sample';
  /** Batches written at once (default 2 on PostgreSQL, 1 on PGlite). */
  concurrency?: number;
  log?: (msg: string) => void;
}

export interface GenerateReport {
  scale: Scale;
  region?: string;
  seed: number;
  fraction: number;
  establishments: number;
  finessResources: number;
  siteOffers: number;
  sitePlaces: number;
  professionals: number;
  roles: number;
  cabinets: number;
  cityOffers: number;
  resources: Record<string, number>;
  written: number;
  issues: number;
  /** Profile validation: resources validated, skipped (not sampled), validated with errors, the first errors. */
  validation: { mode: 'all' | 'sample'; validated: number; skipped: number; failed: number; failures: string[] };
  seconds: number;
}

const DEFAULT_DATE = '2026-11-01T08:00:00+01:00';
/** Municipal arrondissements (Paris, Lyon, Marseille): their commune already counts their population. */
const ARRONDISSEMENT = /^(751\d\d|6938\d|132\d\d)$/;

/** Deterministic choice of an establishment for a fraction: a hash of its number, independent of the seed. */
export function keepEstablishment(nofinesset: string, fraction: number): boolean {
  if (fraction >= 1) return true;
  let h = 2166136261;
  for (let i = 0; i < nofinesset.length; i++) h = Math.imul(h ^ nofinesset.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1_000_000) < fraction * 1_000_000;
}

/** Writes the FINESS rows of the scope to a flat CSV file (same columns) and answers its path and row count. */
async function scopeFile(national: string, inScope: (departement: string) => boolean, fraction: number): Promise<{ file: string; rows: number }> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ror-generate-')), 'finess-scope.csv');
  const sink = fs.createWriteStream(out);
  const lines = readline.createInterface({ input: fs.createReadStream(national).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  let header = true;
  let rows = 0;
  for await (const line of lines) {
    if (header) {
      header = false;
      sink.write(line + '\n');
      continue;
    }
    const nofinesset = line.slice(0, line.indexOf(';'));
    const dep = nofinesset.startsWith('97') || nofinesset.startsWith('98') ? nofinesset.slice(0, 3) : nofinesset.slice(0, 2);
    if (!inScope(dep) || !keepEstablishment(nofinesset, fraction)) continue;
    if (!sink.write(line + '\n')) await new Promise<void>((r) => sink.once('drain', () => r()));
    rows++;
  }
  await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { file: out, rows };
}

export async function generate(store: ResourceStore | null, opts: GenerateOptions): Promise<GenerateReport> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const seed = opts.seed ?? 1;
  const fraction = opts.fraction ?? 1;
  if (!(fraction > 0 && fraction <= 1)) throw new Error('--fraction must be in (0, 1]');
  const region = opts.scale === 'region' ? (opts.region ?? '11') : undefined;
  const date = opts.date ?? DEFAULT_DATE;
  if (!opts.dryRun && !store) throw new Error('generate: a store is needed unless dryRun');

  const communeIndex = CommuneIndex.load();
  const directory = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));
  const communes = directory.all().filter((c) => !ARRONDISSEMENT.test(c.code));
  const inScope = (dep: string) => region === undefined || communeIndex.regionOf(dep) === region;
  const scopeCommunes = communes.filter((c) => region === undefined || c.region === region);
  if (region !== undefined && scopeCommunes.length === 0) throw new Error(`generate: unknown région ${region}`);
  const grid = new CommuneGrid(communes);

  const report: GenerateReport = {
    scale: opts.scale, region, seed, fraction, establishments: 0, finessResources: 0, siteOffers: 0, sitePlaces: 0,
    professionals: 0, roles: 0, cabinets: 0, cityOffers: 0, resources: {}, written: 0, issues: 0,
    validation: { mode: opts.validate ?? 'sample', validated: 0, skipped: 0, failed: 0, failures: [] }, seconds: 0,
  };
  if (opts.validate !== undefined && opts.validate !== 'all' && opts.validate !== 'sample') throw new Error('--validate must be all or sample');
  const sampler = report.validation.mode === 'sample' ? new ValidationSampler() : undefined;
  const count = (rs: Resource[]) => {
    for (const r of rs) report.resources[r.resourceType] = (report.resources[r.resourceType] ?? 0) + 1;
  };
  const batchSize = opts.batchSize ?? 1000;
  let logged = 0;
  const writer = new BatchWriter(opts.dryRun ? null : store, batchSize, (n) => {
    if (n - logged < 10_000) return;
    logged = n;
    log(`génération : ${n} ressources écrites (${Math.round(n / ((Date.now() - started) / 1000))}/s)`);
  }, { sampler, concurrency: opts.concurrency ?? (store?.db.kind === 'postgres' ? 2 : 1) });

  // 1. The real establishments of the scope.
  const scope = await scopeFile(path.join(sharedDir(), 'data/finess/finess-etablissements-20210108-wgs84.csv.gz'), inScope, fraction);
  try {
    log(`génération : ${scope.rows} établissements FINESS dans le périmètre`);
    if (!opts.dryRun && !opts.skipFiness) {
      const imported = await importFiness(store!, scope.file, { closeMissing: false, communes: communeIndex });
      report.finessResources = imported.created + imported.updated + imported.unchanged;
      log(`génération : import FINESS ${imported.created} créées, ${imported.unchanged} inchangées`);
    }

    // 2. Offers and places of the sites, read back from the same file through the FINESS mapping (pure).
    const nos = loadFinessNos();
    for await (const item of readFiness(scope.file)) {
      if (item.kind !== 'establishment') continue;
      report.establishments++;
      const mapped = mapEstablishment(item.record, { communes: communeIndex, nos });
      const category = item.record.categetab ?? '';
      if (!GENERATOR_TEMPLATES[category]) continue;
      const location = mapped.location;
      const site: DemoSite = {
        nofinesset: item.record.nofinesset, category, name: String(mapped.eg.name ?? item.record.rs ?? item.record.nofinesset),
        organizationId: mapped.eg.id!, location, region: mapped.eg.meta?.tag?.find((t) => t.system === SYSTEM.region)?.code,
      };
      const pos = location.position as { latitude?: number; longitude?: number } | undefined;
      const zone = pos?.latitude !== undefined
        ? grid.within({ lat: pos.latitude, lon: pos.longitude! }, 12, 30).map((c) => ({ code: c.code, name: c.name }))
        : [];
      const resources = buildSiteOffers(site, zone, date, { idPrefix: 'gen', templates: GENERATOR_TEMPLATES, seed });
      for (const r of resources) {
        if (r.resourceType === 'HealthcareService') report.siteOffers++;
        else report.sitePlaces++;
      }
      count(resources);
      await writer.add(resources);
    }
  } finally {
    fs.rmSync(path.dirname(scope.file), { recursive: true, force: true });
  }

  // 3. Private practice, commune by commune, in proportion to the population.
  const nationalPopulation = communes.reduce((s, c) => s + c.population, 0);
  const perInhabitant = (NATIONAL_PROFESSIONALS * fraction) / nationalPopulation;
  const counts: PracticeCounts = { professionals: 0, roles: 0, cabinets: 0, offers: 0 };
  for (const commune of [...scopeCommunes].sort((a, b) => a.code.localeCompare(b.code))) {
    for (const cabinet of communePractices(commune, commune.population * perInhabitant, grid, seed, date, counts)) {
      count(cabinet);
      await writer.add(cabinet);
    }
  }
  await writer.flush();
  report.professionals = counts.professionals;
  report.roles = counts.roles;
  report.cabinets = counts.cabinets;
  report.cityOffers = counts.offers;
  report.written = writer.written;
  report.issues = writer.issues;
  if (sampler) {
    report.validation = { mode: 'sample', validated: sampler.validated, skipped: sampler.skipped, failed: sampler.failed, failures: sampler.failures };
  } else if (!opts.dryRun) {
    report.validation.validated = writer.written;
  }
  // VACUUM too, not only statistics: freshly inserted GIN entries wait in the pending list, which every
  // search on those columns scans until a vacuum (or autovacuum, none on PGlite) merges it.
  if (!opts.dryRun) await store!.db.exec('VACUUM ANALYZE');
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  return report;
}
