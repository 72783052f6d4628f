/**
 * Coordinator search latency (`searchOffers` + `viewOffers`, what GET /api/search runs) on the national FINESS
 * extract: one place (Location, real WGS84 position) and one offer (HealthcareService) per geolocated
 * establishment, written straight into the store tables together with the index entries the search reads
 * (columns lat/lon/geo_cell, service_type, specialty, characteristic; search_reference; search_text) as the
 * search indexer would write them — store writes with full indexing would take most of an hour here.
 * Usage: node --import tsx bench/web-search.ts [runs-per-query] [pglite-dir]
 * (with a directory, the loaded database is kept there and reused by the next runs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { migrate } from '../src/db/migrate.ts';
import { PGliteDatabase } from '../src/db/pglite.ts';
import { CommuneDirectory } from '../src/geo/commune-directory.ts';
import { geoDataDir, sharedDir } from '../src/geo/shared-data.ts';
import { geoCell } from '../src/search/geo/geo-cell.ts';
import { normalizeText } from '../src/search/extract/normalize.ts';
import { EXT, SYSTEMS } from '../src/web/nos-systems.ts';
import { searchOffers, type OfferQuery } from '../src/web/offer-search.ts';
import { viewOffers } from '../src/web/offer-view.ts';

const runs = Number(process.argv[2] ?? 5);
const csv = gunzipSync(fs.readFileSync(path.join(sharedDir(), 'data/finess/finess-etablissements-20210108-wgs84.csv.gz'))).toString('utf8');
const [header, ...lines] = csv.split(/\r?\n/).filter(Boolean);
const col = Object.fromEntries(header.split(';').map((h, i) => [h, i]));

// Field of activity from the FINESS category aggregate (crude, for filter selectivity only).
const fieldOf = (agr: string) => (agr.startsWith('11') ? '01' : agr.startsWith('4') || agr.startsWith('2') ? '04' : '05');
const ids: string[] = [], locs: string[] = [], hss: string[] = [], lats: number[] = [], lons: number[] = [], cells: number[] = [], fields: string[] = [], docs: string[] = [];
for (const line of lines) {
  const f = line.split(';');
  const lat = Number(f[col.latitude]), lon = Number(f[col.longitude]);
  if (!f[col.latitude] || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
  const id = f[col.nofinesset];
  ids.push(id);
  lats.push(lat); lons.push(lon); cells.push(geoCell(lat, lon)); fields.push(fieldOf(f[col.categagretab]));
  docs.push(normalizeText(`${f[col.rs]} ${f[col.libcategetab]}`));
  locs.push(JSON.stringify({
    resourceType: 'Location', id: `loc-${id}`, name: f[col.rs],
    extension: [{ url: EXT.communeCog, valueCodeableConcept: { coding: [{ system: SYSTEMS.commune, code: '00000' }] } }],
    address: { line: [f[col.adresse]], postalCode: f[col.code_postal], city: f[col.ville] },
    position: { latitude: lat, longitude: lon },
  }));
  hss.push(JSON.stringify({
    resourceType: 'HealthcareService', id: `hs-${id}`, name: f[col.rs],
    providedBy: { reference: `Organization/eg-${id}` },
    type: [{ coding: [{ system: SYSTEMS.field, code: fieldOf(f[col.categagretab]) }] }],
    specialty: [{ coding: [{ system: SYSTEMS.activity, code: '083', display: f[col.libcategetab] }] }],
    characteristic: [{ coding: [{ system: SYSTEMS.careMode, code: '32' }] }],
    location: [{ reference: `Location/loc-${id}` }],
  }));
}

const dir = process.argv[3];
const reuse = !!dir && fs.existsSync(path.join(dir, 'PG_VERSION'));
const db = await PGliteDatabase.open(dir);
await migrate(db);
let t = performance.now();
for (let i = 0; !reuse && i < ids.length; i += 5000) {
  const slice = (a: string[]) => a.slice(i, i + 5000);
  await db.query(`INSERT INTO location (id, version_id, last_updated, content, lat, lon, geo_cell, position)
    SELECT 'loc-' || u, 1, now(), c::jsonb, la, lo, g, ll_to_earth(la, lo)
    FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::int[]) AS x(u, c, la, lo, g)`,
    [slice(ids), slice(locs), lats.slice(i, i + 5000), lons.slice(i, i + 5000), cells.slice(i, i + 5000)]);
  await db.query(`INSERT INTO healthcare_service (id, version_id, last_updated, content, service_type, specialty, characteristic)
    SELECT 'hs-' || u, 1, now(), c::jsonb, ARRAY[$3 || '|' || fd, fd], ARRAY[$4 || '|083', '083'], ARRAY[$5 || '|32', '32']
    FROM unnest($1::text[], $2::text[], $6::text[]) AS x(u, c, fd)`,
    [slice(ids), slice(hss), SYSTEMS.field, SYSTEMS.activity, SYSTEMS.careMode, slice(fields)]);
  await db.query(`INSERT INTO search_reference (rtype, id, param, target_type, target_id)
    SELECT 'HealthcareService', 'hs-' || u, 'location', 'Location', 'loc-' || u FROM unnest($1::text[]) AS x(u)`, [slice(ids)]);
  await db.query(`INSERT INTO search_text (rtype, id, doc, tsv)
    SELECT 'HealthcareService', 'hs-' || u, d, to_tsvector('french', d) FROM unnest($1::text[], $2::text[]) AS x(u, d)`, [slice(ids), slice(docs)]);
}
if (!reuse) await db.exec('ANALYZE');
if (!reuse) console.log(`${ids.length} places + offers loaded in ${Math.round(performance.now() - t)} ms`);

const communes = CommuneDirectory.fromCentroidFile(path.join(geoDataDir(), 'communes-centroides-cog2026.csv'));
const places = ['75056', '13055', '69123', '31555', '33063', '59350', '78335', '78267', '23096', '48095'].map((c) => communes.get(c)!);
const base: Omit<OfferQuery, 'lat' | 'lon' | 'commune'> = {
  radiusKm: 10, widen: true, minResults: 5, activity: [], profession: [], careMode: [], field: [], publicType: [],
  homeVisit: false, available: false, limit: 20, offset: 0,
};
const variants: [string, Partial<OfferQuery>][] = [['no filter', {}], ['field=04', { field: ['04'] }], ['free text "pharmacie"', { text: 'pharmacie' }]];
const rows: string[] = [];
for (const [label, extra] of variants) {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (const p of places) {
      t = performance.now();
      const q = { ...base, ...extra, lat: p.lat, lon: p.lon, commune: p.code };
      const out = await searchOffers(db, q);
      await viewOffers(db, out.page, { activity: [], text: q.text });
      times.push(performance.now() - t);
      if (process.env.VERBOSE) console.log(label, p.name, out.total, `${out.radiusKm} km`, Math.round(performance.now() - t), 'ms');
    }
  }
  times.sort((a, b) => a - b);
  const pct = (x: number) => Math.round(times[Math.min(times.length - 1, Math.floor(x * times.length))]);
  rows.push(`| ${label} | ${times.length} | ${pct(0.5)} | ${pct(0.95)} | ${Math.round(times[times.length - 1])} |`);
}
console.log('| query | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|\n' + rows.join('\n'));
await db.close();
