/**
 * JSON API of "Mon espace" (referents, professionals, administrators), under /api/espace:
 *   GET  /api/espace                          the person's structures (referent), practitioner and city offers (professional)
 *   GET  /api/espace/structures?q=            administrators: structures (EJ/EG) of their région(s) by name or FINESS
 *   GET  /api/espace/structure/:id            a structure's tree with statuses, missing criteria, écarts, capacities
 *   POST /api/espace/confirmer                { type, id, versionId } → status vérifié + confirmation date
 *   POST /api/espace/capacite                 { locationId, versionId, capacityType, status?, count }
 *   POST /api/espace/fermeture                { offerId, versionId, from, until, reason? } ; until = null → reopened
 *   GET  /api/espace/historique/:type/:id     the item's versions (who, when, what)
 *   POST /api/espace/restaurer                { type, id, versionId, ifMatch }
 *   GET  /api/espace/rappels, POST /api/espace/rappels   administrators: reminder runs, run one now
 * Every write goes through the store (validation, write authorizer, history, audit) with If-Match.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { FhirError } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import type { Mailer } from '../mail/mailer.ts';
import { requestContext } from '../security/http-auth.ts';
import type { UserPrincipal } from '../security/principal.ts';
import type { RequestContext } from '../store/context.ts';
import type { ResourceStore, WriteResult } from '../store/resource-store.ts';
import { ApiFailure, useApiErrors } from '../web/api-errors.ts';
import { CAPACITY_STATUSES, CAPACITY_TYPES, withCapacity, withClosure } from './capacity.ts';
import { confirmed } from './confirmation.ts';
import { staleAfterDays } from './freshness.ts';
import { isHistoryType, restoreVersion, versionsOf } from './history.ts';
import { assertItem, assertStructure, isAdmin, signedIn } from './perimeter.ts';
import { listReminderRuns, reminderIntervalHours, runReminders } from './reminders.ts';
import { QualityCache, qualityRefreshMs } from './quality-cache.ts';
import { offerItems, structureTree } from './tree.ts';
import { verificationStatusOf } from '../ingest/verification-status.ts';

export interface ReferentRouteDeps {
  config: Config;
  db: Database;
  store: ResourceStore;
  mailer: Mailer;
  /** Environment read for ROR_STALE_AFTER_DAYS and ROR_REMINDER_INTERVAL_HOURS (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const ID = '^[A-Za-z0-9\\-.]{1,64}$';
const DAY = '^\\d{4}-\\d{2}-\\d{2}$';
const ITEM_TYPES = ['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole'];

/** Store refusals (403, 412, 422…) as the API's French errors. */
function asApiFailure(err: unknown): never {
  if (err instanceof FhirError) {
    if (err.status === 412) {
      throw new ApiFailure(412, 'conflict', 'Cet élément a été modifié entre-temps par quelqu’un d’autre : rechargez la page, vérifiez, puis recommencez. Rien n’a été enregistré.',
        'The item changed meanwhile (version conflict): nothing was written');
    }
    const fr = err.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => i.fr).join(' ; ') || err.issues.map((i) => i.fr).join(' ; ');
    throw new ApiFailure(err.status, err.issues[0]?.code ?? 'error', fr, err.message);
  }
  throw err;
}

async function write(fn: () => Promise<WriteResult>): Promise<{ id: string; versionId: number; lastUpdated: string; outcome: string }> {
  try {
    const r = await fn();
    return { id: r.id, versionId: r.versionId, lastUpdated: r.lastUpdated, outcome: r.outcome };
  } catch (err) {
    return asApiFailure(err);
  }
}

const formContext = (req: FastifyRequest): RequestContext => ({ ...requestContext(req), source: 'form' });

