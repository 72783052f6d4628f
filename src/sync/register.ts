/** Wires consumer synchronisation into the server: the `$export` routes and their background jobs. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { searchAccessFilter } from '../security/access-predicate.ts';
import { requestContext } from '../security/http-auth.ts';
import { ReadGuard } from '../security/read-guard.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { registerExportRoutes } from './export/export-routes.ts';
import { ExportService, exportSettingsFromEnv } from './export/export-service.ts';

export function syncRoutePlugin(deps: { config: Config; db: Database; store: ResourceStore; log?: (msg: string) => void }): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const exports = new ExportService({
      db: deps.db, store: deps.store, readGuard: new ReadGuard(deps.db), access: searchAccessFilter,
      settings: exportSettingsFromEnv(deps.config.dataDir),
      log: (msg, err) => app.log.error({ err }, msg),
    });
    await registerExportRoutes(app, {
      exports,
      contextOf: requestContext,
      baseUrlOf: (req) => deps.config.baseUrl ?? `${req.protocol}://${req.headers.host ?? `localhost:${deps.config.port}`}/fhir`,
    });
  };
}
