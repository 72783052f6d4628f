import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.ts';
import { createServices, type Services } from '../app/services.ts';
import { loadConfig } from '../config.ts';
import type { Database } from '../db/database.ts';

export interface TestServer {
  app: FastifyInstance;
  services: Services;
  /** e.g. http://127.0.0.1:41234/fhir */
  fhirBase: string;
  close(): Promise<void>;
}

/** The real server (all features wired as in production) on a test database, listening on a free loopback port. */
export async function startTestServer(db: Database, env: Record<string, string> = {}): Promise<TestServer> {
  const config = { ...loadConfig({ ...env, PORT: '0', ROR_DEMO: '0' }), host: '127.0.0.1' };
  const services = await createServices(config, { db });
  const app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    services,
    fhirBase: `http://127.0.0.1:${port}/fhir`,
    close: () => app.close(),
  };
}
