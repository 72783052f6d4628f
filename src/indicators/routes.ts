/**
 * JSON API of the indicators, for administrators (national: everything; regional: their régions only):
 *   GET /api/indicators?type=population|quality&by=…&region=&source=live|snapshot&date=&rule=
 *   GET /api/indicators/snapshots?type=population|quality   (history, for trends)
 *   GET /api/indicators/deviations?rule=&region=&finess=&limit=   (each écart with its object and reason)
 *   GET /api/indicators/segur?region=   (SEGUR 2.3d population objectives per région × champ)
 *   GET /api/indicators/structure/:id   (a site's to-do list: missing criteria and écarts; also for its referents)
 *   GET /api/indicators/workbook?region=   (the dashboard's figures as one XLSX workbook)
 *   GET /api/indicators/trend?by=field&region=   (population of every snapshot at a grain: trend charts)
 * `format=csv|xlsx` on the figures, the écarts and the SEGUR objectives gives a download of the same rows.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../db/database.ts';
import type { Principal } from '../security/principal.ts';
import { ApiFailure, useApiErrors } from '../web/api-errors.ts';
import { RULE_CODES_LIST, type RuleCode } from './quality.ts';
import { segurObjectives } from './segur.ts';
import { listSnapshots } from './snapshots.ts';
import { organizationsAbove } from '../security/perimeter.ts';
import { toXlsx, XLSX_CONTENT_TYPE } from './xlsx.ts';
import { deviations, formatRows, segurRows, populationTrend, populationView, POPULATION_KEYS, QUALITY_KEYS, qualityView, structureTodo, type PopulationKey, type QualityKey } from './views.ts';

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

type Format = 'json' | 'csv' | 'xlsx';
interface IndicatorQuery { type: 'population' | 'quality'; by?: string; region?: string; source: 'live' | 'snapshot'; date?: string; rule?: string; format: Format }

/** A CSV download (`;`, UTF-8 with BOM so that spreadsheets read the accents). */
function csv(reply: FastifyReply, name: string, rows: Record<string, unknown>[]) {
  reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
  return `\uFEFF${formatRows(rows, 'csv')}\n`;
}

/** An XLSX download of one or more tables. */
async function xlsx(reply: FastifyReply, name: string, sheets: { name: string; rows: Record<string, unknown>[] }[]) {
  reply.header('content-type', XLSX_CONTENT_TYPE).header('content-disposition', `attachment; filename="${name}.xlsx"`);
  return reply.send(await toXlsx(sheets));
}

/** The rows of a download: CSV or XLSX; undefined for JSON. */
async function download(reply: FastifyReply, format: Format, name: string, rows: Record<string, unknown>[]) {
  if (format === 'csv') return csv(reply, name, rows);
  if (format === 'xlsx') return xlsx(reply, name, [{ name, rows }]);
  return undefined;
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
            format: { type: 'string', enum: ['json', 'csv', 'xlsx'], default: 'json' },
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
      return (await download(reply, q.format, `indicateurs-${q.type}`, view.rows as unknown as Record<string, unknown>[])) ?? view;
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

    api.get<{ Querystring: { rule?: string; region?: string; finess?: string; limit: number; date?: string; format: Format } }>('/deviations', {
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
            format: { type: 'string', enum: ['json', 'csv', 'xlsx'], default: 'json' },
          },
        },
      },
    }, async (req, reply) => {
      const q = req.query;
      const region = regionFor(req, q.region);
      const list = await deviations(deps.db, { region, rules: rules(q.rule), finess: q.finess, limit: q.limit, referenceDate: q.date });
      return (await download(reply, q.format, 'ecarts', list as unknown as Record<string, unknown>[])) ?? { deviations: list };
    });

    api.get<{ Querystring: { region?: string; format: Format } }>('/segur', {
      schema: {
        tags: ['Indicateurs'],
        summary: 'Objectifs SEGUR de peuplement (2.3d) par région et champ, et reste à faire',
        querystring: { type: 'object', properties: { region: { type: 'string', pattern: '^[0-9]{2}$' }, format: { type: 'string', enum: ['json', 'csv', 'xlsx'], default: 'json' } } },
      },
    }, async (req, reply) => {
      const lines = await segurObjectives(deps.db, { region: regionFor(req, req.query.region) });
      return (await download(reply, req.query.format, 'objectifs-segur', segurRows(lines))) ?? { lines };
    });

    api.get<{ Querystring: { region?: string; by?: string } }>('/trend', {
      schema: {
        tags: ['Indicateurs'],
        summary: 'Évolution du peuplement : les chiffres de chaque instantané trimestriel au grain demandé',
        querystring: { type: 'object', properties: { region: { type: 'string', pattern: '^[0-9]{2}$' }, by: { type: 'string', maxLength: 100 } } },
      },
    }, async (req) => {
      const region = regionFor(req, req.query.region);
      return { points: await populationTrend(deps.db, keys<PopulationKey>(req.query.by, POPULATION_KEYS, ['field']), { region }) };
    });

    api.get<{ Querystring: { region?: string; limit: number } }>('/workbook', {
      schema: {
        tags: ['Indicateurs'],
        summary: 'Le tableau de bord en un classeur XLSX : peuplement (région, département, secteur), qualité, objectifs SEGUR, écarts',
        querystring: { type: 'object', properties: { region: { type: 'string', pattern: '^[0-9]{2}$' }, limit: { type: 'integer', minimum: 1, maximum: 100000, default: 10000 } } },
      },
    }, async (req, reply) => {
      const region = regionFor(req, req.query.region);
      const rows = (v: { rows: unknown[] }) => v.rows as Record<string, unknown>[];
      const sheets = [
        { name: 'Peuplement par région', rows: rows(await populationView(deps.db, ['region'], { region })) },
        { name: 'Peuplement par département', rows: rows(await populationView(deps.db, ['region', 'departement'], { region })) },
        { name: 'Peuplement par secteur', rows: rows(await populationView(deps.db, ['field'], { region })) },
        { name: 'Qualité par exigence', rows: rows(await qualityView(deps.db, ['rule'], { region })) },
        { name: 'Objectifs SEGUR', rows: segurRows(await segurObjectives(deps.db, { region })) },
        { name: 'Écarts', rows: (await deviations(deps.db, { region, limit: req.query.limit })) as unknown as Record<string, unknown>[] },
      ];
      return xlsx(reply, `tableau-de-bord${region ? `-${region}` : ''}`, sheets);
    });

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
