/**
 * Authentication over HTTP: who each request comes from (Bearer JWT, session cookie, or TLS
 * client certificate; anonymous otherwise), CSRF check of cookie-authenticated state changes,
 * and the routes POST /oauth/token, GET /oauth/jwks, POST /auth/login, POST /auth/logout,
 * GET /auth/me, GET /auth/oidc/login, GET /auth/oidc/callback.
 */
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/database.ts';
import { errors, FhirError, fhirError } from '../fhir/outcome.ts';
import type { RequestContext } from '../store/context.ts';
import { appPrincipal, userPrincipal, type UserRow } from './accounts.ts';
import { recordAuthEvent } from './audit-log.ts';
import { applicationOfCertificate } from './mtls.ts';
import { ANONYMOUS, type Principal } from './principal.ts';
import type { SecurityServices } from './security-services.ts';
import { CSRF_HEADER, sameSecret, SESSION_COOKIE } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling (set by the authentication hook before any handler). */
    principal: Principal;
    authVia: 'bearer' | 'cookie' | 'certificate' | 'none';
    /** CSRF token of the caller's web session. */
    sessionCsrf?: string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes reachable with a session cookie but without CSRF token: there is no session yet. */
const CSRF_EXEMPT = new Set(['/auth/login']);

/** The request context the store and the API use: actor from the authenticated principal. */
export function requestContext(req: FastifyRequest): RequestContext {
  const p = req.principal ?? ANONYMOUS;
  const actor = p.kind === 'user'
    ? { id: p.id, kind: 'user' as const, display: p.email, principal: p }
    : p.kind === 'app'
      ? { id: p.id, kind: 'app' as const, principal: p }
      : { id: 'anonymous', kind: 'anonymous' as const, principal: ANONYMOUS };
  return { actor, source: 'api', remoteAddr: req.ip };
}

function unauthorized(fr: string, en: string, error = 'invalid_token'): FhirError {
  return new FhirError(401, [{ severity: 'error', code: 'login', fr, en }], { 'www-authenticate': `Bearer realm="ror", error="${error}"` });
}

function publicUser(u: UserRow) {
  return { id: u.id, email: u.email, displayName: u.displayName, role: u.role, regions: u.regions, organizations: u.organizations, practitioner: u.practitioner };
}

