/** Calls to the server's JSON API and to the FHIR terminology, typed as the web app uses them. */
import { synonymConcepts } from './needSynonyms.ts';

export type { CommunePlace as Commune, LocatedAddress } from '../../src/geo/place-types.ts';
import type { CommunePlace as Commune, LocatedAddress } from '../../src/geo/place-types.ts';

export type { Coded, MyPlace, OfferResult } from '../../src/web/api-types.ts';
import type { Coded, MyPlace, OfferResult } from '../../src/web/api-types.ts';

export interface FacetCount {
  code: string;
  display?: string;
  count: number;
}

export interface SearchResponse {
  place: { commune?: { code: string; name: string }; lat: number; lon: number };
  requestedRadiusKm: number;
  radiusKm: number;
  widened: boolean;
  message?: string;
  total: number;
  results: OfferResult[];
  facets: { field: FacetCount[]; careMode: FacetCount[]; public: FacetCount[]; homeVisit: number; available?: number };
  fhirQuery: string;
}

export interface WebConfig {
  tileUrl: string | null;
  tileAttribution: string | null;
  version: string;
}

/** A concept picked in the "besoin" box: which search parameter it fills, and its code. */
export interface NeedConcept {
  param: 'activity' | 'profession' | 'careMode' | 'public';
  code: string;
  display: string;
  /** The everyday word it was suggested for (web/src/needSynonyms.ts), when it came from a synonym. */
  synonym?: string;
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    let message = `Erreur ${res.status}`;
    try {
      const body = (await res.json()) as { error?: { fr?: string } };
      if (body.error?.fr) message = body.error.fr;
    } catch {
      /* not JSON: keep the status */
    }
    throw new Error(message);
  }
  return (await res.json()) as T;
}

export const fetchConfig = () => getJson<WebConfig>('/api/config');

export const fetchCommunes = (q: string, signal?: AbortSignal) =>
  getJson<{ communes: Commune[] }>(`/api/communes?q=${encodeURIComponent(q)}&limit=8`, signal).then((r) => r.communes);

/** A patient's address placed by the server: by the geocoder (`adresse`) or at the centre of its commune (`commune`). */
export const fetchAddresses = (q: string, signal?: AbortSignal) =>
  getJson<{ addresses: LocatedAddress[] }>(`/api/address?q=${encodeURIComponent(q)}&limit=4`, signal).then((r) => r.addresses);

export interface OfferDetail extends Omit<OfferResult, 'distanceKm' | 'interventionZoneMatch' | 'score' | 'reasons' | 'location' | 'capacity'> {
  comment?: string;
  interventionZone: string[];
  locations: { id: string; name?: string; address?: string; commune?: string; lat?: number; lon?: number; availablePlaces?: number; capacityUpdatedAt?: string }[];
  organizationAddress?: string;
}

export const fetchOffer = (id: string) => getJson<OfferDetail>(`/api/offers/${encodeURIComponent(id)}`);

export const fetchMyPlaces = () => getJson<{ places: MyPlace[] }>('/api/places/mine').then((r) => r.places);

export const fetchDepartements = () => getJson<GeoJSON.FeatureCollection>('/api/geo/departements');

export const search = (params: URLSearchParams, signal?: AbortSignal) =>
  getJson<SearchResponse>(`/api/search?${params.toString()}`, signal);

const NOS = 'https://mos.esante.gouv.fr/NOS';
/** The value sets of the "besoin" box (the same list as the server's NEED_VALUE_SETS). */
export const NEED_VALUE_SETS: { param: NeedConcept['param']; url: string; label: string }[] = [
  { param: 'activity', url: `${NOS}/JDV_J17-ActiviteOperationnelle-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR`, label: 'Activité' },
  { param: 'profession', url: `${NOS}/JDV_J186-ProfessionRessource-ROR/FHIR/JDV-J186-ProfessionRessource-ROR`, label: 'Profession' },
  { param: 'careMode', url: `${NOS}/JDV_J19-ModePriseEnCharge-ROR/FHIR/JDV-J19-ModePriseEnCharge-ROR`, label: 'Mode de prise en charge' },
  { param: 'public', url: `${NOS}/JDV_J29-PublicPrisEnCharge-ROR/FHIR/JDV-J29-PublicPrisEnCharge-ROR`, label: 'Public' },
];

/**
 * Nomenclature labels matching what was typed, from the terminology server's `ValueSet/$expand`.
 * Resolves to null when the terminology service is unavailable: the box then searches the free text.
 */
export async function fetchNeedConcepts(filter: string, signal?: AbortSignal): Promise<NeedConcept[] | null> {
  const answers = await Promise.all(NEED_VALUE_SETS.map(async (vs) => {
    const url = `/fhir/ValueSet/$expand?url=${encodeURIComponent(vs.url)}&filter=${encodeURIComponent(filter)}&count=5`;
    try {
      const res = await fetch(url, { signal, headers: { Accept: 'application/fhir+json' } });
      if (!res.ok) return null;
      const body = (await res.json()) as { expansion?: { contains?: { code?: string; display?: string }[] } };
      return (body.expansion?.contains ?? [])
        .filter((c) => c.code && c.display)
        .map((c) => ({ param: vs.param, code: c.code!, display: c.display! }));
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      return null;
    }
  }));
  // Synonyms (kiné, SSR, maison de retraite…) first: what the coordinator typed is not the NOS label.
  const synonyms: NeedConcept[] = synonymConcepts(filter);
  const known = new Set(synonyms.map((c) => `${c.param}|${c.code}`));
  if (answers.every((a) => a === null)) return synonyms.length ? synonyms : null;
  // Labels that start with what was typed first, then those with a word that does, then the typo matches;
  // the value sets' own order (activities, professions, care modes, publics) within each tier.
  const key = normalize(filter);
  const tier = (c: NeedConcept) => {
    const d = normalize(c.display);
    return d.startsWith(key) ? 0 : d.split(' ').some((w) => w.startsWith(key)) ? 1 : 2;
  };
  return [...synonyms, ...answers.flatMap((a) => a ?? []).filter((c) => !known.has(`${c.param}|${c.code}`))
    .map((c, i) => ({ c, i, t: tier(c) })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.c)];
}

const normalize = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
