/**
 * Anomaly reports (ROR Task, IG §1.9) for the web app, and their routing on the FHIR API:
 *   POST  /api/anomalies            report an error on an offer, a structure, a place… (signed in, or anonymous with a limit)
 *   GET   /api/anomalies?status=    the reports a person follows: a referent's structures, an administrator's régions
 *   PATCH /api/anomalies/:id        a new business status (JDV_J244), by the structure's referent or an administrator
 * A Task created over FHIR without an owner (alone or in a Bundle) is routed the same way by `routeCreatedTask`
 * (routing.ts), which the FHIR interactions call on every creation (src/app/services.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Database, Queryable } from '../db/database.ts';
import { FhirError } from '../fhir/outcome.ts';
import { isResourceType, tableOf } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import { requestContext } from '../security/http-auth.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore } from '../store/resource-store.ts';
import { ApiFailure, errorSchema, useApiErrors } from '../web/api-errors.ts';
import { ACTIONS, CLOSED_STATUSES, REFERENT_STATUSES, STATUSES, THEMES } from './codes.ts';
import { routeOf } from './routing.ts';
import { buildAnomalyTask, summarise, withBusinessStatus, type AnomalySummary } from './task.ts';

export interface AnomalyRouteDeps {
  db: Database;
  store: ResourceStore;
  /** Anonymous reports accepted per IP address and hour (default `ROR_ANOMALY_ANONYMOUS_LIMIT`, else 5; 0 = none). */
  anonymousPerHour?: number;
}

/** Types a report may be about. */
const FOCUS_TYPES = ['HealthcareService', 'Organization', 'Location', 'PractitionerRole', 'Practitioner'];

/** The requesting system written in the Task (IG input systemRequester) for reports made in this web app. */
export const WEB_REQUESTER = 'IHM ROR';

/** Anonymous reports per address over the last hour, in memory (per API node: documented). */
class HourlyLimit {
  private readonly seen = new Map<string, number[]>();
  constructor(private readonly limit: number) {}
  /** Seconds to wait, or 0 (and the attempt is counted). */
  take(key: string, now = Date.now()): number {
    const recent = (this.seen.get(key) ?? []).filter((t) => t > now - 3_600_000);
    if (recent.length >= this.limit) return Math.max(1, Math.ceil((recent[0] + 3_600_000 - now) / 1000));
    recent.push(now);
    this.seen.set(key, recent);
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value!);
    return 0;
  }
}

/** Store errors (validation, refusal) as the /api JSON error. */
function asApiFailure(e: unknown): never {
  if (e instanceof FhirError) {
    const fr = e.issues.map((i) => (i.expression ? `${i.expression} : ${i.fr}` : i.fr)).join(' ; ');
    const en = e.issues.map((i) => i.en).join('; ');
    throw new ApiFailure(e.status, e.issues[0]?.code ?? 'invalid', fr, en);
  }
  throw e;
}

/** Names of the resources behind `Type/id` references, for the list. */
async function namesOf(q: Queryable, refs: string[]): Promise<Map<string, string>> {
  const byType = new Map<string, string[]>();
  for (const ref of new Set(refs)) {
    const [type, id] = ref.split('/').slice(-2);
    if (!isResourceType(type) || !id) continue;
    byType.set(type, [...(byType.get(type) ?? []), id]);
  }
  const names = new Map<string, string>();
  for (const [type, ids] of byType) {
    const r = await q.query<{ id: string; name: string | null }>(`SELECT id, content ->> 'name' AS name FROM ${tableOf(type as never)} WHERE id = ANY($1::text[])`, [ids]);
    for (const row of r.rows) if (row.name) names.set(`${type}/${row.id}`, row.name);
  }
  return names;
}

/**
 * Tasks routed to the structures of a referent: owned by one of their organizations (or one below), or about such
 * an organization, one of its offers or one of its places.
 */
