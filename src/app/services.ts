import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import { openDatabase } from '../db/open.ts';
import { createSearchEngine } from '../search/engine.ts';
import { createSearchIndexer } from '../search/indexer.ts';
import type { SearchEngine } from '../search/search-engine.ts';
import type { ResourceValidator } from '../store/hooks.ts';
import { ResourceStore } from '../store/resource-store.ts';
import { searchAccessFilter } from '../security/access-predicate.ts';
import { createSecurityServices, type SecurityServices } from '../security/security-services.ts';
import { NosTerminology } from '../terminology/nos-terminology.ts';
import { registerTerminologyRoutes } from '../terminology/routes.ts';
import { createRorValidator } from '../validation/index.ts';
import { registerWebApp } from '../web/register-web-app.ts';
import { registerIndicatorRoutes } from '../indicators/routes.ts';
import { syncRoutePlugin } from '../sync/register.ts';
import { registerRegistrationRoutes } from '../registration/routes.ts';
import { registerAnomalyRoutes } from '../anomalies/routes.ts';
import { routeCreatedTask } from '../anomalies/routing.ts';
import type { CreateAmender } from '../api/fhir/interactions.ts';
import { registerReferentRoutes } from '../referent/routes.ts';
import { registerPasswordReset } from '../security/password-reset.ts';

/** Everything a running server (or a CLI command) works with, built once from the configuration. */
export interface Services {
  config: Config;
  version: string;
  db: Database;
  store: ResourceStore;
  terminology: NosTerminology;
  validator: ResourceValidator;
  search?: SearchEngine;
  /** Accounts, applications, tokens, sessions and the write authorizer of the store. */
  security: SecurityServices;
  /** Outgoing e-mail (ROR_SMTP_URL, ROR_MAIL_FROM). */
  mailer: Mailer;
  /** Extra HTTP routes contributed by features (terminology operations, web app…). */
  routePlugins: ((app: FastifyInstance) => Promise<void>)[];
  /** Completions of the resources clients create over FHIR (anomaly Task routing), alone or in Bundles. */
  createAmenders: CreateAmender[];
  close(): Promise<void>;
}

const VERSION = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Opens the database, applies pending migrations and assembles the store and its features. */
export async function createServices(config: Config, opts: { db?: Database; log?: (msg: string) => void } = {}): Promise<Services> {
  const db = opts.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrate(db, opts.log);
  const terminology = await NosTerminology.load(db);
  const validator = createRorValidator(terminology);
  const security = await createSecurityServices(db, config.security, opts.log);
  const store = new ResourceStore(db, { validator, indexers: [createSearchIndexer()], authorizer: security.authorizer });
  const search = createSearchEngine(db, { accessFilter: searchAccessFilter });
  const services: Services = {
    config,
    version: VERSION,
    db,
    store,
    terminology,
    validator,
    search,
    security,
    mailer: createMailer(config.mail, { log: opts.log }),
    routePlugins: [(app) => registerTerminologyRoutes(app, { db, terminology })],
    createAmenders: [routeCreatedTask],
    close: () => {
      services.mailer.close();
      return db.close();
    },
  };
  services.routePlugins.push((app) => registerWebApp(app, { db, version: VERSION }));
  services.routePlugins.push((app) => registerIndicatorRoutes(app, { db }));
  services.routePlugins.push(syncRoutePlugin({ config, db, store }));
  services.routePlugins.push((app) => registerRegistrationRoutes(app, services));
  services.routePlugins.push((app) => registerAnomalyRoutes(app, { db, store }));
  services.routePlugins.push((app) => registerReferentRoutes(app, services));
  services.routePlugins.push((app) => registerPasswordReset(app, services));
  return services;
}
