/**
 * The coordinator search ("by need, near a patient") on the search engine's index, in one SQL statement at the
 * requested radius (and at the next steps, 10 → 20 → 30 → 50 km, while too few): the candidate offers, the radius
 * actually used, the drill-down facet counts and the ranked page.
 */
import type { Queryable } from '../db/database.ts';
import { cellsAround } from '../search/geo/geo-cell.ts';
import { HOME_VISIT, SYSTEMS } from './nos-systems.ts';

export interface OfferQuery {
  /** Where the patient is (a commune centroid or a point). */
  lat: number;
  lon: number;
  /** INSEE code of the patient's commune: offers whose intervention zone covers it match at any distance. */
  commune?: string;
  radiusKm: number;
  /** Widen the radius step by step when fewer than `minResults` offers are found. */
  widen: boolean;
  minResults: number;
  activity: string[];
  profession: string[];
  careMode: string[];
  field: string[];
  publicType: string[];
  age?: number;
  homeVisit: boolean;
  available: boolean;
  /** Free text of the need when no code was picked: every word must appear in the offer's labels. */
  text?: string;
  limit: number;
  offset: number;
  /**
   * Which offers' availability the caller may see (security access matrix, element "capacity"): the others
   * count as having no room, before filtering, facets and ranking, so that nothing leaks. Default `all`.
   */
  capacityAccess?: CapacityAccess;
}

export type CapacityAccess = 'all' | 'medico-social' | 'none';

/** One matching offer, before its resources are read for display. */
export interface Candidate {
  id: string;
  locationId: string | null;
  /** Distance to the nearest place of the offer, km (null when only the intervention zone matches). */
  km: number | null;
  zoneMatch: boolean;
  field: string | null;
  homeVisit: boolean;
  /** Beds or places declared available ("disponible") now at that place. */
  availablePlaces: number;
  /** 0..1 closeness of the free text to the offer's labels (1 without free text). */
  relevance: number;
  lastUpdated: string;
}

export interface RankedCandidate extends Candidate {
  score: number;
}

export interface FacetCount {
  code: string;
  count: number;
}

export interface OfferSearchOutcome {
  requestedRadiusKm: number;
  radiusKm: number;
  widened: boolean;
  total: number;
  page: RankedCandidate[];
  facets: {
    field: FacetCount[];
    careMode: FacetCount[];
    publicType: FacetCount[];
    homeVisit: number;
    available: number;
  };
}

/** Radius steps tried in turn when too few offers are found (after the requested radius). */
export const RADIUS_STEPS_KM = [10, 20, 30, 50] as const;
export const MAX_RADIUS_KM = 100;

/** Normalised words of a free-text need, as LIKE patterns on the unaccented lower-case labels. */
export function textPatterns(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3)
    .map((w) => `%${w}%`);
}

const keys = (system: string, codes: readonly string[]) => codes.map((c) => `${system}|${c}`);
const HOME_VISIT_KEYS = [...keys(SYSTEMS.receptionModality, HOME_VISIT.receptionModality), ...keys(SYSTEMS.careMode, HOME_VISIT.careMode)];

const MEDICO_SOCIAL = '04';
/** The availability filter, on a candidate that passed the facet filters. */
const AVAILABLE = '(NOT $21::boolean OR available_places > 0)';

/**
 * The whole search in one statement. Candidates: the offers at places within `$3` km, from the rows of
 * `search_offer_place` (migrations 108–109: one row per live offer × located place, with the offer's search columns and
 * the place's position and availability) in the box (`geo_cell` when the box is small enough), each at its nearest
 * place; plus the offers whose intervention zone covers `$8`. Then, still in the database so that a dense city
 * (thousands of candidates) sends back one small row: the total within the radius, the drill-down facet counts (each
 * facet counted under the other facets' filters, not its own) and the ranked page.
 */
