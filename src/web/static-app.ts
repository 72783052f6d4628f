import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Paths never answered with the web app's index.html: the APIs, and build assets (a missing one is a 404, not HTML). */
const API_PATH = /^\/(fhir|api|assets)(\/|$|\?)/;

/** Hashed build outputs never change under their name; index.html must be revalidated to pick up new builds. */
export function cacheControlFor(filePath: string): string {
  const name = filePath.split(path.sep).join('/');
  if (/\/assets\//.test(name)) return 'public, max-age=31536000, immutable';
  if (name.endsWith('.html')) return 'no-cache';
  return 'public, max-age=3600';
}

const NOT_BUILT = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>ROR</title></head>
<body><main><h1>Application web non construite</h1><p>Lancez <code>npm run build:web</code> (ou <code>npm start</code>, qui la construit).</p>
<p>L’API FHIR reste disponible sous <a href="/fhir/metadata">/fhir</a>.</p></main></body></html>`;

/**
 * Serves the built web app (Vite output) at `/`, with an SPA fallback to index.html for any other GET that is
 * not under /fhir or /api (client-side routes such as /offre/123).
 */
export async function registerStaticApp(app: FastifyInstance, distDir: string): Promise<void> {
  const indexFile = path.join(distDir, 'index.html');
  if (!fs.existsSync(indexFile)) {
    app.get('/*', { schema: { hide: true } }, async (req, reply) => {
      if (API_PATH.test(req.url)) return reply.callNotFound();
      return reply.code(503).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: distDir,
    // One route per built file instead of a catch-all: the catch-all below is the SPA fallback.
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    schemaHide: true,
    setHeaders: (reply: FastifyReply, filePath: string) => {
      reply.header('Cache-Control', cacheControlFor(filePath));
    },
  });
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    if (API_PATH.test(req.url)) return reply.callNotFound();
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html', distDir, { cacheControl: false });
  });
}