async function tasksOfStructures(q: Queryable, organizations: string[], limit: number): Promise<Resource[]> {
  const r = await q.query<{ content: Resource }>(
    `WITH RECURSIVE below(id, depth) AS (
       SELECT unnest($1::text[]), 0
       UNION
       SELECT o.id, b.depth + 1 FROM below b
       JOIN organization o ON NOT o.deleted AND o.content -> 'partOf' ->> 'reference' = 'Organization/' || b.id
       WHERE b.depth < 8
     ), refs AS (
       SELECT 'Organization/' || id AS ref FROM below
       UNION SELECT 'HealthcareService/' || h.id FROM healthcare_service h JOIN below b ON h.content -> 'providedBy' ->> 'reference' = 'Organization/' || b.id WHERE NOT h.deleted
       UNION SELECT 'Location/' || l.id FROM location l JOIN below b ON l.content -> 'managingOrganization' ->> 'reference' = 'Organization/' || b.id WHERE NOT l.deleted
     )
     SELECT t.content FROM task t
     WHERE NOT t.deleted AND (t.content -> 'owner' ->> 'reference' IN (SELECT ref FROM refs) OR t.content -> 'focus' ->> 'reference' IN (SELECT ref FROM refs))
     ORDER BY t.last_updated DESC LIMIT $2`,
    [organizations, limit],
  );
  return r.rows.map((x) => x.content);
}

async function tasksOfRegions(q: Queryable, regions: string[] | null, limit: number): Promise<Resource[]> {
  const r = regions === null
    ? await q.query<{ content: Resource }>('SELECT content FROM task WHERE NOT deleted ORDER BY last_updated DESC LIMIT $1', [limit])
    : await q.query<{ content: Resource }>('SELECT content FROM task WHERE NOT deleted AND region = ANY($1::text[]) ORDER BY last_updated DESC LIMIT $2', [regions, limit]);
  return r.rows.map((x) => x.content);
}

const statusCode = (t: Resource) => (t.businessStatus as { coding?: { code?: string }[] } | undefined)?.coding?.[0]?.code ?? '';

interface ReportBody {
  focus: string;
  theme: string;
  action: string;
  description: string;
  path?: string;
  errorValue?: string;
  proposedValue?: string;
}

