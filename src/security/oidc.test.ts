// OpenID Connect login against a real provider (oidc-provider) started on loopback: authorization
// code flow with PKCE, the identity mapped to an existing account by its verified e-mail, then a
// session; an identity without account is refused.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import Provider from 'oidc-provider';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { describeWithDatabases } from '../testing/suite.ts';

const CLIENT_SECRET = 'secret-du-client-ror-pour-le-test-oidc';

/** Follows redirects by hand, keeping the cookies of each origin (a browser, minus the rendering). */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();
  async get(url: string): Promise<Response> {
    const u = new URL(url);
    const cookies = [...(this.jar.get(u.origin) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(u, { redirect: 'manual', headers: cookies ? { cookie: cookies } : {} });
    const jar = this.jar.get(u.origin) ?? new Map<string, string>();
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    this.jar.set(u.origin, jar);
    return res;
  }
  /** GETs `url` and follows redirects until a non-redirect answer or a URL matching `stop`. */
  async follow(url: string, stop: (u: string) => boolean = () => false): Promise<{ url: string; res: Response }> {
    let current = url;
    for (let i = 0; i < 10; i++) {
      const res = await this.get(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { url: current, res };
      current = new URL(location, current).href;
      if (stop(current)) return { url: current, res };
    }
    throw new Error('too many redirects');
  }
  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }
}

await describeWithDatabases('OpenID Connect login (oidc-provider on loopback)', (db) => {
  let server: TestServer;
  let idp: http.Server;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped package
  let provider: any;
  let issuer: string;
  // The identity the provider will authenticate next (set by each test).
  let nextAccount = 'medecin-1';
  const emails: Record<string, string> = { 'medecin-1': 'medecin@test.ror', inconnu: 'inconnu@test.ror' };

  before(async () => {
    idp = http.createServer(async (req, res) => {
      if (req.url?.startsWith('/interaction/')) {
        // The login page: here the user "signs in" as nextAccount and consents.
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: nextAccount, clientId: details.params.client_id as string });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: nextAccount }, consent: { grantId } }, { mergeWithLastSubmission: false });
        return;
      }
      provider.callback()(req, res);
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    server = await startTestServer(db(), {
      ROR_OIDC_ISSUER: issuer, ROR_OIDC_CLIENT_ID: 'ror', ROR_OIDC_CLIENT_SECRET: CLIENT_SECRET, ROR_OIDC_ALLOW_HTTP: '1',
    });
    provider = new Provider(issuer, {
      clients: [{
        client_id: 'ror', client_secret: CLIENT_SECRET, redirect_uris: [`${server.origin}/auth/oidc/callback`],
        grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
      }],
      findAccount: async (_ctx: unknown, id: string) => ({ accountId: id, claims: async () => ({ sub: id, email: emails[id], email_verified: true }) }),
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      pkce: { required: () => true },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      cookies: { keys: ['clé-de-test-des-cookies-du-fournisseur'] },
    });
    await server.services.security.accounts.addUser({ email: 'medecin@test.ror', role: 'professional', practitioner: 'ps-810106476764' });
  });
  after(async () => {
    await server.close();
    await new Promise((r) => idp.close(r));
  });

  test('code flow with PKCE signs in the account with the verified e-mail, then links the identity', async () => {
    nextAccount = 'medecin-1';
    const browser = new Browser();
    const start = await browser.get(`${server.origin}/auth/oidc/login?returnTo=/mes-offres`);
    assert.equal(start.status, 302);
    const authorize = new URL(start.headers.get('location')!);
    assert.equal(authorize.origin, issuer);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('code_challenge') && authorize.searchParams.get('state') && authorize.searchParams.get('nonce'));

    const done = await browser.follow(authorize.href, (u) => u.startsWith(`${server.origin}/mes-offres`));
    assert.equal(done.url, `${server.origin}/mes-offres`);
    const session = browser.cookie(server.origin, 'ror_session');
    assert.ok(session);
    const me = await fetch(`${server.origin}/auth/me`, { headers: { cookie: `ror_session=${session}` } });
    assert.equal(me.status, 200);
    const body = (await me.json()) as { user: { email: string; role: string } };
    assert.deepEqual([body.user.email, body.user.role], ['medecin@test.ror', 'professional']);
    const linked = await server.services.security.accounts.userByEmail('medecin@test.ror');
    assert.equal(linked?.oidcSubject, `${issuer}|medecin-1`);
    const audit = await db().query("SELECT 1 FROM audit_event WHERE action = 'oidc-login' AND outcome = 'success' AND actor = $1", [linked!.id]);
    assert.equal(audit.rowCount, 1);
  });

  test('an identity without account is refused (403), and a replayed callback fails', async () => {
    nextAccount = 'inconnu';
    const browser = new Browser();
    const start = await browser.get(`${server.origin}/auth/oidc/login`);
    const callback = await browser.follow(start.headers.get('location')!, (u) => u.startsWith(`${server.origin}/auth/oidc/callback`));
    const refused = await browser.get(callback.url);
    assert.equal(refused.status, 403);
    assert.equal(browser.cookie(server.origin, 'ror_session'), undefined);
    // The state was consumed: the same callback cannot be played again.
    assert.equal((await browser.get(callback.url)).status, 401);
  });
});
