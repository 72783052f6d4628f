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
import { fhirError } from '../fhir/outcome.ts';
import { createSearchIndexer } from '../search/indexer.ts';
import { SubscriptionService, subscriptionSettingsFromEnv } from './subscriptions/subscription-service.ts';

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
    const subscriptions = new SubscriptionService({
      db: deps.db, store: deps.store, indexers: [createSearchIndexer()], settings: subscriptionSettingsFromEnv(), log: (msg, err) => app.log.error({ err }, msg),
    });
    app.addHook('onReady', async () => subscriptions.start());
    app.addHook('onClose', async () => subscriptions.stop());
    // Notifications given up after the last retry: for administrators.
    app.get<{ Params: { id: string } }>('/fhir/Subscription/:id/$dead-letters', async (req, reply) => {
      const p = requestContext(req).actor.principal;
      if (!(p?.kind === 'system' || (p?.kind === 'user' && (p.role === 'national-admin' || p.role === 'regional-admin')))) {
        throw fhirError(403, 'forbidden', 'Réservé aux administrateurs', 'Administrators only');
      }
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(await subscriptions.deadLetters(req.params.id)));
    });
  };
}