function stringField(body: unknown, name: string, max = 1024): string | undefined {
  const v = body instanceof URLSearchParams ? body.get(name) : (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

/** OAuth2 error response (RFC 6749 §5.2). */
function oauthError(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  reply.code(status).header('cache-control', 'no-store');
  if (status === 401) reply.header('www-authenticate', 'Basic realm="ror"');
  return reply.send({ error, error_description: description });
}

export async function registerAuthentication(app: FastifyInstance, db: Queryable, security: SecurityServices): Promise<void> {
  const { accounts, tokens, sessions, throttle, settings } = security;
  await app.register(fastifyCookie);
  app.decorateRequest('principal', null as never);
  app.decorateRequest('authVia', 'none');

  const cookieOptions = (expires?: Date) => ({ path: '/', httpOnly: true, sameSite: 'lax' as const, secure: settings.cookieSecure, ...(expires ? { expires } : {}) });

  app.addHook('onRequest', async (req) => {
    req.principal = ANONYMOUS;
    req.authVia = 'none';
    const path = req.url.split('?')[0];
    const authorization = req.headers.authorization;
    if (authorization && !(path === '/oauth/token' && /^Basic /i.test(authorization))) {
      const m = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)$/.exec(authorization.trim());
      if (!m) throw unauthorized('En-tête Authorization invalide : « Bearer <jeton> » attendu', 'Invalid Authorization header: expected "Bearer <token>"', 'invalid_request');
      let clientId: string;
      try {
        clientId = (await tokens.verify(m[1])).clientId;
      } catch {
        throw unauthorized('Jeton d\'accès invalide ou expiré', 'Invalid or expired access token');
      }
      const application = await accounts.appById(clientId);
      if (!application || application.revoked) throw unauthorized('Application révoquée ou inconnue', 'Application revoked or unknown');
      req.principal = appPrincipal(application);
      req.authVia = 'bearer';
      return;
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie) {
      const session = await sessions.lookup(cookie);
      if (session) {
        req.principal = userPrincipal({ ...session.user, practitioner: session.user.practitioner ?? undefined } as UserRow);
        req.authVia = 'cookie';
        req.sessionCsrf = session.csrfToken;
        if (!SAFE_METHODS.has(req.method) && !CSRF_EXEMPT.has(path)) {
          const sent = req.headers[CSRF_HEADER];
          if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
            throw fhirError(403, 'security', 'Jeton anti-CSRF manquant ou invalide (en-tête x-csrf-token)', 'Missing or invalid CSRF token (x-csrf-token header)');
          }
        }
        return;
      }
    }
    const byCert = await applicationOfCertificate(accounts, req.raw.socket);
    if (byCert) {
      req.principal = byCert;
      req.authVia = 'certificate';
    }
  });

  // ---- Applications: OAuth2 client credentials.
  app.post('/oauth/token', async (req, reply) => {
    let clientId = stringField(req.body, 'client_id', 200);
    let clientSecret = stringField(req.body, 'client_secret', 512);
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    if (stringField(req.body, 'grant_type', 100) !== 'client_credentials') {
      return oauthError(reply, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    }
    if (!clientId || !clientSecret) return oauthError(reply, 401, 'invalid_client', 'Client authentication required');
    const wait = await throttle.retryAfter(`client:${clientId}`, req.ip);
    if (wait > 0) {
      await recordAuthEvent(db, { actor: clientId, actorKind: 'app', action: 'token', outcome: 'throttled', remoteAddr: req.ip });
      reply.header('retry-after', String(wait));
      return oauthError(reply, 429, 'slow_down', 'Too many failed attempts');
    }
    const application = await accounts.checkClient(clientId, clientSecret);
    if (!application) {
      await throttle.recordFailure(`client:${clientId}`, req.ip);
      await recordAuthEvent(db, { actor: clientId, actorKind: 'app', action: 'token', outcome: 'failure', remoteAddr: req.ip });
      return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
    }
    const asked = (stringField(req.body, 'scope', 2000) ?? '').split(' ').filter(Boolean);
    const granted = asked.length ? asked : application.scopes;
    if (application.scopes.length && granted.some((s) => !application.scopes.includes(s))) {
      return oauthError(reply, 400, 'invalid_scope', 'A requested scope is not allowed for this client');
    }
    const accessToken = await tokens.issue({ clientId: application.clientId, accessProfile: application.accessProfile, scopes: granted });
    await recordAuthEvent(db, { actor: clientId, actorKind: 'app', action: 'token', outcome: 'success', remoteAddr: req.ip, detail: { accessProfile: application.accessProfile } });
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return { access_token: accessToken, token_type: 'Bearer', expires_in: tokens.ttlSeconds, scope: granted.join(' ') };
  });

  app.get('/oauth/jwks', async () => ({ keys: tokens.publicJwk ? [tokens.publicJwk] : [] }));

  // ---- People: password login with a session cookie.
  const startSession = async (reply: FastifyReply, user: UserRow) => {
    const s = await sessions.create(user.id);
    reply.setCookie(SESSION_COOKIE, s.cookie, cookieOptions(s.expiresAt));
    return s;
  };

  app.post('/auth/login', async (req, reply) => {
    // JSON only: a cross-site HTML form cannot send it (no login CSRF into another account).
    if (req.body instanceof URLSearchParams) {
      throw fhirError(415, 'not-supported', 'La connexion attend un corps JSON { email, password }', 'Login expects a JSON body { email, password }');
    }
    const email = stringField(req.body, 'email', 320)?.toLowerCase();
    const password = stringField(req.body, 'password', 1024);
    if (!email || !password) throw errors.invalid('E-mail et mot de passe obligatoires', 'E-mail and password are required');
    const wait = await throttle.retryAfter(email, req.ip);
    if (wait > 0) {
      await recordAuthEvent(db, { actor: email, actorKind: 'user', action: 'login', outcome: 'throttled', remoteAddr: req.ip });
      throw new FhirError(429, [{
        severity: 'error', code: 'throttled',
        fr: `Trop de tentatives de connexion : réessayez dans ${Math.ceil(wait / 60)} min`, en: `Too many login attempts: retry in ${wait} s`,
      }], { 'retry-after': String(wait) });
    }
    const user = await accounts.checkPassword(email, password);
    if (!user) {
      await throttle.recordFailure(email, req.ip);
      await recordAuthEvent(db, { actor: email, actorKind: 'user', action: 'login', outcome: 'failure', remoteAddr: req.ip });
      throw fhirError(401, 'login', 'E-mail ou mot de passe incorrect', 'Wrong e-mail or password');
    }
    await throttle.recordSuccess(email);
    const s = await startSession(reply, user);
    await recordAuthEvent(db, { actor: user.id, actorKind: 'user', action: 'login', outcome: 'success', remoteAddr: req.ip });
    return { user: publicUser(user), csrfToken: s.csrfToken };
  });

  app.post('/auth/logout', async (req, reply) => {
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie) await sessions.destroy(cookie);
    if (req.principal.kind === 'user') {
      await recordAuthEvent(db, { actor: req.principal.id, actorKind: 'user', action: 'logout', outcome: 'success', remoteAddr: req.ip });
    }
    reply.clearCookie(SESSION_COOKIE, cookieOptions());
    return reply.code(204).send();
  });

  app.get('/auth/me', async (req) => {
    const p = req.principal;
    if (p.kind === 'user') {
      const user = await accounts.userById(p.id);
      if (user) return { kind: 'user', user: publicUser(user), csrfToken: req.sessionCsrf };
    }
    if (p.kind === 'app') return { kind: 'app', clientId: p.id, accessProfile: p.accessProfile, scopes: p.scopes };
    throw unauthorized('Non connecté', 'Not signed in', 'invalid_request');
  });

  // ---- People: OpenID Connect login (authorization code + PKCE).
  const origin = (req: FastifyRequest) => `${req.protocol}://${req.headers.host ?? 'localhost'}`;
  app.get('/auth/oidc/login', async (req, reply) => {
    if (!security.oidc) throw errors.unsupported('Connexion OpenID Connect non configurée', 'OpenID Connect login is not configured');
    const returnTo = (req.query as Record<string, string> | undefined)?.returnTo;
    return reply.redirect((await security.oidc.start(origin(req), returnTo)).href, 302);
  });

  app.get('/auth/oidc/callback', async (req, reply) => {
    if (!security.oidc) throw errors.unsupported('Connexion OpenID Connect non configurée', 'OpenID Connect login is not configured');
    const callback = new URL(req.url, security.oidc.redirectUri(origin(req)));
    let result;
    try {
      result = await security.oidc.finish(callback);
    } catch {
      await recordAuthEvent(db, { actor: 'unknown', actorKind: 'user', action: 'oidc-login', outcome: 'failure', remoteAddr: req.ip });
      throw fhirError(401, 'login', 'La connexion OpenID Connect a échoué', 'OpenID Connect login failed');
    }
    if (!result.user) {
      await recordAuthEvent(db, { actor: result.subject, actorKind: 'user', action: 'oidc-login', outcome: 'failure', remoteAddr: req.ip, detail: { reason: 'no account' } });
      throw fhirError(403, 'forbidden', 'Aucun compte actif ne correspond à cette identité', 'No active account matches this identity');
    }
    await startSession(reply, result.user);
    await recordAuthEvent(db, { actor: result.user.id, actorKind: 'user', action: 'oidc-login', outcome: 'success', remoteAddr: req.ip });
    return reply.redirect(result.returnTo ?? '/', 302);
  });
}
