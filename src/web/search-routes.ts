import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../db/database.ts';
import type { CommuneDirectory, CommunePlace } from '../geo/commune-directory.ts';
import { ApiFailure, errorSchema } from './api-errors.ts';
import { MAX_RADIUS_KM, searchOffers, type OfferQuery } from './offer-search.ts';
import { offerDetail, viewOffers } from './offer-view.ts';
import { myPlaces } from './my-places.ts';
import { FIELD_LABELS, SYSTEMS } from './nos-systems.ts';
import type { FastifyRequest } from 'fastify';
import { visibilityOf } from '../security/access-matrix.ts';
import { ANONYMOUS, readProfileOf } from '../security/principal.ts';
import type { CapacityAccess } from './offer-search.ts';

/** Which availabilities the caller may see, from the access matrix (element "capacity" of its read profile). */
export function capacityAccessOf(req: FastifyRequest): CapacityAccess {
  const v = visibilityOf('capacity', readProfileOf(req.principal ?? ANONYMOUS));
  if (v === 'all' || v === 'not-supplementary') return 'all';
  if (v === 'medico-social-not-supplementary') return 'medico-social';
  return 'none';
}

export interface SearchQuerystring {
  commune?: string;
  lat?: number;
  lon?: number;
  radius: number;
  widen: boolean;
  minResults: number;
  q?: string;
  activity?: string;
  profession?: string;
  careMode?: string;
  field?: string;
  public?: string;
  age?: number;
  homeVisit: boolean;
  available: boolean;
  limit: number;
  offset: number;
}

const codeList = (description: string) => ({ type: 'string', pattern: '^[0-9A-Za-z]{1,10}(,[0-9A-Za-z]{1,10}){0,49}$', description });
const coded = { type: 'object', properties: { code: { type: 'string' }, display: { type: 'string' } } } as const;
const facet = { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, display: { type: 'string' }, count: { type: 'integer' } } } } as const;

const resultSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'id de la HealthcareService' },
    name: { type: 'string' },
    organization: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } },
    field: coded,
    activities: { type: 'array', items: coded },
    careModes: { type: 'array', items: coded },
    publics: { type: 'array', items: coded },
    ageRange: { type: 'object', properties: { low: { type: 'number' }, high: { type: 'number' } } },
    distanceKm: { type: ['number', 'null'], description: 'Distance au lieu le plus proche (null : seule la zone d’intervention correspond)' },
    homeVisit: { type: 'boolean' },
    interventionZoneMatch: { type: 'boolean', description: 'La zone d’intervention couvre la commune du patient' },
    location: {
      type: 'object',
      properties: {
        id: { type: 'string' }, name: { type: 'string' }, address: { type: 'string' }, commune: { type: 'string' },
        lat: { type: 'number' }, lon: { type: 'number' },
      },
    },
    contacts: {
      type: 'array',
      description: 'Coordonnées en accès libre uniquement',
      items: { type: 'object', properties: { kind: { type: 'string', enum: ['phone', 'email', 'mss', 'url', 'other'] }, value: { type: 'string' }, label: { type: 'string' } } },
    },
    capacity: {
      type: 'object', properties: { availablePlaces: { type: 'integer' }, updatedAt: { type: 'string' } },
      description: 'Places disponibles : absent pour les visiteurs anonymes (profil d’accès 0) ; selon le profil sinon',
    },
    closedUntil: { type: 'string', description: 'Fermeture temporaire en cours : date de réouverture prévue' },
    lastUpdated: { type: 'string', format: 'date-time' },
    stale: { type: 'boolean', description: 'Ni confirmée ni mise à jour depuis ROR_STALE_AFTER_DAYS jours (6 mois par défaut)' },
    score: { type: 'number', description: '0..1 : pertinence (50 %), proximité (35 %), disponibilité (15 %)' },
    reasons: { type: 'array', items: { type: 'string' }, description: 'Pourquoi ce résultat, en français' },
    fhirUrl: { type: 'string' },
  },
} as const;

export const searchResponseSchema = {
  type: 'object',
  properties: {
    place: {
      type: 'object',
      properties: {
        commune: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, postcodes: { type: 'array', items: { type: 'string' } } } },
        lat: { type: 'number' }, lon: { type: 'number' },
      },
    },
    requestedRadiusKm: { type: 'number' },
    radiusKm: { type: 'number', description: 'Rayon finalement utilisé (élargi si trop peu de résultats)' },
    widened: { type: 'boolean' },
    message: { type: 'string', description: 'Message à afficher (élargissement du rayon, aucun résultat)' },
    total: { type: 'integer' },
    results: { type: 'array', items: resultSchema },
    facets: {
      type: 'object',
      description: 'Comptes par valeur de filtre dans le rayon utilisé ; chaque facette (champ, mode de prise en charge, public) est comptée sous les autres filtres mais pas le sien, pour pouvoir changer de choix',
      properties: { field: facet, careMode: facet, public: facet, homeVisit: { type: 'integer' }, available: { type: 'integer' } },
    },
    fhirQuery: { type: 'string', description: 'Requête FHIR équivalente (sans classement ni élargissement)' },
  },
} as const;

