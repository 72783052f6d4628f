/**
 * JSON API of the indicators, for administrators (national: everything; regional: their régions only):
 *   GET /api/indicators?type=population|quality&by=…&region=&source=live|snapshot&date=&rule=
 *   GET /api/indicators/snapshots?type=population|quality   (history, for trends)
 *   GET /api/indicators/deviations?rule=&region=&finess=&limit=   (each écart with its object and reason)
 *   GET /api/indicators/segur?region=   (SEGUR 2.3d population objectives per région × champ)
 *   GET /api/indicators/structure/:id   (a site's to-do list: missing criteria and écarts; also for its referents)
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import type { Principal } from '../security/principal.ts';
import { ApiFailure, useApiErrors } from '../web/api-errors.ts';
import { RULE_CODES_LIST, type RuleCode } from './quality.ts';
import { segurObjectives } from './segur.ts';
import { listSnapshots } from './snapshots.ts';
import { organizationsAbove } from '../security/perimeter.ts';
import { deviations, formatRows, populationView, POPULATION_KEYS, QUALITY_KEYS, qualityView, structureTodo, type PopulationKey, type QualityKey } from './views.ts';

export interface IndicatorRouteDeps {
  db: Database;
}

/** Régions the caller may see: all (null) for national administrators and the system, theirs for regional ones. */
function allowedRegions(p: Principal | undefined): string[] | null {
  if (p?.kind === 'system') return null;
  if (p?.kind === 'user' && p.role === 'national-admin') return null;
  if (p?.kind === 'user' && p.role === 'regional-admin') return p.regions;
  if (!p || p.kind === 'anonymous') throw new ApiFailure(401, 'login', 'Authentification requise', 'Authentication required');
  throw new ApiFailure(403, 'forbidden', 'Indicateurs réservés aux administrateurs nationaux et régionaux', 'Indicators are for national and regional administrators');
}

/** The région to filter on: the asked one if allowed; a regional administrator's own when not asked. */
function regionFor(req: FastifyRequest, asked: string | undefined): string | undefined {
  const allowed = allowedRegions(req.principal);
  if (allowed === null) return asked;
  if (asked) {
    if (!allowed.includes(asked)) throw new ApiFailure(403, 'forbidden', `Région ${asked} hors de votre périmètre`, `Region ${asked} is outside your perimeter`);
    return asked;
  }
  if (allowed.length === 1) return allowed[0];
  throw new ApiFailure(400, 'region-required', `Précisez la région (parmi ${allowed.join(', ')})`, `Give the region (one of ${allowed.join(', ')})`);
}

function keys<K extends string>(value: string | undefined, allowed: readonly K[], fallback: K[]): K[] {
  if (!value) return fallback;
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.filter((p) => !allowed.includes(p as K));
  if (bad.length) throw new ApiFailure(400, 'invalid', `Regroupement inconnu : ${bad.join(', ')} (possibles : ${allowed.join(', ')})`, `Unknown grouping: ${bad.join(', ')}`);
  return parts as K[];
}

function rules(value: string | undefined): RuleCode[] | undefined {
  if (!value) return undefined;
  const parts = value.split(',');
  const bad = parts.filter((p) => !RULE_CODES_LIST.includes(p as RuleCode));
  if (bad.length) throw new ApiFailure(400, 'invalid', `Exigence inconnue : ${bad.join(', ')}`, `Unknown rule: ${bad.join(', ')}`);
  return parts as RuleCode[];
}

const DATE = '^\\d{4}-\\d{2}-\\d{2}$';

interface IndicatorQuery { type: 'population' | 'quality'; by?: string; region?: string; source: 'live' | 'snapshot'; date?: string; rule?: string; format: 'json' | 'csv' }

/** A CSV download (`;`, UTF-8 with BOM so that spreadsheets read the accents). */
function csv(reply: FastifyReply, name: string, rows: Record<string, unknown>[]) {
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
  return `\uFEFF${formatRows(rows, 'csv')}\n`;
}