function statement(facetFiltered: boolean): string {
  // Without a facet filter every candidate passes them: the statement reads cand itself, not a copy of its 12k rows.
  const base = facetFiltered ? 'base' : 'cand';
  const km = (t: string) => `sqrt(power((${t}.lat - $1::float8) * 111.2, 2) + power((${t}.lon - $2::float8) * 111.2 * cos(radians($1::float8)), 2))`;
  // A profession is a resource profession of the offer, or the role of a professional practising in it (city offers):
  // search_offer_place carries the latter (migration 113); for the offers found through their zone only, the same
  // function computes it.
  const filters = (t: string, id: string, professions: string) => `
    (cardinality($9::text[]) = 0 OR ${t}.specialty && $9::text[])
    AND (cardinality($10::text[]) = 0 OR ${t}.characteristic && $10::text[] OR ${professions})
    AND ($14::numeric IS NULL OR ((${t}.age_low IS NULL OR ${t}.age_low <= $14) AND (${t}.age_high IS NULL OR ${t}.age_high >= $14)))
    AND (NOT $15::boolean OR coalesce(${t}.characteristic && $19::text[], false) OR coalesce(${t}.intervention_zone @> ARRAY[$8::text], false))
    AND (cardinality($16::text[]) = 0 OR EXISTS (SELECT 1 FROM search_text t WHERE t.rtype = 'HealthcareService' AND t.id = ${id} AND t.doc LIKE ALL ($16::text[])))`;
  // What a candidate carries out of its scan: flags and short code lists, not the token arrays, so that the sort
  // choosing each offer's nearest place stays in memory (12k candidates in Paris).
  const out = (t: string, c: { field: string; publics: string; careModes: string }) => `
    ($8::text IS NOT NULL AND coalesce(${t}.intervention_zone @> ARRAY[$8::text], false)) AS zone_match,
    coalesce(${t}.characteristic && $19::text[], false) AS home_visit_trait,
    ${c.field} AS field, ${c.careModes} AS care_modes, ${c.publics} AS publics, ${t}.has_closure, ${t}.last_updated,
    (cardinality($11::text[]) = 0 OR ${t}.characteristic && $11::text[]) AS ok_care,
    (cardinality($12::text[]) = 0 OR ${t}.service_type && $12::text[]) AS ok_field,
    (cardinality($13::text[]) = 0 OR ${c.publics} && $13::text[]) AS ok_public`;
  return `
WITH near AS MATERIALIZED (
  -- Each offer once, at its nearest place within the radius: one range scan of search_offer_place's geo-cell index.
  SELECT DISTINCT ON (p.offer_id) p.offer_id AS id, p.location_id, d.km, p.available_places, ${out('p', { field: 'p.field_code', publics: 'p.public_codes', careModes: 'p.care_mode_codes' })}
  FROM search_offer_place p, LATERAL (SELECT ${km('p')} AS km) d
  WHERE p.lat BETWEEN $4 AND $5 AND p.lon BETWEEN $6 AND $7
    AND ($18::int[] IS NULL OR p.geo_cell = ANY($18::int[]))
    -- Inactive offers and sensitive units are never listed here.
    AND NOT p.inactive AND NOT p.sensitive
    AND d.km <= $3 AND ${filters('p', 'p.offer_id', 'p.role_professions && $20::text[]')}
  ORDER BY p.offer_id, d.km, p.location_id
),
-- Plus the offers found through their intervention zone only (a handful), at their nearest place wherever it is.
ids AS (
  SELECT * FROM near
  UNION ALL
  SELECT h.id, z.location_id, z.km, z.available_places,
    -- As search_offer_place_source computes them (migration 111).
    ${out('h', { field: 'h.f_field_code', publics: 'ror_public_codes(h.patient_type)', careModes: 'ror_code_set(h.f_care_modes)' })}
  FROM healthcare_service h
  LEFT JOIN LATERAL (
    SELECT l.id AS location_id, l.available_places, ${km('l')} AS km
    FROM search_reference r JOIN location l ON l.id = r.target_id AND NOT l.deleted AND l.lat IS NOT NULL
    WHERE r.rtype = 'HealthcareService' AND r.param = 'location' AND r.id = h.id
    ORDER BY 3 LIMIT 1
  ) z ON true
  WHERE $8::text IS NOT NULL AND h.intervention_zone @> ARRAY[$8::text] AND NOT h.deleted AND NOT h.inactive AND NOT h.sensitive
    AND h.id NOT IN (SELECT id FROM near) AND ${filters('h', 'h.id', 'ror_offer_role_professions(h.id) && $20::text[]')}
),
raw AS (
  SELECT ids.*, coalesce(ids.available_places, 0) AS places_now,
    CASE WHEN $17::text IS NULL THEN 1.0::float8
         ELSE coalesce((SELECT max(word_similarity($17::text, t.doc)) FROM search_text t WHERE t.rtype = 'HealthcareService' AND t.id = ids.id), 0)::float8 END AS relevance,
    ids.has_closure AND EXISTS (SELECT 1 FROM healthcare_service h, jsonb_array_elements(coalesce(h.content->'notAvailable', '[]'::jsonb)) na
            WHERE h.id = ids.id AND na->>'id' = 'closingReopeningDate'
              AND coalesce((na->'during'->>'start')::timestamptz <= now(), true)
              AND coalesce((na->'during'->>'end')::timestamptz > now(), true)) AS closed
  FROM ids
),
cand AS MATERIALIZED (
  -- Availability the caller may not see (access matrix, $22) counts as none, before filters, facets and ranking.
  SELECT raw.id, raw.location_id, raw.km, raw.zone_match, raw.field, raw.care_modes, raw.publics, raw.relevance, raw.last_updated,
    raw.ok_care, raw.ok_field, raw.ok_public, home_visit_trait OR zone_match AS home_visit,
    CASE WHEN closed OR $22::text = 'none' OR ($22::text = 'medico-social' AND field IS DISTINCT FROM '${MEDICO_SOCIAL}') THEN 0
         ELSE coalesce(places_now, 0) END AS available_places
  FROM raw
),
${facetFiltered ? 'base AS (SELECT * FROM cand WHERE ok_care AND ok_field AND ok_public),' : ''}
-- The availability filter is a condition on base, not a CTE of its own (another copy of the 12k rows of a dense city).
ranked AS (
  -- scoreOf() below, the reference definition; floor(x + 0.5) rounds as Math.round does.
  SELECT m.*, floor((0.5 * m.relevance
                     + 0.35 * CASE WHEN m.zone_match THEN 0.7 + 0.3 * d.by_distance ELSE d.by_distance END
                     + 0.15 * CASE WHEN m.available_places > 0 THEN 1 ELSE 0 END) * 1000 + 0.5) / 1000 AS score
  FROM ${base} m,
       LATERAL (SELECT CASE WHEN m.km IS NULL THEN 0 ELSE greatest(0, 1 - m.km / greatest($3::float8, 1)) END AS by_distance) d
  WHERE ${AVAILABLE}
)
SELECT $3::float8 AS radius,
  (SELECT count(*) FROM ${base} WHERE ${AVAILABLE})::int AS total,
  (SELECT coalesce(json_agg(p ORDER BY p.score DESC, coalesce(p.km, 0), p.id), '[]'::json) FROM (
     SELECT id, location_id, km, zone_match, field, home_visit, available_places, relevance,
            last_updated, score
     FROM ranked ORDER BY score DESC, coalesce(km, 0), id LIMIT $23::int OFFSET $24::int) p) AS page,
  (SELECT coalesce(json_agg(json_build_object('code', code, 'count', n) ORDER BY n DESC, code), '[]'::json) FROM (
     SELECT field AS code, count(*)::int AS n FROM cand WHERE ok_care AND ok_public AND field IS NOT NULL GROUP BY field) f) AS field_facet,
  -- Care modes and publics are code lists without repeats (search_offer_place): a row per offer and code.
  (SELECT coalesce(json_agg(json_build_object('code', code, 'count', n) ORDER BY n DESC, code), '[]'::json) FROM (
     SELECT c AS code, count(*)::int AS n FROM (SELECT unnest(care_modes) AS c FROM cand WHERE ok_field AND ok_public) u GROUP BY c) f) AS care_mode_facet,
  (SELECT coalesce(json_agg(json_build_object('code', code, 'count', n) ORDER BY n DESC, code), '[]'::json) FROM (
     SELECT k AS code, count(*)::int AS n FROM (SELECT unnest(publics) AS k FROM cand WHERE ok_field AND ok_care) u GROUP BY k) f) AS public_facet,
  (SELECT count(*) FROM ${base} WHERE home_visit)::int AS home_visit_facet,
  (SELECT count(*) FROM ${base} WHERE available_places > 0)::int AS available_facet
`;
}

