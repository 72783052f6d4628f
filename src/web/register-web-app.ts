import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../db/database.ts';
import { CommuneDirectory } from '../geo/commune-directory.ts';
import { AddressLocator } from '../geo/address-locator.ts';
import { loadDepartementOutlines } from '../geo/departement-outlines.ts';
import { geoDataDir } from '../geo/shared-data.ts';
import { useApiErrors } from './api-errors.ts';
import { registerGeoRoutes } from './geo-routes.ts';
import { registerSearchRoutes } from './search-routes.ts';
import { registerStaticApp } from './static-app.ts';
import { staleAfterDays } from '../referent/freshness.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where `npm run build:web` writes the web app. */
export const DEFAULT_WEB_DIST = path.join(REPO_ROOT, 'dist/web');

export interface WebAppDeps {
  db: Queryable;
  version: string;
  /** Environment read for `ROR_SHARED_DIR`, `ROR_TILE_URL`, `ROR_TILE_ATTRIBUTION` (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** The built web app (default `<repo>/dist/web`). */
  distDir?: string;
}

/** What the browser needs to know about this deployment (`GET /api/config`). */
export interface WebConfig {
  /** Raster tile URL template (`{z}/{x}/{y}`), or null: the map then shows only the département outlines. */
  tileUrl: string | null;
  tileAttribution: string | null;
  version: string;
}

/**
 * The coordinators' web app and its JSON API: `/api/search`, `/api/communes`, `/api/geo/departements`,
 * `/api/config`, the OpenAPI description at `/api/openapi.json`, and the built React app at `/`.
 */
export async function registerWebApp(app: FastifyInstance, deps: WebAppDeps): Promise<void> {
  const env = deps.env ?? process.env;
  const geoDir = geoDataDir(env);
  const communes = CommuneDirectory.fromCentroidFile(path.join(geoDir, 'communes-centroides-cog2026.csv'));
  const departements = loadDepartementOutlines(path.join(geoDir, 'departements-version-simplifiee.geojson'));
  const regions = loadDepartementOutlines(path.join(geoDir, 'regions-version-simplifiee.geojson'));
  const config: WebConfig = {
    tileUrl: env.ROR_TILE_URL || null,
    tileAttribution: env.ROR_TILE_ATTRIBUTION || null,
    version: deps.version,
  };

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ROR — API de recherche des coordinateurs',
        description: 'Recherche d’offres par besoin autour d’un lieu, autocomplétion des communes et contours des départements. '
          + 'L’API FHIR R4 du guide d’implémentation ROR est sous /fhir (CapabilityStatement : /fhir/metadata).',
        version: deps.version,
      },
      tags: [
        { name: 'Recherche', description: 'Recherche d’offres' },
        { name: 'Géographie', description: 'Communes et départements' },
        { name: 'Application', description: 'Configuration de l’application web' },
      ],
    },
    // Only the /api routes are described here; the FHIR API has its CapabilityStatement.
    hideUntagged: true,
  });

  await app.register(async (api) => {
    useApiErrors(api);
    registerGeoRoutes(api, { communes, departements, regions, addresses: new AddressLocator(communes, env.ROR_GEOCODER_URL || undefined) });
    registerSearchRoutes(api, { db: deps.db, communes, staleAfterDays: staleAfterDays(env) });
    api.get('/config', {
      schema: {
        tags: ['Application'],
        summary: 'Configuration de l’application web (fond de carte…)',
        response: {
          200: {
            type: 'object',
            properties: { tileUrl: { type: ['string', 'null'] }, tileAttribution: { type: ['string', 'null'] }, version: { type: 'string' } },
          },
        },
      },
    }, async (_req, reply) => {
      reply.header('Cache-Control', 'no-cache');
      return config;
    });
    api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  }, { prefix: '/api' });

  await registerStaticApp(app, deps.distDir ?? DEFAULT_WEB_DIST);
}
