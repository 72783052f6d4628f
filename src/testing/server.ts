import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.ts';
import { createServices, type Services } from '../app/services.ts';
import { loadConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { generateSecret, type UserInput } from '../security/accounts.ts';
import type { AccessProfile } from '../security/principal.ts';

export interface TestServer {
  app: FastifyInstance;
  services: Services;
  /** e.g. http://127.0.0.1:41234/fhir */
  fhirBase: string;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** Headers of a signed-in national administrator (session cookie + CSRF token), created on first call. */
  adminHeaders(): Promise<Record<string, string>>;
  /** Creates an account and signs it in: its session headers (cookie + CSRF token). */
  userHeaders(user: Omit<UserInput, 'password'>): Promise<Record<string, string>>;
  /** Registers an application with an access profile and gets it a token: `authorization: Bearer …`. */
  appHeaders(accessProfile: AccessProfile, scopes?: string[]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** The real server (all features wired as in production) on a test database, listening on a free loopback port. */
export async function startTestServer(db: Database, env: Record<string, string> = {}): Promise<TestServer> {
  // Tests fire many requests from one address: a high rate limit unless a test sets its own.
  const config = { ...loadConfig({ ROR_RATE_LIMIT: '1000000', ...env, PORT: '0', ROR_DEMO: '0' }), host: '127.0.0.1' };
  const services = await createServices(config, { db });
  const app = await buildApp(services);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://127.0.0.1:${port}`;

  const login = async (email: string, password: string): Promise<Record<string, string>> => {
    const res = await fetch(`${origin}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (res.status !== 200) throw new Error(`test login of ${email} failed: ${res.status}`);
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie, 'x-csrf-token': csrfToken };
  };
  const userHeaders = async (user: Omit<UserInput, 'password'>) => {
    const password = generateSecret();
    await services.security.accounts.addUser({ ...user, password });
    return login(user.email, password);
  };
  let admin: Promise<Record<string, string>> | undefined;
  return {
    app,
    services,
    fhirBase: `${origin}/fhir`,
    origin,
    adminHeaders: () => (admin ??= userHeaders({ email: `admin-${generateSecret(4)}@test.ror`, role: 'national-admin' })),
    userHeaders,
    async appHeaders(accessProfile, scopes = []) {
      const { app: registered, clientSecret } = await services.security.accounts.addApp({ name: `test profile ${accessProfile}`, accessProfile, scopes });
      const res = await fetch(`${origin}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: registered.clientId, client_secret: clientSecret }).toString(),
      });
      if (res.status !== 200) throw new Error(`test token request failed: ${res.status}`);
      return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` };
    },
    close: () => app.close(),
  };
}
