// HTTP protections on the real server: security headers, CORS off by default and on for listed
// origins, rate limiting per application (its own budget, not its IP's), the first administrator
// from the environment, never a default one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';

await describeWithDatabases('HTTP protections', (db) => {
  let server: TestServer;
  let limited: TestServer;

  before(async () => {
    server = await startTestServer(db(), { ROR_ADMIN_EMAIL: 'Premier.Admin@test.ror', ROR_ADMIN_PASSWORD: 'un-mot-de-passe-initial-long' });
  });
  after(async () => {
    await server.close();
    await limited?.close();
  });

  test('security headers on the API and the web app', async () => {
    for (const url of ['/fhir/metadata', '/']) {
      const res = await fetch(`${server.origin}${url}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', url);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.match(csp, /script-src 'self'(;|$)/, url);
      assert.equal(res.headers.get('strict-transport-security'), null, 'no HSTS without TLS');
    }
  });

  test('CORS is off by default', async () => {
    const res = await fetch(`${server.origin}/fhir/metadata`, { headers: { origin: 'https://outil.example.fr' } });
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  test('the first national administrator comes from the environment, once; no account without it', async () => {
    const users = await server.services.security.accounts.listUsers();
    assert.deepEqual(users.map((u) => [u.email, u.role]), [['premier.admin@test.ror', 'national-admin']]);
    const login = await fetch(`${server.origin}/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'premier.admin@test.ror', password: 'un-mot-de-passe-initial-long' }),
    });
    assert.equal(login.status, 200);
  });

  test('rate limit per application: over its budget → 429 OperationOutcome, while another caller still passes', async () => {
    await server.close();
    limited = await startTestServer(db(), { ROR_RATE_LIMIT: '5', ROR_CORS_ORIGINS: 'https://outil.example.fr' });
    const h = await limited.appHeaders(2);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${limited.fhirBase}/metadata`, { headers: h })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const refused = await fetch(`${limited.fhirBase}/metadata`, { headers: h });
    assert.equal((await refused.json() as { resourceType: string }).resourceType, 'OperationOutcome');
    // Anonymous calls from the same address have their own budget.
    assert.equal((await fetch(`${limited.fhirBase}/metadata`)).status, 200);

    const cors = await fetch(`${limited.fhirBase}/metadata`, { headers: { origin: 'https://outil.example.fr' } });
    assert.equal(cors.headers.get('access-control-allow-origin'), 'https://outil.example.fr');
    const other = await fetch(`${limited.fhirBase}/metadata`, { headers: { origin: 'https://malveillant.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});

test('no administrator is created without both variables', async () => {
  const { securitySettingsFromEnv } = await import('./settings.ts');
  assert.equal(securitySettingsFromEnv({}).firstAdmin, undefined);
  assert.throws(() => securitySettingsFromEnv({ ROR_ADMIN_EMAIL: 'a@b.fr' }), /go together/);
  assert.throws(() => securitySettingsFromEnv({ ROR_JWT_SECRET: 'court' }), /32 characters/);
  // X-Forwarded-For is believed from local proxies only, unless configured.
  assert.equal(securitySettingsFromEnv({}).trustProxy, 'loopback,linklocal,uniquelocal');
  assert.equal(securitySettingsFromEnv({ ROR_TRUST_PROXY: 'false' }).trustProxy, false);
});
