import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import { errors } from '../fhir/outcome.ts';
import type { NosTerminology } from './nos-terminology.ts';
import { expandValueSet, lookupOperation, validateCodeOperation } from './operations.ts';

const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';

export interface TerminologyRouteDeps {
  db: Database;
  terminology: NosTerminology;
  /** FHIR base path; `/fhir` by default. */
  prefix?: string;
}

/** Operation inputs from the query string, a form body or a `Parameters` body (POST). */
function inputsOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const q = req.url.indexOf('?');
  if (q >= 0) for (const [k, v] of new URLSearchParams(req.url.slice(q + 1))) out[k] ??= v;
  const body = req.body as unknown;
  if (body instanceof URLSearchParams) for (const [k, v] of body) out[k] ??= v;
  else if (body && typeof body === 'object') {
    const p = body as { resourceType?: string; parameter?: Record<string, unknown>[] };
    if (p.resourceType !== 'Parameters') {
      throw errors.invalid('Le corps doit être une ressource Parameters', 'The body must be a Parameters resource');
    }
    for (const param of p.parameter ?? []) {
      const name = String(param.name ?? '');
      const value = Object.entries(param).find(([k]) => k.startsWith('value'))?.[1];
      if (name && value !== undefined && (typeof value !== 'object' || value === null)) out[name] ??= String(value);
      // `coding` (validate-code): its system, code and display.
      if (name === 'coding' && value && typeof value === 'object') {
        const c = value as { system?: string; code?: string; display?: string };
        if (c.system) out.system ??= c.system;
        if (c.code) out.code ??= c.code;
        if (c.display) out.display ??= c.display;
      }
    }
  }
  return out;
}

function send(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.code(200).type(FHIR_CONTENT_TYPE).send(JSON.stringify(body));
}

/** `CodeSystem/$lookup`, `ValueSet/$validate-code`, `ValueSet/$expand` (GET and POST) under the FHIR base. */
export async function registerTerminologyRoutes(app: FastifyInstance, deps: TerminologyRouteDeps): Promise<void> {
  const base = deps.prefix ?? '/fhir';
  const both = (path: string, handler: (inputs: Record<string, string>) => Promise<unknown> | unknown) => {
    app.route({
      method: ['GET', 'POST'],
      url: `${base}/${path}`,
      handler: async (req, reply) => send(reply, await handler(inputsOf(req))),
    });
  };
  both('CodeSystem/$lookup', (i) => lookupOperation(deps.terminology, { system: i.system, code: i.code }));
  both('ValueSet/$validate-code', (i) =>
    validateCodeOperation(deps.terminology, { url: i.url, system: i.system, code: i.code, display: i.display }),
  );
  both('ValueSet/$expand', (i) =>
    expandValueSet(deps.db, deps.terminology, { url: i.url, filter: i.filter, count: i.count, offset: i.offset, activeOnly: i.activeOnly }),
  );
  // Instance level: `ValueSet/JDV-J17-ActiviteOperationnelle-ROR/$expand` (the id is the last segment of the canonical URL).
  const urlOfId = (id: string) => {
    const url = deps.terminology.valueSetUrls().find((u) => u.endsWith(`/${id}`));
    if (!url) throw errors.notFound('ValueSet', id);
    return url;
  };
  for (const op of ['$expand', '$validate-code'] as const) {
    app.route({
      method: ['GET', 'POST'],
      url: `${base}/ValueSet/:id/${op}`,
      handler: async (req, reply) => {
        const i = inputsOf(req);
        const url = urlOfId((req.params as { id: string }).id);
        return send(
          reply,
          op === '$expand'
            ? await expandValueSet(deps.db, deps.terminology, { url, filter: i.filter, count: i.count, offset: i.offset, activeOnly: i.activeOnly })
            : validateCodeOperation(deps.terminology, { url, system: i.system, code: i.code, display: i.display }),
        );
      },
    });
  }
}