export async function registerIndicatorRoutes(app: FastifyInstance, deps: IndicatorRouteDeps): Promise<void> {
  await app.register(async (api) => {
    useApiErrors(api);
    api.get<{ Querystring: IndicatorQuery }>('/', {
      schema: {
        tags: ['Indicateurs'],
        summary: 'Indicateurs de peuplement ou de qualité au grain demandé',
        querystring: {
          type: 'object',
          properties: {
            type: { type: 'string', enum: ['population', 'quality'], default: 'population' },
            by: { type: 'string', maxLength: 100 },
            region: { type: 'string', pattern: '^[0-9]{2}$' },
            source: { type: 'string', enum: ['live', 'snapshot'], default: 'live' },
            date: { type: 'string', pattern: DATE },
            rule: { type: 'string', maxLength: 200 },
            format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          },
        },
      },
    }, async (req, reply) => {
      const q = req.query;
      const region = regionFor(req, q.region);
      const opts = { region, source: q.source, referenceDate: q.date };
      const view = q.type === 'quality'
        ? { type: 'quality', ...(await qualityView(deps.db, keys<QualityKey>(q.by, QUALITY_KEYS, ['rule', 'region']), { ...opts, rules: rules(q.rule) })) }
        : { type: 'population', ...(await populationView(deps.db, keys<PopulationKey>(q.by, POPULATION_KEYS, ['region', 'field']), opts)) };
      if (q.format === 'csv') return csv(reply, `indicateurs-${q.type}`, view.rows as unknown as Record<string, unknown>[]);
      return view;
    });

    api.get<{ Querystring: { type: 'population' | 'quality' } }>('/snapshots', {
      schema: {
        tags: ['Indicateurs'],
        summary: 'Historique des instantanés (tendances)',
        querystring: { type: 'object', properties: { type: { type: 'string', enum: ['population', 'quality'], default: 'population' } } },
      },
    }, async (req) => {
      const allowed = allowedRegions(req.principal);
      const snaps = await listSnapshots(deps.db, req.query.type);
      // The summaries are national: regional administrators get the dates only.
      return { type: req.query.type, snapshots: snaps.map((s) => (allowed === null ? s : { ...s, summary: {} })) };
    });

    api.get<{ Querystring: { rule?: string; region?: string; finess?: string; limit: number; date?: string; format: 'json' | 'csv' } }>('/deviations', {
      schema: {
        tags: ['Indicateurs'],
        summary: 'Écarts aux exigences qualité, objet par objet, avec leur motif',
        querystring: {
          type: 'object',
          properties: {
            rule: { type: 'string', maxLength: 200 },
            region: { type: 'string', pattern: '^[0-9]{2}$' },
            finess: { type: 'string', pattern: '^[0-9][0-9AB][0-9]{7}$' },
            limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
            date: { type: 'string', pattern: DATE },
            format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
          },
        },
      },
    }, async (req, reply) => {
      const q = req.query;
      const region = regionFor(req, q.region);
      const list = await deviations(deps.db, { region, rules: rules(q.rule), finess: q.finess, limit: q.limit, referenceDate: q.date });
      if (q.format === 'csv') return csv(reply, 'ecarts', list as unknown as Record<string, unknown>[]);
      return { deviations: list };
    });

    api.get<{ Querystring: { region?: string } }>('/segur', {
      schema: {
        tags: ['Indicateurs'],
        summary: 'Objectifs SEGUR de peuplement (2.3d) par région et champ, et reste à faire',
        querystring: { type: 'object', properties: { region: { type: 'string', pattern: '^[0-9]{2}$' } } },
      },
    }, async (req) => ({ lines: await segurObjectives(deps.db, { region: regionFor(req, req.query.region) }) }));

    api.get<{ Params: { id: string }; Querystring: { date?: string } }>('/structure/:id', {
      schema: {
        tags: ['Indicateurs'],
        summary: "Reste à faire d'un établissement : critères manquants de ses offres et écarts",
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[A-Za-z0-9\\-.]{1,64}$' } }, required: ['id'] },
        querystring: { type: 'object', properties: { date: { type: 'string', pattern: DATE } } },
      },
    }, async (req) => {
      const p = req.principal;
      const notFound = () => new ApiFailure(404, 'not-found', `Établissement inconnu : ${req.params.id}`, `Unknown site: ${req.params.id}`);
      // Referents see the sites they answer for (or that hang under them); administrators as for the other routes.
      let allowed: string[] | null = null;
      if (p?.kind === 'user' && p.role === 'referent') {
        const above = await organizationsAbove(deps.db, [req.params.id]);
        if (!p.organizations.some((o) => above.has(o))) throw new ApiFailure(403, 'forbidden', 'Établissement hors de votre périmètre', 'Site outside your perimeter');
      } else {
        allowed = allowedRegions(p);
      }
      const todo = await structureTodo(deps.db, req.params.id, { referenceDate: req.query.date });
      if (!todo) throw notFound();
      if (allowed !== null && !(todo.region && allowed.includes(todo.region))) throw new ApiFailure(403, 'forbidden', 'Établissement hors de votre région', 'Site outside your region');
      return todo;
    });
  }, { prefix: '/api/indicators' });
}
