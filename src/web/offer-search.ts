/**
 * The coordinator search ("by need, near a patient") over the store tables: candidate offers within the widest
 * radius in one SQL query, then the radius actually used (widened 10 → 20 → 30 → 50 km when too few
 * results), facet counts and the ranking. Reads the resources' JSON directly; when the search engine's indexed
 * columns exist, only `candidateSql` has to move onto them.
 */
import type { Queryable } from '../db/database.ts';
import { EXT, HOME_VISIT, SYSTEMS } from './nos-systems.ts';

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
}

/** One matching offer, before its resources are read for display. */
export interface Candidate {
  id: string;
  locationId: string | null;
  /** Distance to the nearest place of the offer, km (null when only the intervention zone matches). */
  km: number | null;
  zoneMatch: boolean;
  field: string | null;
  careModes: string[];
  publics: string[];
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

const codingsOf = (path: string) => `jsonb_array_elements(coalesce(${path}, '[]'::jsonb)) cc, jsonb_array_elements(coalesce(cc->'coding', '[]'::jsonb)) c`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Candidates: live, non-sensitive offers matching every filter, with their nearest place within `$3` km
 * (bounding box first, then the great-circle distance of earthdistance) or an intervention zone covering `$8`.
 */
export const candidateSql = `
WITH hs AS (
  SELECT h.id, h.content, h.last_updated
  FROM healthcare_service h
  WHERE NOT h.deleted
    AND coalesce(h.content->>'active', 'true') <> 'false'
    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(h.content->'extension', '[]'::jsonb)) e
                    WHERE e->>'url' = ${lit(EXT.sensitiveUnit)} AND e->>'valueBoolean' = 'true')
    AND (cardinality($9::text[]) = 0 OR EXISTS (SELECT 1 FROM ${codingsOf("h.content->'specialty'")}
         WHERE c->>'system' = ${lit(SYSTEMS.activity)} AND c->>'code' = ANY($9)))
    AND (cardinality($10::text[]) = 0 OR EXISTS (SELECT 1 FROM ${codingsOf("h.content->'characteristic'")}
         WHERE c->>'system' = ${lit(SYSTEMS.profession)} AND c->>'code' = ANY($10)))
    AND (cardinality($11::text[]) = 0 OR EXISTS (SELECT 1 FROM ${codingsOf("h.content->'characteristic'")}
         WHERE c->>'system' = ${lit(SYSTEMS.careMode)} AND c->>'code' = ANY($11)))
    AND (cardinality($12::text[]) = 0 OR EXISTS (SELECT 1 FROM ${codingsOf("h.content->'type'")}
         WHERE c->>'system' = ${lit(SYSTEMS.field)} AND c->>'code' = ANY($12)))
),
facts AS (
  SELECT hs.id, hs.content, hs.last_updated,
    (SELECT c->>'code' FROM ${codingsOf("hs.content->'type'")} WHERE c->>'system' = ${lit(SYSTEMS.field)} LIMIT 1) AS field,
    ARRAY(SELECT DISTINCT c->>'code' FROM ${codingsOf("hs.content->'characteristic'")} WHERE c->>'system' = ${lit(SYSTEMS.careMode)}) AS care_modes,
    ARRAY(SELECT DISTINCT c->>'code'
          FROM jsonb_array_elements(coalesce(hs.content->'extension', '[]'::jsonb)) e,
               jsonb_array_elements(coalesce(e->'extension', '[]'::jsonb)) s,
               jsonb_array_elements(coalesce(s->'valueCodeableConcept'->'coding', '[]'::jsonb)) c
          WHERE e->>'url' = ${lit(EXT.patientType)} AND s->>'url' = 'supportedPatientInfo') AS publics,
    (SELECT (s->'valueRange'->'low'->>'value')::numeric
       FROM jsonb_array_elements(coalesce(hs.content->'extension', '[]'::jsonb)) e, jsonb_array_elements(coalesce(e->'extension', '[]'::jsonb)) s
      WHERE e->>'url' = ${lit(EXT.patientType)} AND s->>'url' = 'ageRange' LIMIT 1) AS age_low,
    (SELECT (s->'valueRange'->'high'->>'value')::numeric
       FROM jsonb_array_elements(coalesce(hs.content->'extension', '[]'::jsonb)) e, jsonb_array_elements(coalesce(e->'extension', '[]'::jsonb)) s
      WHERE e->>'url' = ${lit(EXT.patientType)} AND s->>'url' = 'ageRange' LIMIT 1) AS age_high,
    EXISTS (SELECT 1 FROM ${codingsOf("hs.content->'characteristic'")}
            WHERE (c->>'system' = ${lit(SYSTEMS.receptionModality)} AND c->>'code' IN (${HOME_VISIT.receptionModality.map(lit).join(', ')}))
               OR (c->>'system' = ${lit(SYSTEMS.careMode)} AND c->>'code' IN (${HOME_VISIT.careMode.map(lit).join(', ')}))) AS home_visit,
    ($8::text IS NOT NULL AND EXISTS (
      SELECT 1 FROM jsonb_array_elements(coalesce(hs.content->'extension', '[]'::jsonb)) e,
                    jsonb_array_elements(coalesce(e->'extension', '[]'::jsonb)) s,
                    jsonb_array_elements(coalesce(s->'valueCodeableConcept'->'coding', '[]'::jsonb)) c
      WHERE e->>'url' = ${lit(EXT.territorialDivision)} AND s->>'url' = 'codeTerritorialDivision' AND c->>'code' = $8)) AS zone_match,
    lower(unaccent(concat_ws(' ', hs.content->>'name', hs.content->>'comment',
      (SELECT string_agg(coalesce(c->>'display', ''), ' ') FROM ${codingsOf("hs.content->'specialty'")}),
      (SELECT string_agg(coalesce(c->>'display', ''), ' ') FROM ${codingsOf("hs.content->'category'")}),
      (SELECT string_agg(coalesce(c->>'display', ''), ' ') FROM ${codingsOf("hs.content->'characteristic'")})))) AS hay
  FROM hs
),
loc AS (
  SELECT p.id, p.content,
    earth_distance(ll_to_earth($1::float8, $2::float8), ll_to_earth(p.lat, p.lon)) / 1000.0 AS km
  FROM (SELECT l.id, l.content,
               (l.content->'position'->>'latitude')::float8 AS lat, (l.content->'position'->>'longitude')::float8 AS lon
        FROM location l
        WHERE NOT l.deleted AND l.content->'position' ? 'latitude' AND l.content->'position' ? 'longitude') p
  WHERE p.lat BETWEEN $4 AND $5 AND p.lon BETWEEN $6 AND $7
),
near AS (
  SELECT DISTINCT ON (f.id) f.id, loc.id AS location_id, loc.km, loc.content AS location
  FROM facts f
  CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(f.content->'location') = 'array' THEN f.content->'location' ELSE '[]'::jsonb END) r
  JOIN loc ON loc.id = split_part(r->>'reference', '/', 2)
  WHERE loc.km <= $3
  ORDER BY f.id, loc.km
)
SELECT f.id, n.location_id, n.km, f.zone_match, f.field, f.care_modes, f.publics, f.home_visit,
  coalesce((SELECT sum(coalesce((SELECT (s->>'valueInteger')::int FROM jsonb_array_elements(e->'extension') s WHERE s->>'url' = 'nbCapacity' LIMIT 1), 0))
     FROM jsonb_array_elements(coalesce(n.location->'extension', '[]'::jsonb)) e
    WHERE e->>'url' = ${lit(EXT.supportedCapacity)}
      AND EXISTS (SELECT 1 FROM jsonb_array_elements(e->'extension') s
                  WHERE s->>'url' = 'capacityStatus'
                    AND (s->>'valueCode' = '02' OR s->'valueCodeableConcept'->'coding' @> '[{"code": "02"}]'::jsonb))
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(e->'extension') s
                  WHERE s->>'url' = 'temporalityCapacity'
                    AND NOT (s->>'valueCode' = '01' OR s->'valueCodeableConcept'->'coding' @> '[{"code": "01"}]'::jsonb))), 0)::int AS available_places,
  CASE WHEN $17::text IS NULL THEN 1.0 ELSE word_similarity($17::text, f.hay) END AS relevance,
  f.last_updated
FROM facts f
LEFT JOIN near n ON n.id = f.id
WHERE (n.id IS NOT NULL OR f.zone_match)
  AND (cardinality($13::text[]) = 0 OR f.publics && $13::text[])
  AND ($14::numeric IS NULL OR ((f.age_low IS NULL OR f.age_low <= $14) AND (f.age_high IS NULL OR f.age_high >= $14)))
  AND (NOT $15::boolean OR f.home_visit OR f.zone_match)
  AND (cardinality($16::text[]) = 0 OR f.hay LIKE ALL ($16::text[]))
`;

interface CandidateRow {
  id: string;
  location_id: string | null;
  km: number | null;
  zone_match: boolean;
  field: string | null;
  care_modes: string[];
  publics: string[];
  home_visit: boolean;
  available_places: number;
  relevance: number | string;
  last_updated: Date | string;
}

/** All candidates within `maxKm` (or in an intervention zone covering the commune). */
export async function findCandidates(db: Queryable, q: OfferQuery, maxKm: number): Promise<Candidate[]> {
  const dLat = maxKm / 111.2;
  const dLon = maxKm / (111.32 * Math.max(0.05, Math.cos((q.lat * Math.PI) / 180)));
  const patterns = textPatterns(q.text);
  const textForSimilarity = patterns.length ? patterns.map((p) => p.slice(1, -1)).join(' ') : null;
  const { rows } = await db.query<CandidateRow>(candidateSql, [
    q.lat, q.lon, maxKm, q.lat - dLat, q.lat + dLat, q.lon - dLon, q.lon + dLon,
    q.commune ?? null, q.activity, q.profession, q.careMode, q.field, q.publicType,
    q.age ?? null, q.homeVisit, patterns, textForSimilarity,
  ]);
  return rows.map((r) => ({
    id: r.id,
    locationId: r.location_id,
    km: r.km == null ? null : Number(r.km),
    zoneMatch: r.zone_match,
    field: r.field,
    careModes: r.care_modes ?? [],
    publics: r.publics ?? [],
    homeVisit: r.home_visit || r.zone_match,
    availablePlaces: Number(r.available_places) || 0,
    relevance: Number(r.relevance),
    lastUpdated: r.last_updated instanceof Date ? r.last_updated.toISOString() : new Date(r.last_updated).toISOString(),
  }));
}

/** The radii tried in turn: the requested one, then the larger steps up to 50 km (never beyond the maximum). */
export function radiusSteps(requestedKm: number, widen: boolean): number[] {
  if (!widen) return [requestedKm];
  return [requestedKm, ...RADIUS_STEPS_KM.filter((s) => s > requestedKm)];
}

/**
 * Score in 0..1: half relevance of the need, a third closeness (an intervention zone covering the patient's
 * commune counts as at the door), the rest availability of beds or places now.
 */
export function scoreOf(c: Candidate, radiusKm: number): number {
  const closeness = c.zoneMatch && (c.km == null || c.km > radiusKm) ? 1 : Math.max(0, 1 - (c.km ?? radiusKm) / Math.max(radiusKm, 1));
  const availability = c.availablePlaces > 0 ? 1 : 0;
  return Math.round((0.5 * c.relevance + 0.35 * closeness + 0.15 * availability) * 1000) / 1000;
}

const within = (c: Candidate, km: number) => c.zoneMatch || (c.km != null && c.km <= km);

function countBy(items: Candidate[], codes: (c: Candidate) => (string | null)[]): FacetCount[] {
  const counts = new Map<string, number>();
  for (const c of items) for (const code of new Set(codes(c))) if (code) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** Runs the search: one candidate query at the widest radius, then radius choice, facets and ranking. */
export async function searchOffers(db: Queryable, q: OfferQuery): Promise<OfferSearchOutcome> {
  const steps = radiusSteps(q.radiusKm, q.widen);
  const all = await findCandidates(db, q, steps[steps.length - 1]);
  let radiusKm = steps[0];
  let inRadius = all.filter((c) => within(c, radiusKm));
  for (const step of steps.slice(1)) {
    if (inRadius.length >= q.minResults) break;
    radiusKm = step;
    inRadius = all.filter((c) => within(c, radiusKm));
  }
  // Availability is a filter applied after the facet on it, so that the facet shows how many have room.
  const facetBase = inRadius;
  const matching = q.available ? inRadius.filter((c) => c.availablePlaces > 0) : inRadius;
  const ranked = matching
    .map((c) => ({ ...c, score: scoreOf(c, radiusKm) }))
    .sort((a, b) => b.score - a.score || (a.km ?? 0) - (b.km ?? 0) || a.id.localeCompare(b.id));
  return {
    requestedRadiusKm: q.radiusKm,
    radiusKm,
    widened: radiusKm > q.radiusKm,
    total: ranked.length,
    page: ranked.slice(q.offset, q.offset + q.limit),
    facets: {
      field: countBy(facetBase, (c) => [c.field]),
      careMode: countBy(facetBase, (c) => c.careModes),
      publicType: countBy(facetBase, (c) => c.publics),
      homeVisit: facetBase.filter((c) => c.homeVisit).length,
      available: facetBase.filter((c) => c.availablePlaces > 0).length,
    },
  };
}
