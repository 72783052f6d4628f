import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Error body of the /api endpoints: a code, a French message for people, an English one for integrators. */
export interface ApiError {
  error: { code: string; fr: string; en: string };
}

export class ApiFailure extends Error {
  constructor(readonly status: number, readonly code: string, readonly fr: string, readonly en: string) {
    super(en);
  }
}

/** JSON errors for a plugin of /api routes (the FHIR layer answers OperationOutcomes, not these). */
export function useApiErrors(api: FastifyInstance): void {
  api.setErrorHandler((err: FastifyError | ApiFailure, req, reply) => {
    if (err instanceof ApiFailure) {
      return reply.code(err.status).send({ error: { code: err.code, fr: err.fr, en: err.en } } satisfies ApiError);
    }
    if (err.validation) {
      const detail = err.message;
      return reply.code(400).send({ error: { code: 'invalid', fr: `Paramètre invalide : ${detail}`, en: `Invalid parameter: ${detail}` } } satisfies ApiError);
    }
    req.log.error({ err }, 'api request failed');
    return reply.code(500).send({ error: { code: 'exception', fr: 'Erreur interne du serveur', en: 'Internal server error' } } satisfies ApiError);
  });
  const notFound = (req: FastifyRequest, reply: FastifyReply) => {
    reply.code(404).send({ error: { code: 'not-found', fr: `Adresse inconnue : ${req.method} ${req.url.slice(0, 200)}`, en: `Unknown route: ${req.method} ${req.url.slice(0, 200)}` } } satisfies ApiError);
  };
  api.setNotFoundHandler(notFound);
  // The web app's catch-all GET route would otherwise answer unknown /api paths.
  api.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/*', schema: { hide: true }, handler: notFound });
}

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, fr: { type: 'string' }, en: { type: 'string' } },
      required: ['code', 'fr', 'en'],
    },
  },
} as const;