const split = (s: string | undefined) => (s ? s.split(',').filter(Boolean) : []);

/** The equivalent FHIR search, for integrators (the ranking and widening are this endpoint's own). */
export function fhirQueryOf(q: OfferQuery, radiusKm: number): string {
  const p = new URLSearchParams();
  if (q.activity.length) p.set('specialty', q.activity.map((c) => `${SYSTEMS.activity}|${c}`).join(','));
  if (q.field.length) p.set('service-type', q.field.map((c) => `${SYSTEMS.field}|${c}`).join(','));
  if (q.careMode.length || q.profession.length) {
    p.set('characteristic', [...q.careMode.map((c) => `${SYSTEMS.careMode}|${c}`), ...q.profession.map((c) => `${SYSTEMS.profession}|${c}`)].join(','));
  }
  if (q.publicType.length) p.set('patient-type', q.publicType.join(','));
  if (q.age != null) {
    p.append('age-range-low', `le${q.age}`);
    p.append('age-range-high', `ge${q.age}`);
  }
  p.set('location.near', `${q.lat}|${q.lon}|${radiusKm}|km`);
  p.set('_include', 'HealthcareService:location');
  return `/fhir/HealthcareService?${p.toString().replace(/%7C/g, '|').replace(/%2C/g, ',')}`;
}

