/**
 * Security configuration, from the environment only (secrets never from files in the repository).
 * Variables are listed in the README configuration table.
 */
import { tokenSettingsFromEnv, type TokenSettings } from './tokens.ts';

export interface OidcSettings {
  /** Issuer URL (discovery at `${issuer}/.well-known/openid-configuration`), e.g. Pro Santé Connect. */
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Callback URL registered with the provider; default `<request origin>/auth/oidc/callback`. */
  redirectUri?: string;
  scope: string;
  /** Allow an http:// issuer (tests on loopback only). */
  allowInsecure: boolean;
}

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  /** CA bundle of accepted client certificates (IGC-Santé): enables mTLS client authentication. */
  caFile?: string;
}

export interface SecuritySettings {
  tokens: TokenSettings;
  sessionTtlSeconds: number;
  /** Secure flag of the session cookie: always with TLS, or forced by ROR_COOKIE_SECURE=1 behind a TLS proxy. */
  cookieSecure: boolean;
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerIp: number;
  loginWindowSeconds: number;
  /** Requests per minute and per caller (application, account or IP). */
  rateLimitPerMinute: number;
  corsOrigins: string[];
  firstAdmin?: { email: string; password: string };
  oidc?: OidcSettings;
  tls?: TlsSettings;
  /**
   * Which peers may set X-Forwarded-For/-Proto (Fastify trustProxy): by default loopback and
   * private networks only, so a client on the Internet cannot choose the IP the per-IP limits see.
   */
  trustProxy: boolean | string;
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  return n;
}

export function securitySettingsFromEnv(env: NodeJS.ProcessEnv): SecuritySettings {
  const tls = env.ROR_TLS_CERT && env.ROR_TLS_KEY ? { certFile: env.ROR_TLS_CERT, keyFile: env.ROR_TLS_KEY, caFile: env.ROR_TLS_CA || undefined } : undefined;
  if (!!env.ROR_TLS_CERT !== !!env.ROR_TLS_KEY) throw new Error('ROR_TLS_CERT and ROR_TLS_KEY go together');
  const adminEmail = env.ROR_ADMIN_EMAIL;
  const adminPassword = env.ROR_ADMIN_PASSWORD;
  if (!!adminEmail !== !!adminPassword) throw new Error('ROR_ADMIN_EMAIL and ROR_ADMIN_PASSWORD go together');
  return {
    tokens: tokenSettingsFromEnv(env),
    sessionTtlSeconds: int(env, 'ROR_SESSION_TTL', 8 * 3600, 60, 30 * 86400),
    cookieSecure: !!tls || env.ROR_COOKIE_SECURE === '1',
    loginMaxFailuresPerAccount: int(env, 'ROR_LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginMaxFailuresPerIp: int(env, 'ROR_LOGIN_MAX_FAILURES_IP', 30, 1, 100000),
    loginWindowSeconds: int(env, 'ROR_LOGIN_WINDOW', 900, 10, 86400),
    rateLimitPerMinute: int(env, 'ROR_RATE_LIMIT', 1200, 1, 10_000_000),
    corsOrigins: (env.ROR_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    firstAdmin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : undefined,
    oidc: env.ROR_OIDC_ISSUER
      ? {
        issuer: env.ROR_OIDC_ISSUER,
        clientId: env.ROR_OIDC_CLIENT_ID ?? (() => { throw new Error('ROR_OIDC_CLIENT_ID is required with ROR_OIDC_ISSUER'); })(),
        clientSecret: env.ROR_OIDC_CLIENT_SECRET || undefined,
        redirectUri: env.ROR_OIDC_REDIRECT_URI || undefined,
        scope: env.ROR_OIDC_SCOPE ?? 'openid email profile',
        allowInsecure: env.ROR_OIDC_ALLOW_HTTP === '1',
      }
      : undefined,
    tls,
    trustProxy: trustProxyOf(env.ROR_TRUST_PROXY),
  };
}

function trustProxyOf(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === '') return 'loopback,linklocal,uniquelocal';
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return raw;
}