export async function registerAnomalyRoutes(app: FastifyInstance, deps: AnomalyRouteDeps): Promise<void> {
  const perHour = deps.anonymousPerHour ?? Number(process.env.ROR_ANOMALY_ANONYMOUS_LIMIT ?? 5);
  const anonymousLimit = new HourlyLimit(perHour);

  await app.register(async (api) => {
    useApiErrors(api);

    api.post<{ Body: ReportBody }>('/', {
      schema: {
        tags: ['Signalements'],
        summary: 'Signaler une erreur sur une offre, une structure, un lieu (crée une Task ROR « anomalie »)',
        description: 'Ouvert aux visiteurs anonymes, dans une limite de signalements par heure et par adresse IP ; aucune donnée personnelle n’est demandée.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['focus', 'theme', 'action', 'description'],
          properties: {
            focus: { type: 'string', pattern: `^(${FOCUS_TYPES.join('|')})/[A-Za-z0-9\\-.]{1,64}$`, description: 'Type/id de la ressource en erreur' },
            theme: { type: 'string', enum: Object.keys(THEMES), description: 'Thématique (JDV_J241)' },
            action: { type: 'string', enum: Object.keys(ACTIONS), description: 'Action proposée (JDV_J242)' },
            description: { type: 'string', minLength: 3, maxLength: 2000 },
            path: { type: 'string', maxLength: 300, description: 'Chemin FHIRPath de l’élément en erreur' },
            errorValue: { type: 'string', maxLength: 500 },
            proposedValue: { type: 'string', maxLength: 500 },
          },
        },
        response: { 201: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'object', additionalProperties: true }, routed: { type: 'boolean' } } }, 400: errorSchema, 429: errorSchema },
      },
    }, async (req, reply) => {
      const p = req.principal;
      const anonymous = !p || p.kind === 'anonymous';
      if (anonymous) {
        const wait = perHour > 0 ? anonymousLimit.take(req.ip) : 1;
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new ApiFailure(429, 'too-many', 'Trop de signalements anonymes depuis cette adresse : réessayez plus tard ou connectez-vous', 'Too many anonymous reports from this address');
        }
      }
      const b = req.body;
      const route = await routeOf(deps.db, { reference: b.focus });
      if (!route) throw new ApiFailure(404, 'not-found', `Ressource inconnue : ${b.focus}`, `Unknown resource: ${b.focus}`);
      const task = buildAnomalyTask({
        focus: b.focus, theme: b.theme, action: b.action, description: b.description.trim(), path: b.path?.trim() || undefined,
        errorValue: b.errorValue?.trim() || undefined, proposedValue: b.proposedValue?.trim() || undefined,
        systemRequester: WEB_REQUESTER,
        // A signed-in person is identified by the account id only (no name, no e-mail in the Task); anonymous: nothing.
        identifierRequester: p?.kind === 'user' ? { system: 'urn:ror:compte', value: p.id } : undefined,
      }, route);
      // The server writes an anonymous visitor's report itself, after the checks above: the store refuses anonymous writes.
      const ctx: RequestContext = anonymous
        ? { actor: { id: 'web:signalement-anonyme', kind: 'system', display: 'Signalement anonyme (application web)' }, source: 'api', remoteAddr: req.ip }
        : requestContext(req);
      const written = await deps.store.create(task, ctx).catch(asApiFailure);
      reply.code(201).header('location', `/fhir/Task/${written.id}`);
      return { id: written.id, status: { code: statusCode(written.resource), display: STATUSES[statusCode(written.resource)] }, routed: !!route.owner };
    });

    api.get<{ Querystring: { status: string; limit: number } }>('/', {
      schema: {
        tags: ['Signalements'],
        summary: 'Signalements à suivre : ceux des structures du référent, ceux des régions de l’administrateur',
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', pattern: '^(open|all|[0-9]{2})$', default: 'open', description: '`open` (à traiter), `all`, ou un code JDV_J244' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
      },
    }, async (req) => {
      const p = req.principal;
      if (!p || p.kind === 'anonymous') throw new ApiFailure(401, 'login', 'Authentification requise', 'Authentication required');
      let tasks: Resource[];
      if (p.kind === 'user' && p.role === 'referent') tasks = await tasksOfStructures(deps.db, p.organizations, req.query.limit);
      else if (p.kind === 'user' && p.role === 'national-admin') tasks = await tasksOfRegions(deps.db, null, req.query.limit);
      else if (p.kind === 'user' && p.role === 'regional-admin') tasks = await tasksOfRegions(deps.db, p.regions, req.query.limit);
      else throw new ApiFailure(403, 'forbidden', 'Signalements réservés aux référents et aux administrateurs', 'Reports are for referents and administrators');
      const s = req.query.status;
      const kept = tasks.filter((t) => (s === 'all' ? true : s === 'open' ? !CLOSED_STATUSES.has(statusCode(t)) : statusCode(t) === s));
      const refs = kept.flatMap((t) => [(t.focus as { reference?: string })?.reference, (t.owner as { reference?: string } | undefined)?.reference]).filter((x): x is string => !!x);
      const names = await namesOf(deps.db, refs);
      const statuses = (p.role === 'referent' ? [...REFERENT_STATUSES] : Object.keys(STATUSES)).map((code) => ({ code, display: STATUSES[code] }));
      return { anomalies: kept.map((t) => summarise(t, names)) satisfies AnomalySummary[], statuses };
    });

    api.patch<{ Params: { id: string }; Body: { status: string } }>('/:id', {
      schema: {
        tags: ['Signalements'],
        summary: 'Changer le statut métier d’un signalement (JDV_J244)',
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' } }, required: ['id'] },
        body: { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string', enum: Object.keys(STATUSES) } } },
      },
    }, async (req) => {
      const p = req.principal;
      if (!p || p.kind === 'anonymous') throw new ApiFailure(401, 'login', 'Authentification requise', 'Authentication required');
      const status = req.body.status;
      if (p.kind === 'user' && p.role === 'referent' && !(REFERENT_STATUSES as readonly string[]).includes(status)) {
        throw new ApiFailure(403, 'forbidden', `Statut « ${STATUSES[status]} » réservé à la plateforme`, `Status ${status} is set by the platform only`);
      }
      // The store's write authorizer decides (referents: Tasks of their structures; regional administrators: their régions).
      const written = await deps.store.patch('Task', req.params.id, (t) => withBusinessStatus(t, status), requestContext(req)).catch(asApiFailure);
      const names = await namesOf(deps.db, [(written.resource.focus as { reference?: string })?.reference ?? '']);
      return summarise(written.resource, names);
    });
  }, { prefix: '/api/anomalies' });
}
