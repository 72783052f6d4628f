import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../fhir/outcome.ts';
import type { RequestContext } from '../../store/context.ts';
import type { BundleProcessor } from './bundle-processor.ts';
import type { FhirCall, FhirReply } from './fhir-call.ts';
import type { FhirInteractions } from './interactions.ts';

export const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';
export const FHIR_PREFIX = '/fhir';

export interface FhirRouteDeps {
  interactions: FhirInteractions;
  bundles: BundleProcessor;
  /** Who is calling: until accounts exist (security issue), anonymous with the caller's address. */
  contextOf(req: FastifyRequest): RequestContext;
  baseUrlOf(req: FastifyRequest): string;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function send(reply: FastifyReply, r: FhirReply, head = false): FastifyReply {
  reply.code(r.status).headers(r.headers);
  if (r.body === undefined || head) return reply.send();
  return reply.type(FHIR_CONTENT_TYPE).send(JSON.stringify(r.body));
}

/** Query parameters in order; a form-encoded POST _search body adds its own. */
function paramsOf(req: FastifyRequest): [string, string][] {
  const q = req.url.indexOf('?');
  const params = q >= 0 ? ([...new URLSearchParams(req.url.slice(q + 1)).entries()] as [string, string][]) : [];
  if (req.body instanceof URLSearchParams) params.push(...(req.body.entries() as Iterable<[string, string]>));
  return params;
}

/** The FHIR REST API under /fhir: every interaction goes through FhirInteractions. */
export async function registerFhirRoutes(app: FastifyInstance, deps: FhirRouteDeps): Promise<void> {
  const processBundle = async (req: FastifyRequest, reply: FastifyReply) => {
    const bundle = await deps.bundles.process(req.body, deps.contextOf(req), deps.baseUrlOf(req), header(req, 'prefer'));
    return send(reply, { status: 200, headers: {}, body: bundle });
  };
  app.post(FHIR_PREFIX, processBundle);

  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: `${FHIR_PREFIX}/*`,
    handler: async (req, reply) => {
      const path = req.url.slice(FHIR_PREFIX.length + 1).split('?')[0];
      let segments: string[];
      try {
        segments = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
      } catch {
        throw errors.invalid('URL mal encodée', 'Malformed URL encoding');
      }
      if (segments.length === 0 && req.method === 'POST') return processBundle(req, reply);
      const call: FhirCall = {
        method: req.method as FhirCall['method'],
        segments,
        params: paramsOf(req),
        headers: {
          ifMatch: header(req, 'if-match'),
          ifNoneExist: header(req, 'if-none-exist'),
          prefer: header(req, 'prefer'),
          contentType: header(req, 'content-type'),
        },
        body: req.body instanceof URLSearchParams ? undefined : req.body,
      };
      const r = await deps.interactions.handle(call, deps.contextOf(req), deps.baseUrlOf(req));
      return send(reply, r, req.method === 'HEAD');
    },
  });
}