/** Reads the current version and checks it is the one the person saw (412 otherwise, before any change). */
async function current(store: ResourceStore, type: string, id: string, versionId: number): Promise<Resource> {
  let r;
  try {
    r = await store.read(type, id);
  } catch (err) {
    return asApiFailure(err);
  }
  if (r.deleted) throw new ApiFailure(410, 'deleted', `${type}/${id} a été supprimé`, `${type}/${id} is deleted`);
  if (r.versionId !== versionId) asApiFailure(new FhirError(412, [{ severity: 'error', code: 'conflict', fr: '', en: 'version conflict' }]));
  return r.resource;
}

function originOf(config: Config): string {
  return config.baseUrl ? config.baseUrl.replace(/\/fhir\/?$/, '') : `http://localhost:${config.port}`;
}

export async function registerReferentRoutes(app: FastifyInstance, deps: ReferentRouteDeps): Promise<void> {
  const env = deps.env ?? process.env;
  const staleDays = staleAfterDays(env);
  const { db, store } = deps;
  const quality = new QualityCache(db, qualityRefreshMs(env));

  const intervalHours = reminderIntervalHours(env);
  if (intervalHours > 0) {
    let running = false;
    const timer = setInterval(() => {
      // One run at a time in this process: a slow run is not overlapped by the next tick.
      if (running) return;
      running = true;
      runReminders(db, { mailer: deps.mailer, staleAfterDays: staleDays, baseUrl: originOf(deps.config), trigger: 'interval' })
        .catch((err: unknown) => app.log.error({ err }, 'reminder run failed'))
        .finally(() => { running = false; });
    }, intervalHours * 3_600_000);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  await app.register(async (api) => {
    useApiErrors(api);

    api.get('/', async (req) => {
      const p = signedIn(req.principal);
      const base = { role: p.role, regions: p.regions, staleAfterDays: staleDays };
      if (p.role === 'referent') {
        const r = await db.query<{ id: string; content: Resource; last_updated: Date | string }>(
          'SELECT id, content, last_updated FROM organization WHERE id = ANY($1::text[]) AND NOT deleted ORDER BY content->>\'name\'', [p.organizations]);
        return { ...base, structures: r.rows.map((o) => structureSummary(o.id, o.content)) };
      }
      if (p.role === 'professional') {
        if (!p.practitioner) return { ...base, practitioner: null, offers: [] };
        const pr = (await db.query<{ content: Resource }>('SELECT content FROM practitioner WHERE id = $1 AND NOT deleted', [p.practitioner])).rows[0];
        const offers = (await db.query<{ id: string }>(
          `SELECT DISTINCT h.id FROM practitioner_role r
             JOIN healthcare_service h ON NOT h.deleted AND r.content->'healthcareService' @> jsonb_build_array(jsonb_build_object('reference', 'HealthcareService/' || h.id))
           WHERE NOT r.deleted AND r.content->'practitioner'->>'reference' = $1 ORDER BY h.id`, [`Practitioner/${p.practitioner}`])).rows;
        const name = pr ? ((pr.content.name as { family?: string; given?: string[] }[] | undefined)?.[0]) : undefined;
        return {
          ...base,
          practitioner: pr ? { id: p.practitioner, name: [name?.given?.join(' '), name?.family].filter(Boolean).join(' ') || p.practitioner } : null,
          offers: await offerItems(db, offers.map((o) => o.id), { staleDays }),
        };
      }
      return { ...base, structures: [] };
    });

    api.get<{ Querystring: { q?: string; limit: number } }>('/structures', {
      schema: { querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 30 } } } },
    }, async (req) => {
      const p = signedIn(req.principal);
      if (!isAdmin(p)) throw new ApiFailure(403, 'forbidden', 'Recherche de structures réservée aux administrateurs', 'Structure search is for administrators');
      const q = (req.query.q ?? '').trim();
      const regions = p.role === 'national-admin' ? null : p.regions;
      // EJ and EG only: internal units (TRE_R207 type) are reached through their site's tree.
      const r = await db.query<{ id: string; content: Resource }>(
        `SELECT id, content FROM organization o
         WHERE NOT deleted AND ($1::text[] IS NULL OR region = ANY($1::text[]))
           AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(content->'type', '[]'::jsonb)) t, jsonb_array_elements(coalesce(t->'coding', '[]'::jsonb)) c
                           WHERE c->>'system' LIKE '%TRE_R207%')
           AND ($2 = '' OR lower(unaccent(content->>'name')) LIKE '%' || lower(unaccent($2)) || '%'
                OR content->'identifier' @> jsonb_build_array(jsonb_build_object('value', $2::text)))
         ORDER BY content->>'name', id LIMIT $3`, [regions, q, req.query.limit]);
      return { structures: r.rows.map((o) => structureSummary(o.id, o.content)) };
    });

    api.get<{ Params: { id: string } }>('/structure/:id', {
      schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: ID } }, required: ['id'] } },
    }, async (req) => {
      const p = signedIn(req.principal);
      await assertStructure(db, p, req.params.id);
      const evaluation = quality.get();
      const tree = await structureTree(db, req.params.id, { staleDays, quality: () => evaluation });
      if (!tree) throw new ApiFailure(404, 'not-found', `Structure introuvable : ${req.params.id}`, `Structure not found: ${req.params.id}`);
      let parent: { id: string; name: string } | undefined;
      const partOf = (await db.query<{ id: string; name: string | null }>(
        `SELECT p.id, p.content->>'name' AS name FROM organization o JOIN organization p ON 'Organization/' || p.id = o.content->'partOf'->>'reference'
         WHERE o.id = $1`, [req.params.id])).rows[0];
      if (partOf) parent = { id: partOf.id, name: partOf.name ?? `entité juridique ${partOf.id.replace(/^finess-ej-/, 'FINESS ')}` };
      return { staleAfterDays: staleDays, qualityComputedAt: (await evaluation).computedAt.toISOString(), parent, tree };
    });

    const itemBody = {
      type: 'object',
      required: ['type', 'id', 'versionId'],
      properties: { type: { type: 'string', enum: ITEM_TYPES }, id: { type: 'string', pattern: ID }, versionId: { type: 'integer', minimum: 1 } },
    } as const;

    api.post<{ Body: { type: string; id: string; versionId: number } }>('/confirmer', { schema: { body: itemBody } }, async (req) => {
      const p = signedIn(req.principal);
      const { type, id, versionId } = req.body;
      await assertItem(db, p, type, id);
      const resource = await current(store, type, id, versionId);
      return write(() => store.transaction((tx) => tx.update(confirmed(resource), formContext(req), { ifMatch: versionId }, 'confirm')));
    });

    api.post<{ Body: { locationId: string; versionId: number; capacityType: string; status: string; count: number } }>('/capacite', {
      schema: {
        body: {
          type: 'object',
          required: ['locationId', 'versionId', 'capacityType', 'count'],
          properties: {
            locationId: { type: 'string', pattern: ID },
            versionId: { type: 'integer', minimum: 1 },
            capacityType: { type: 'string', enum: Object.keys(CAPACITY_TYPES) },
            status: { type: 'string', enum: Object.keys(CAPACITY_STATUSES), default: '02' },
            count: { type: 'integer' },
          },
        },
      },
    }, async (req) => {
      const p = signedIn(req.principal);
      const { locationId, versionId, capacityType, status, count } = req.body;
      if (count < 0 || count > 100000) {
        throw new ApiFailure(400, 'invalid', 'Le nombre de lits ou de places doit être un entier positif ou nul', 'The count must be a non-negative integer');
      }
      await assertItem(db, p, 'Location', locationId);
      const location = await current(store, 'Location', locationId, versionId);
      return write(() => store.transaction((tx) => tx.update(withCapacity(location, { type: capacityType, status, count }), formContext(req), { ifMatch: versionId }, 'capacity')));
    });

    api.post<{ Body: { offerId: string; versionId: number; from?: string; until?: string | null; reason?: string } }>('/fermeture', {
      schema: {
        body: {
          type: 'object',
          required: ['offerId', 'versionId'],
          properties: {
            offerId: { type: 'string', pattern: ID },
            versionId: { type: 'integer', minimum: 1 },
            from: { type: 'string', pattern: DAY },
            until: { anyOf: [{ type: 'string', pattern: DAY }, { type: 'null' }] },
            reason: { type: 'string', maxLength: 500 },
          },
        },
      },
    }, async (req) => {
      const p = signedIn(req.principal);
      const { offerId, versionId, from, until, reason } = req.body;
      const today = new Date().toISOString().slice(0, 10);
      const start = from ?? today;
      if (until != null && until <= start) {
        throw new ApiFailure(400, 'invalid', 'La date de réouverture doit être postérieure à la date de fermeture', 'The reopening date must be after the closing date');
      }
      if (until === undefined) throw new ApiFailure(400, 'invalid', 'Indiquez la date de réouverture prévue', 'Give the planned reopening date');
      await assertItem(db, p, 'HealthcareService', offerId);
      const offer = await current(store, 'HealthcareService', offerId, versionId);
      const next = withClosure(offer, until === null ? null : { from: start, until, reason });
      return write(() => store.transaction((tx) => tx.update(next, formContext(req), { ifMatch: versionId }, 'closure')));
    });

    api.get<{ Params: { type: string; id: string } }>('/historique/:type/:id', {
      schema: { params: { type: 'object', properties: { type: { type: 'string', enum: ITEM_TYPES }, id: { type: 'string', pattern: ID } }, required: ['type', 'id'] } },
    }, async (req) => {
      const p = signedIn(req.principal);
      const { type, id } = req.params;
      if (!isHistoryType(type)) throw new ApiFailure(400, 'invalid', `Type inconnu : ${type}`, `Unknown type: ${type}`);
      await assertItem(db, p, type, id);
      return { type, id, versions: await versionsOf(db, type, id) };
    });

    api.post<{ Body: { type: string; id: string; versionId: number; ifMatch: number } }>('/restaurer', {
      schema: {
        body: {
          type: 'object',
          required: ['type', 'id', 'versionId', 'ifMatch'],
          properties: { ...itemBody.properties, ifMatch: { type: 'integer', minimum: 1 } },
        },
      },
    }, async (req) => {
      const p = signedIn(req.principal);
      const { type, id, versionId, ifMatch } = req.body;
      await assertItem(db, p, type, id);
      if (versionId >= ifMatch) throw new ApiFailure(400, 'invalid', 'Choisissez une version antérieure à la version actuelle', 'Pick a version older than the current one');
      return write(() => restoreVersion(store, type, id, versionId, ifMatch, formContext(req)));
    });

    const adminOnly = (req: FastifyRequest): UserPrincipal => {
      const p = signedIn(req.principal);
      if (!isAdmin(p)) throw new ApiFailure(403, 'forbidden', 'Réservé aux administrateurs', 'For administrators only');
      return p;
    };

    api.get('/rappels', async (req) => {
      adminOnly(req);
      return { staleAfterDays: staleDays, intervalHours, runs: await listReminderRuns(db) };
    });

    api.post('/rappels', async (req) => {
      const p = adminOnly(req);
      if (p.role !== 'national-admin') throw new ApiFailure(403, 'forbidden', 'Lancement réservé aux administrateurs nationaux', 'National administrators only');
      return runReminders(db, { mailer: deps.mailer, staleAfterDays: staleDays, baseUrl: originOf(deps.config), trigger: 'admin' });
    });
  }, { prefix: '/api/espace' });
}

function structureSummary(id: string, r: Resource) {
  const finess = ((r.identifier ?? []) as { system?: string; value?: string }[]).find((i) => i.system === 'https://finess.esante.gouv.fr')?.value;
  return { id, name: String(r.name ?? id), finess, kind: r.partOf ? 'EG' : 'EJ', status: verificationStatusOf(r) ?? null };
}
