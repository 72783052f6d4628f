/**
 * HTTP protections: security headers (@fastify/helmet; the web app's DSFR assets are served
 * locally, only the optional map tiles come from elsewhere), CORS (@fastify/cors, off unless
 * ROR_CORS_ORIGINS lists origins), and rate limiting per application, account or IP address
 * (@fastify/rate-limit, counted after authentication so an application has its own budget).
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fhirError } from '../fhir/outcome.ts';
import type { SecuritySettings } from './settings.ts';

/** The caller a request is counted against. */
export function rateLimitKey(req: FastifyRequest): string {
  const p = req.principal;
  if (p?.kind === 'app') return `app:${p.id}`;
  if (p?.kind === 'user') return `user:${p.id}`;
  return `ip:${req.ip}`;
}

export async function registerProtections(app: FastifyInstance, settings: SecuritySettings, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let tileOrigin: string | undefined;
  try {
    tileOrigin = env.ROR_TILE_URL ? new URL(env.ROR_TILE_URL.replace(/\{[a-z]\}/g, '0')).origin : undefined;
  } catch {
    tileOrigin = undefined;
  }
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        // DSFR and React set some inline styles.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', ...(tileOrigin ? [tileOrigin] : [])],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': settings.tls ? [] : null,
      },
    },
    strictTransportSecurity: settings.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: settings.corsOrigins.length ? 'cross-origin' : 'same-origin' },
  });
  if (settings.corsOrigins.length) {
    await app.register(cors, {
      origin: settings.corsOrigins.includes('*') ? true : settings.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'if-none-exist', 'prefer', 'x-csrf-token'],
      exposedHeaders: ['etag', 'last-modified', 'location', 'content-location', 'retry-after'],
      credentials: !settings.corsOrigins.includes('*'),
      maxAge: 600,
    });
  }
  await app.register(rateLimit, {
    global: true,
    max: settings.rateLimitPerMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_req, ctx) => {
      const e = fhirError(429, 'throttled', `Trop de requêtes : limite de ${ctx.max} par minute`, `Rate limit exceeded: ${ctx.max} requests per minute`);
      return Object.assign(e, { statusCode: 429 });
    },
  });
}
