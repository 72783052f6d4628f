/**
 * `ror demo`: the demonstration dataset — the real FINESS establishments of the Yvelines (78) and of the
 * neighbouring départements within 35 km of Mantes-la-Jolie, synthetic offers with capacities for their
 * hospitals, SMR, USLD, EHPAD, SSIAD, IME and CMP, and synthetic private-practice kinés and sages-femmes
 * of the CPTS territories of the Mantes area. Loaded automatically by the first start of an empty
 * embedded database (ROR_DEMO=0 skips it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import type { Database } from '../db/database.ts';
import type { Resource } from '../fhir/types.ts';
import { CommuneDirectory } from '../geo/commune-directory.ts';
import { distanceKm } from '../geo/distance.ts';
import { geoDataDir, sharedDir } from '../geo/shared-data.ts';
import { importFiness } from '../ingest/finess/import-finess.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { buildCityProfessionals } from './city-professionals.ts';
import { buildSiteOffers, DEMO_CATEGORIES, type DemoSite } from './establishment-offers.ts';

const MANTES = { lat: 48.99833, lon: 1.69409 };
const NEIGHBOUR_RADIUS_KM = 35;
const CATEGORY_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement';
const BATCH = 500;

export const DEMO_CONTEXT: RequestContext = { actor: { id: 'import:demo', kind: 'import' }, source: 'demo', validation: 'lenient' };

export interface DemoReport {
  establishments: number;
  offers: number;
  places: number;
  professionals: number;
  resources: number;
  issues: number;
  seconds: number;
}

/** Whether the database holds no structure yet (first start). */
export async function isEmptyDirectory(db: Database): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM organization LIMIT 1');
  return r.rowCount === 0;
}

/** Writes the rows of the national flat FINESS extract that are outside the 78 and near Mantes to a file. */
async function neighbourFile(nationalCsvGz: string): Promise<{ file: string; rows: number }> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ror-demo-')), 'finess-voisins-mantes.csv');
  const lines = readline.createInterface({ input: fs.createReadStream(nationalCsvGz).pipe(zlib.createGunzip()), crlfDelay: Infinity });
  const kept: string[] = [];
  let header: string[] | undefined;
  for await (const line of lines) {
    if (!header) {
      header = line.split(';');
      kept.push(line);
      continue;
    }
    const f = line.split(';');
    const lat = Number(f[header.indexOf('latitude')]);
    const lon = Number(f[header.indexOf('longitude')]);
    if (f[0].startsWith('78') || !lat || !lon) continue;
    if (distanceKm(MANTES, { lat, lon }) <= NEIGHBOUR_RADIUS_KM) kept.push(line);
  }
  fs.writeFileSync(out, kept.join('\n') + '\n');
  return { file: out, rows: kept.length - 1 };
}

/** The imported sites of the demo categories, with their place. */
async function demoSites(db: Database): Promise<DemoSite[]> {
  const r = await db.query<{ id: string; content: Resource; loc: Resource; region: string | null }>(
    `SELECT o.id, o.content, l.content AS loc, o.region FROM organization o
     JOIN location l ON l.id = 'finess-loc-' || substr(o.id, length('finess-eg-') + 1) AND NOT l.deleted
     WHERE o.id LIKE 'finess-eg-%' AND NOT o.deleted
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(o.content -> 'type') t, jsonb_array_elements(t -> 'coding') c
                   WHERE c ->> 'system' = $1 AND c ->> 'code' = ANY($2::text[]))
     ORDER BY o.id`,
    [CATEGORY_SYSTEM, DEMO_CATEGORIES],
  );
  return r.rows.map((row) => {
    const type = (row.content.type as { coding: { system: string; code: string }[] }[]).flatMap((t) => t.coding).find((c) => c.system === CATEGORY_SYSTEM)!;
    return {
      nofinesset: row.id.slice('finess-eg-'.length),
      category: type.code,
      name: String(row.content.name ?? row.id),
      organizationId: row.id,
      location: row.loc,
      region: row.region ?? undefined,
    };
  });
}

async function writeAll(store: ResourceStore, resources: Resource[]): Promise<number> {
  let issues = 0;
  for (let i = 0; i < resources.length; i += BATCH) {
    for (const w of await store.bulkPut(resources.slice(i, i + BATCH), DEMO_CONTEXT)) issues += w.issues.filter((x) => x.severity !== 'information').length;
  }
  return issues;
}

export async function loadDemo(store: ResourceStore, opts: { log?: (msg: string) => void; capacityDate?: string } = {}): Promise<DemoReport> {
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  const finessDir = path.join(sharedDir(), 'data/finess');
  log('Démo : import FINESS des Yvelines (78)…');
  const yvelines = await importFiness(store, path.join(finessDir, 'finess-etablissements-20210108-wgs84-dep78.csv'));
  const neighbours = await neighbourFile(path.join(finessDir, 'finess-etablissements-20210108-wgs84.csv.gz'));
  log(`Démo : import FINESS de ${neighbours.rows} établissements voisins (< ${NEIGHBOUR_RADIUS_KM} km de Mantes-la-Jolie)…`);
  // A partial extract of those départements: the others of theirs are not closed.
  const near = await importFiness(store, neighbours.file, { closeMissing: false });
  fs.rmSync(path.dirname(neighbours.file), { recursive: true, force: true });

  const communes = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));
  const updatedAt = opts.capacityDate ?? new Date().toISOString();
  const sites = await demoSites(store.db);
  const siteResources = sites.flatMap((site) => {
    const pos = site.location.position as { latitude?: number; longitude?: number } | undefined;
    const zone = pos?.latitude
      ? communes.all().filter((c) => distanceKm(c, { lat: pos.latitude!, lon: pos.longitude! }) <= 12).map((c) => ({ code: c.code, name: c.name }))
      : [];
    return buildSiteOffers(site, zone, updatedAt);
  });
  log(`Démo : ${siteResources.length} offres et lieux pour ${sites.length} établissements…`);
  let issues = await writeAll(store, siteResources);

  const professionals = buildCityProfessionals(communes);
  const cityResources = professionals.flatMap((p) => p.resources);
  log(`Démo : ${professionals.length} professionnels libéraux synthétiques (kinés, sages-femmes)…`);
  issues += await writeAll(store, cityResources);

  const all = [...siteResources, ...cityResources];
  const report: DemoReport = {
    establishments: yvelines.establishments + near.establishments,
    offers: all.filter((r) => r.resourceType === 'HealthcareService').length,
    places: all.filter((r) => r.resourceType === 'Location').length,
    professionals: professionals.length,
    resources: yvelines.created + yvelines.updated + yvelines.unchanged + near.created + near.updated + near.unchanged + all.length,
    issues,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  log(`Démo chargée : ${report.establishments} établissements, ${report.offers} offres, ${report.places} lieux, ${report.professionals} professionnels (${report.seconds} s).`);
  return report;
}