/** The statement, with and without facet filters. */
export const searchSql = { filtered: statement(true), unfiltered: statement(false) };

interface SearchRow {
  radius: number;
  total: number;
  page: {
    id: string; location_id: string | null; km: number | null; zone_match: boolean; field: string | null;
    home_visit: boolean; available_places: number;
    relevance: number; last_updated: string; score: number;
  }[];
  field_facet: FacetCount[];
  care_mode_facet: FacetCount[];
  public_facet: FacetCount[];
  home_visit_facet: number;
  available_facet: number;
}


/** The statement and its parameters for one radius: the offers within `maxKm` (or whose intervention zone covers the commune). */
export function searchStatement(q: OfferQuery, maxKm: number): { sql: string; params: unknown[] } {
  const dLat = maxKm / 111.2;
  const dLon = maxKm / (111.32 * Math.max(0.05, Math.cos((q.lat * Math.PI) / 180)));
  const patterns = textPatterns(q.text);
  const textForSimilarity = patterns.length ? patterns.map((p) => p.slice(1, -1)).join(' ') : null;
  const facetFiltered = q.careMode.length > 0 || q.field.length > 0 || q.publicType.length > 0;
  return {
    sql: facetFiltered ? searchSql.filtered : searchSql.unfiltered,
    params: [
      q.lat, q.lon, maxKm, q.lat - dLat, q.lat + dLat, q.lon - dLon, q.lon + dLon,
      q.commune ?? null,
      keys(SYSTEMS.activity, q.activity), keys(SYSTEMS.profession, q.profession), keys(SYSTEMS.careMode, q.careMode),
      keys(SYSTEMS.field, q.field), q.publicType,
      q.age ?? null, q.homeVisit, patterns, textForSimilarity,
      cellsAround(q.lat, q.lon, maxKm * 1000) ?? null, HOME_VISIT_KEYS, q.profession,
      q.available, q.capacityAccess ?? 'all', q.limit, q.offset,
    ],
  };
}

