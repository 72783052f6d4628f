/**
 * Searchset Bundle assembly: entries (match / include / outcome), distances of Locations,
 * `_elements`, and the self / next / previous links carrying the paging cursor.
 */
import { operationOutcome, type Issue } from '../../fhir/outcome.ts';
import type { Bundle, BundleEntry, Resource } from '../../fhir/types.ts';
import { encodeCursor, type Cursor } from '../compile/page-query.ts';
import type { SearchQuery } from '../parse/search-query.ts';
import { applySummary } from './summary.ts';

export const DISTANCE_URL = 'http://hl7.org/fhir/StructureDefinition/location-distance';
const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };
/** Radius of the earth used by the earthdistance extension (earth()), so JS and SQL distances agree. */
const EARTH_RADIUS_M = 6378168;

/** Great-circle distance in metres, as PostgreSQL earth_distance computes it. */
export function earthDistanceMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function distanceExtension(q: SearchQuery, r: Resource): unknown[] | undefined {
  const pos = r.position as { latitude?: number; longitude?: number } | undefined;
  if (!q.near || r.resourceType !== 'Location' || typeof pos?.latitude !== 'number' || typeof pos?.longitude !== 'number') return undefined;
  const km = earthDistanceMeters(q.near.lat, q.near.lon, pos.latitude, pos.longitude) / 1000;
  return [{
    url: DISTANCE_URL,
    valueDistance: { value: Math.round(km * 1000) / 1000, unit: 'km', system: 'http://unitsofmeasure.org', code: 'km' },
  }];
}

/** Keeps the listed top-level elements (plus id, meta) and marks the resource SUBSETTED. */
export function applyElements(r: Resource, elements: string[]): Resource {
  const out: Resource = { resourceType: r.resourceType };
  for (const k of ['id', 'meta', ...elements]) if (k in r) out[k] = r[k];
  out.meta = { ...(r.meta ?? {}), tag: [...(r.meta?.tag ?? []), SUBSETTED] };
  return out;
}

export interface PageResult {
  matches: Resource[];
  includes: Resource[];
  total?: number;
  next?: Cursor;
  previous?: Cursor;
  /** The cursor of this page (undefined on the first page). */
  self?: string;
  warnings: Issue[];
}

function link(baseUrl: string, q: SearchQuery, cursor?: string): string {
  const params = new URLSearchParams(q.linkParams);
  if (cursor) params.set('_cursor', cursor);
  const qs = params.toString();
  return `${baseUrl}/${q.type}${qs ? '?' + qs : ''}`;
}

export function searchsetBundle(baseUrl: string, q: SearchQuery, page: PageResult): Bundle {
  const entry: BundleEntry[] = [];
  // _summary applies to every resource returned; _elements to the matches (R4: optional for includes).
  const summarised = (r: Resource) => (q.summary ? applySummary(r, q.summary) : r);
  for (const r of page.matches) {
    const ext = distanceExtension(q, r);
    entry.push({
      fullUrl: `${baseUrl}/${r.resourceType}/${r.id}`,
      resource: q.elements ? applyElements(r, q.elements) : summarised(r),
      search: ext ? { mode: 'match', extension: ext } : { mode: 'match' },
    });
  }
  for (const r of page.includes) {
    const ext = distanceExtension(q, r);
    entry.push({ fullUrl: `${baseUrl}/${r.resourceType}/${r.id}`, resource: summarised(r), search: ext ? { mode: 'include', extension: ext } : { mode: 'include' } });
  }
  if (page.warnings.length) entry.push({ resource: operationOutcome(page.warnings), search: { mode: 'outcome' } });
  const links = [{ relation: 'self', url: link(baseUrl, q, page.self) }];
  if (page.next) links.push({ relation: 'next', url: link(baseUrl, q, encodeCursor(page.next)) });
  if (page.previous) links.push({ relation: 'previous', url: link(baseUrl, q, encodeCursor(page.previous)) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(page.total !== undefined ? { total: page.total } : {}),
    link: links,
    ...(entry.length ? { entry } : {}),
  };
}
