/**
 * Request logging without secrets: Fastify logs each request's URL, and some URLs carry one
 * (the OpenID Connect callback's `code` and `state`, a token a client might put in the query).
 * Query values of those parameters are replaced by `[redacted]`; headers are never logged.
 */
import type { FastifyRequest } from 'fastify';

const SECRET_PARAMS = new Set(['access_token', 'id_token', 'token', 'client_secret', 'password']);
/** On the login routes only: `code` and `state` elsewhere are ordinary search/terminology parameters. */
const AUTH_SECRET_PARAMS = new Set(['code', 'state', 'session_state']);

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const auth = url.startsWith('/auth/');
  let changed = false;
  for (const key of [...params.keys()]) {
    const k = key.toLowerCase();
    if (SECRET_PARAMS.has(k) || (auth && AUTH_SECRET_PARAMS.has(k))) {
      params.set(key, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

/** Fastify logger serializers: the default request fields, with the URL redacted. */
export const logSerializers = {
  req(req: FastifyRequest) {
    return { method: req.method, url: redactUrl(req.url), host: req.headers?.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
  },
};

/** The logger option with the redacting serializers added (false stays false). */
export function withLogRedaction(logger: boolean | object | undefined): boolean | object {
  if (!logger) return false;
  const base = logger === true ? {} : (logger as Record<string, unknown>);
  return { ...base, serializers: { ...(base.serializers as object | undefined), ...logSerializers } };
}
