import fs from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { errors, FhirError, fhirError, operationOutcome } from '../fhir/outcome.ts';
import type { Services } from '../app/services.ts';
import { BundleProcessor } from './fhir/bundle-processor.ts';
import { buildCapabilityStatement } from './fhir/capability-statement.ts';
import { FhirInteractions } from './fhir/interactions.ts';
import { FHIR_CONTENT_TYPE, FHIR_PREFIX, registerFhirRoutes } from './fhir/routes.ts';
import { registerAuthentication, requestContext } from '../security/http-auth.ts';
import { registerProtections } from '../security/protections.ts';
import { withLogRedaction } from '../security/log-redaction.ts';
import { ReadGuard } from '../security/read-guard.ts';

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/json-patch+json'];

function baseUrlOf(services: Services, req: FastifyRequest): string {
  return services.config.baseUrl ?? `${req.protocol}://${req.headers.host ?? `localhost:${services.config.port}`}${FHIR_PREFIX}`;
}

/** Maps any error to an HTTP status and an OperationOutcome: bad input is never a 500. */
function toFhirError(err: FastifyError | FhirError | Error): FhirError {
  if (err instanceof FhirError) return err;
  const e = err as FastifyError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return fhirError(413, 'too-long', 'Le corps de la requête dépasse la taille maximale acceptée', 'Request body exceeds the size limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return fhirError(415, 'not-supported', 'Type de contenu non pris en charge : utilisez application/fhir+json', 'Unsupported media type: use application/fhir+json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.invalid('Le corps de la requête est vide', 'The request body is empty');
    default:
      if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return fhirError(e.statusCode, 'invalid', `Requête invalide : ${e.message}`, e.message);
      return fhirError(500, 'exception', 'Erreur interne du serveur', 'Internal server error');
  }
}

/** The HTTP server: FHIR API under /fhir (and, later, the web app at /). */
export async function buildApp(services: Services, opts: { logger?: boolean | object } = {}): Promise<FastifyInstance> {
  const tls = services.config.security.tls;
  const app = Fastify({
    logger: withLogRedaction(opts.logger),
    bodyLimit: services.config.bodyLimit,
    trustProxy: services.config.security.trustProxy,
    // FHIR ids and search values can be long; Fastify's default 100 is too short for OR lists.
    maxParamLength: 2048,
    // TLS (ROR_TLS_CERT/KEY); with ROR_TLS_CA, client certificates are asked for and verified
    // (an unverified or absent one is not refused: the caller may still use a Bearer token).
    ...(tls ? {
      https: {
        cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile),
        ...(tls.caFile ? { ca: fs.readFileSync(tls.caFile), requestCert: true, rejectUnauthorized: false } : {}),
      },
    } : {}),
  }) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      done(errors.invalid(`JSON mal formé : ${(e as Error).message}`, `Malformed JSON: ${(e as Error).message}`));
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string));
  });

  app.setErrorHandler((err, req, reply) => {
    const fe = toFhirError(err as Error);
    if (fe.status >= 500) req.log.error({ err }, 'request failed');
    reply.code(fe.status).headers(fe.headers).type(FHIR_CONTENT_TYPE).send(JSON.stringify(fe.outcome));
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).type(FHIR_CONTENT_TYPE).send(JSON.stringify(operationOutcome([{
      severity: 'error', code: 'not-found', fr: `Adresse inconnue : ${req.method} ${req.url.slice(0, 200)}`, en: `Unknown route: ${req.method} ${req.url.slice(0, 200)}`,
    }])));
  });

  await registerProtections(app, services.config.security);
  await registerAuthentication(app, services.db, services.security);
  const contextOf = requestContext;
  const interactions = new FhirInteractions({
    store: services.store,
    search: services.search,
    validator: services.validator,
    readGuard: new ReadGuard(services.db),
    createAmenders: services.createAmenders,
    capabilityStatement: () => buildCapabilityStatement({
      search: services.search, software: { name: 'ror', version: services.version },
      // Bulk Data $export (src/sync/export): system and type level.
      extraOperations: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }],
    }),
  });
  const bundles = new BundleProcessor(services.store, interactions);
  for (const register of services.routePlugins) await register(app);
  await registerFhirRoutes(app, { interactions, bundles, contextOf, baseUrlOf: (req) => baseUrlOf(services, req) });
  return app;
}
