import type { FastifyInstance } from 'fastify';
import type { AddressLocator } from '../geo/address-locator.ts';
import type { CommuneDirectory } from '../geo/commune-directory.ts';
import type { DepartementOutlines } from '../geo/departement-outlines.ts';
import { errorSchema } from './api-errors.ts';

const communeSchema = {
  type: 'object',
  properties: {
    code: { type: 'string', description: 'Code INSEE (COG 2026)' },
    name: { type: 'string' },
    departement: { type: 'string' },
    region: { type: 'string' },
    postcodes: { type: 'array', items: { type: 'string' } },
    population: { type: 'integer' },
    lat: { type: 'number' },
    lon: { type: 'number' },
  },
  required: ['code', 'name', 'departement', 'postcodes', 'lat', 'lon'],
} as const;

/** The query string of a look-up: the text typed (`q`) and how many answers (`limit`). */
function lookupQuery(q: { minLength: number; maxLength: number; description: string }, maxLimit: number, defaultLimit: number) {
  return {
    type: 'object',
    properties: {
      q: { type: 'string', ...q },
      limit: { type: 'integer', minimum: 1, maximum: maxLimit, default: defaultLimit },
    },
    required: ['q'],
  } as const;
}

/** Place autocomplete over the COG 2026 communes, and the département outlines for the offline map. */
export function registerGeoRoutes(api: FastifyInstance, deps: {
  communes: CommuneDirectory; departements: DepartementOutlines; regions?: DepartementOutlines; addresses: AddressLocator;
}): void {
  api.get<{ Querystring: { q: string; limit: number } }>('/communes', {
    schema: {
      tags: ['Géographie'],
      summary: 'Autocomplétion des communes (COG 2026)',
      description: 'Nom (sans accents ni casse, préfixe), code postal ou code INSEE ; les communes les plus peuplées d’abord.',
      querystring: lookupQuery({ minLength: 1, maxLength: 100, description: 'Début du nom, code postal ou code INSEE' }, 50, 10),
      response: { 200: { type: 'object', properties: { communes: { type: 'array', items: communeSchema } } }, 400: errorSchema },
    },
  }, async (req, reply) => {
    reply.header('Cache-Control', 'public, max-age=3600');
    return { communes: deps.communes.search(req.query.q, req.query.limit) };
  });

  api.get<{ Querystring: { q: string; limit: number } }>('/address', {
    schema: {
      tags: ['Géographie'],
      summary: 'Localisation d’une adresse du patient',
      description: 'Par le géocodeur de la Base Adresse Nationale configuré (`ROR_GEOCODER_URL`) ; sans lui, ou s’il ne répond pas, '
        + 'au centre de la commune que l’adresse nomme (code postal ou nom) : `precision` le dit.',
      querystring: lookupQuery({ minLength: 3, maxLength: 200, description: 'Adresse, ex. « 12 rue de la République 78520 Limay »' }, 10, 5),
      response: {
        200: {
          type: 'object',
          properties: {
            addresses: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  label: { type: 'string' }, lat: { type: 'number' }, lon: { type: 'number' }, commune: communeSchema,
                  precision: { type: 'string', enum: ['adresse', 'commune'] },
                },
                required: ['label', 'lat', 'lon', 'commune', 'precision'],
              },
            },
          },
        },
        400: errorSchema,
      },
    },
  }, async (req) => ({ addresses: await deps.addresses.locate(req.query.q, req.query.limit) }));

  api.get('/geo/departements', {
    schema: {
      tags: ['Géographie'],
      summary: 'Contours simplifiés des départements (GeoJSON)',
      description: 'FeatureCollection WGS84 des 96 départements métropolitains, propriétés `code` et `nom`.',
      response: { 200: { type: 'object', additionalProperties: true, description: 'GeoJSON FeatureCollection' }, 304: { type: 'null', description: 'Non modifié' } },
    },
  }, async (req, reply) => {
    reply.header('Cache-Control', 'public, max-age=86400').header('ETag', deps.departements.etag);
    if (req.headers['if-none-match'] === deps.departements.etag) return reply.code(304).send();
    // Sent as the file's bytes: no parse and re-serialisation of 570 KB per request.
    return reply.type('application/geo+json').send(deps.departements.body);
  });

  // The indicators dashboard colours the régions (13 metropolitan outlines, same source and format).
  const regions = deps.regions;
  if (regions) {
    api.get('/geo/regions', {
      schema: {
        tags: ['Géographie'],
        summary: 'Contours simplifiés des régions métropolitaines (GeoJSON)',
        description: 'FeatureCollection WGS84 des 13 régions métropolitaines, propriétés `code` et `nom`.',
        response: { 200: { type: 'object', additionalProperties: true, description: 'GeoJSON FeatureCollection' }, 304: { type: 'null', description: 'Non modifié' } },
      },
    }, async (req, reply) => {
      reply.header('Cache-Control', 'public, max-age=86400').header('ETag', regions.etag);
      if (req.headers['if-none-match'] === regions.etag) return reply.code(304).send();
      return reply.type('application/geo+json').send(regions.body);
    });
  }
}