async function runSearch(db: Queryable, q: OfferQuery, maxKm: number): Promise<SearchRow> {
  const { sql, params } = searchStatement(q, maxKm);
  const { rows } = await db.query<SearchRow>(sql, params);
  return rows[0];
}

const asJson = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** The radii tried in turn: the requested one, then the larger steps up to 50 km (never beyond the maximum). */
export function radiusSteps(requestedKm: number, widen: boolean): number[] {
  if (!widen) return [requestedKm];
  return [requestedKm, ...RADIUS_STEPS_KM.filter((s) => s > requestedKm)];
}

/**
 * Score in 0..1: half relevance of the need, a third closeness, the rest availability of beds or places now.
 * An intervention zone covering the patient's commune counts as close (at least 0.7), nearer still better.
 */
export function scoreOf(c: Candidate, radiusKm: number): number {
  const byDistance = c.km == null ? 0 : Math.max(0, 1 - c.km / Math.max(radiusKm, 1));
  const closeness = c.zoneMatch ? 0.7 + 0.3 * byDistance : byDistance;
  const availability = c.availablePlaces > 0 ? 1 : 0;
  return Math.round((0.5 * c.relevance + 0.35 * closeness + 0.15 * availability) * 1000) / 1000;
}

/**
 * Runs the search: one statement at the requested radius; while it holds too few offers (and widening is on), once
 * more at the next step. Step by step rather than straight to the widest: near a dense city (Mantes-la-Jolie, 50 km
 * from Paris) the widest circle holds tens of thousands of places, while the next step usually suffices.
 */
export async function searchOffers(db: Queryable, q: OfferQuery): Promise<OfferSearchOutcome> {
  const steps = radiusSteps(q.radiusKm, q.widen);
  let row = await runSearch(db, q, steps[0]);
  for (const step of steps.slice(1)) {
    if (row.total >= q.minResults) break;
    row = await runSearch(db, q, step);
  }
  const radiusKm = Number(row.radius);
  const page = asJson<SearchRow['page']>(row.page).map((r): RankedCandidate => ({
    id: r.id,
    locationId: r.location_id,
    km: r.km == null ? null : Number(r.km),
    zoneMatch: r.zone_match,
    field: r.field,
    homeVisit: r.home_visit,
    availablePlaces: Number(r.available_places) || 0,
    relevance: Number(r.relevance),
    lastUpdated: new Date(r.last_updated).toISOString(),
    score: Number(r.score),
  }));
  return {
    requestedRadiusKm: q.radiusKm,
    radiusKm,
    widened: radiusKm > q.radiusKm,
    total: Number(row.total),
    page,
    facets: {
      field: asJson<FacetCount[]>(row.field_facet),
      careMode: asJson<FacetCount[]>(row.care_mode_facet),
      publicType: asJson<FacetCount[]>(row.public_facet),
      homeVisit: Number(row.home_visit_facet),
      available: Number(row.available_facet),
    },
  };
}