/** `GET /api/search`: the coordinator search, documented in the OpenAPI description. */
export function registerSearchRoutes(api: FastifyInstance, deps: { db: Queryable; communes: CommuneDirectory; staleAfterDays?: number }): void {
  api.get<{ Querystring: SearchQuerystring }>('/search', {
    schema: {
      tags: ['Recherche'],
      summary: 'Recherche d’offres par besoin autour d’un lieu',
      description: 'Offres (HealthcareService) correspondant au besoin et aux filtres, autour d’une commune ou d’un point, '
        + 'classées par pertinence, distance et disponibilité. Le rayon est élargi automatiquement (10 → 20 → 30 → 50 km) '
        + 'quand il y a moins de `minResults` résultats, et la réponse le dit. Les offres « unité sensible » ne sont pas listées.',
      querystring: {
        type: 'object',
        properties: {
          commune: { type: 'string', pattern: '^[0-9][0-9AB][0-9]{3}$', description: 'Code INSEE de la commune du patient' },
          lat: { type: 'number', minimum: -90, maximum: 90, description: 'Latitude (WGS84), avec lon, à défaut de commune' },
          lon: { type: 'number', minimum: -180, maximum: 180 },
          radius: { type: 'integer', minimum: 1, maximum: MAX_RADIUS_KM, default: 10, description: 'Rayon demandé, km' },
          widen: { type: 'boolean', default: true, description: 'Élargir le rayon si trop peu de résultats' },
          minResults: { type: 'integer', minimum: 1, maximum: 50, default: 5 },
          q: { type: 'string', maxLength: 200, description: 'Besoin en texte libre (mots cherchés dans les libellés de l’offre)' },
          activity: codeList('Activités opérationnelles (TRE_R211), séparées par des virgules'),
          profession: codeList('Professions ressources (TRE_G15)'),
          careMode: codeList('Modes de prise en charge (TRE_R213)'),
          field: codeList('Champs d’activité (TRE_R227) : 01 MCO, 02 SMR, 03 PSY, 04 médico-social, 05 ville'),
          public: codeList('Publics pris en charge (TRE_R239)'),
          age: { type: 'integer', minimum: 0, maximum: 130, description: 'Âge du patient, années' },
          homeVisit: { type: 'boolean', default: false, description: 'Seulement les offres qui se déplacent à domicile ou interviennent dans la commune' },
          available: { type: 'boolean', default: false, description: 'Seulement les offres avec lits ou places disponibles' },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          offset: { type: 'integer', minimum: 0, maximum: 10000, default: 0 },
        },
      },
      response: { 200: searchResponseSchema, 400: errorSchema },
    },
  }, async (req) => {
    const qs = req.query;
    let commune: CommunePlace | undefined;
    let lat = qs.lat;
    let lon = qs.lon;
    if (qs.commune) {
      commune = deps.communes.get(qs.commune);
      if (!commune) throw new ApiFailure(400, 'unknown-commune', `Commune inconnue : ${qs.commune}`, `Unknown commune: ${qs.commune}`);
      // A position given with the commune (e.g. "Ma structure") is where distances start from; the commune
      // still matches intervention zones.
      if (lat == null || lon == null) {
        lat = commune.lat;
        lon = commune.lon;
      }
    }
    if (lat == null || lon == null) {
      throw new ApiFailure(400, 'place-required', 'Indiquez une commune (code INSEE) ou une position (lat, lon)', 'Give a commune (INSEE code) or a position (lat, lon)');
    }
    const query: OfferQuery = {
      lat, lon, commune: commune?.code,
      radiusKm: qs.radius, widen: qs.widen, minResults: qs.minResults,
      activity: split(qs.activity), profession: split(qs.profession), careMode: split(qs.careMode), field: split(qs.field),
      publicType: split(qs.public), age: qs.age, homeVisit: qs.homeVisit, available: qs.available,
      text: qs.q?.trim() || undefined, limit: qs.limit, offset: qs.offset,
      capacityAccess: capacityAccessOf(req),
    };
    if (query.available && query.capacityAccess === 'none') {
      throw new ApiFailure(403, 'forbidden', 'Le filtre « lits ou places disponibles » est réservé aux professionnels connectés',
        'The availability filter needs a signed-in professional or an application allowed to read capacities');
    }
    const outcome = await searchOffers(deps.db, query);
    const results = await viewOffers(deps.db, outcome.page, { activity: query.activity, text: query.text }, new Date(),
      { capacityAccess: query.capacityAccess, staleAfterDays: deps.staleAfterDays });
    let message: string | undefined;
    if (outcome.widened) {
      message = `Moins de ${query.minResults} résultats à ${outcome.requestedRadiusKm} km : rayon élargi à ${outcome.radiusKm} km.`;
    }
    if (outcome.total === 0) {
      message = `Aucune offre trouvée à moins de ${outcome.radiusKm} km${commune ? ` de ${commune.name}` : ''}. Essayez un autre besoin ou moins de filtres.`;
    }
    return {
      place: { commune: commune && { code: commune.code, name: commune.name, postcodes: commune.postcodes }, lat, lon },
      requestedRadiusKm: outcome.requestedRadiusKm,
      radiusKm: outcome.radiusKm,
      widened: outcome.widened,
      message,
      total: outcome.total,
      results,
      facets: {
        field: outcome.facets.field.map((f) => ({ ...f, display: FIELD_LABELS[f.code] })),
        careMode: outcome.facets.careMode,
        public: outcome.facets.publicType,
        homeVisit: outcome.facets.homeVisit,
        ...(query.capacityAccess === 'none' ? {} : { available: outcome.facets.available }),
      },
      fhirQuery: fhirQueryOf(query, outcome.radiusKm),
    };
  });

  api.get('/places/mine', {
    schema: {
      tags: ['Recherche'],
      summary: 'Sites de mes structures',
      description: 'Les sites (lieux avec une position) des structures de la personne connectée et des établissements qui en dépendent, '
        + 'à prendre comme lieu de recherche (« Ma structure »). 401 sans session.',
      response: {
        200: { type: 'object', properties: { places: { type: 'array', items: { type: 'object', properties: {
          locationId: { type: 'string' }, organizationId: { type: 'string' }, name: { type: 'string' },
          lat: { type: 'number' }, lon: { type: 'number' }, commune: { type: 'string' },
        } } } } },
        401: errorSchema,
      },
    },
  }, async (req, reply) => {
    const p = req.principal;
    if (!p || p.kind !== 'user') throw new ApiFailure(401, 'unauthenticated', 'Connectez-vous pour utiliser votre structure comme lieu', 'Sign in to use your organization as the place');
    reply.header('Cache-Control', 'no-store');
    // A site without the commune extension: the commune whose centroid is nearest (an approximation near
    // boundaries, only used to match intervention zones; distances start from the site itself).
    const nearest = (lat: number, lon: number) => {
      let best: CommunePlace | undefined;
      let bestD = Infinity;
      const k = Math.cos((lat * Math.PI) / 180);
      for (const c of deps.communes.all()) {
        const d = (c.lat - lat) ** 2 + ((c.lon - lon) * k) ** 2;
        if (d < bestD) [best, bestD] = [c, d];
      }
      return best?.code;
    };
    const places = await myPlaces(deps.db, p.organizations);
    return { places: places.map((x) => (x.commune && deps.communes.get(x.commune) ? x : { ...x, commune: nearest(x.lat, x.lon) })) };
  });

  api.get<{ Params: { id: string } }>('/offers/:id', {
    schema: {
      tags: ['Recherche'],
      summary: 'Fiche d’une offre',
      description: 'L’offre (HealthcareService) avec ses lieux, capacités disponibles, coordonnées en accès libre et zone d’intervention. '
        + '404 pour une offre inconnue, supprimée ou « unité sensible ».',
      params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' } }, required: ['id'] },
      response: { 200: { type: 'object', additionalProperties: true }, 404: errorSchema },
    },
  }, async (req, reply) => {
    const detail = await offerDetail(deps.db, req.params.id, new Date(), { capacityAccess: capacityAccessOf(req), staleAfterDays: deps.staleAfterDays });
    if (!detail) throw new ApiFailure(404, 'not-found', `Offre introuvable : ${req.params.id}`, `Offer not found: ${req.params.id}`);
    reply.header('Cache-Control', 'no-cache');
    return detail;
  });
}
