/**
 * HTTP side of `$export` (FHIR Bulk Data 2.0, asynchronous): kick-off at system and type level,
 * status polling at `$export-poll-status?_jobId=` (the address the ROR national uses), DELETE to
 * cancel, and the output files as `application/fhir+ndjson`, gzip-encoded when the client accepts
 * it. Only the caller who started a job may poll it or read its files.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fhirError, operationOutcome } from '../../fhir/outcome.ts';
import type { RequestContext } from '../../store/context.ts';
import type { ExportJob } from './export-jobs.ts';
import { parseExportRequest } from './export-request.ts';
import type { ExportService } from './export-service.ts';

const FHIR_PREFIX = '/fhir';
const NDJSON = 'application/fhir+ndjson';
/** Manifest extension: where to follow the change feed after loading the files (see docs/sync.md). */
export const CHANGE_FEED_EXTENSION = 'urn:ror:change-feed';

export interface ExportRouteDeps {
  exports: ExportService;
  contextOf(req: FastifyRequest): RequestContext;
  baseUrlOf(req: FastifyRequest): string;
}

function paramsOf(req: FastifyRequest): [string, string][] {
  const q = req.url.indexOf('?');
  return q >= 0 ? ([...new URLSearchParams(req.url.slice(q + 1)).entries()] as [string, string][]) : [];
}

function sameCaller(job: ExportJob, ctx: RequestContext): boolean {
  return job.caller.actor.id === ctx.actor.id && job.caller.actor.kind === ctx.actor.kind;
}

function notFound(id: string) {
  return fhirError(404, 'not-found', `Export ${id.slice(0, 40)} introuvable (terminé depuis longtemps, annulé, ou lancé par un autre appelant)`, `Export ${id.slice(0, 40)} not found`);
}

export function manifestOf(job: ExportJob, fileUrl: (file: string) => string) {
  const base = job.request.baseUrl;
  const feedPath = job.request.level === 'type' ? `${base}/${job.request.selected[0]}/_history` : `${base}/_history`;
  return {
    transactionTime: job.transactionTime,
    request: job.request.requestUrl,
    requiresAccessToken: true,
    output: job.output.map((o) => ({ type: o.type, url: fileUrl(o.file), count: o.count })),
    deleted: job.deleted.map((o) => ({ type: 'Bundle', url: fileUrl(o.file), count: o.count })),
    error: [],
    extension: { [CHANGE_FEED_EXTENSION]: `${feedPath}?_sort=_lastUpdated&_cursor=${job.feedCursor}` },
  };
}

export async function registerExportRoutes(app: FastifyInstance, deps: ExportRouteDeps): Promise<void> {
  const { exports } = deps;
  app.addHook('onReady', async () => exports.start());
  app.addHook('onClose', async () => exports.stop());

  const kickOff = async (req: FastifyRequest, reply: FastifyReply, type?: string) => {
    const ctx = deps.contextOf(req);
    if (ctx.actor.kind === 'anonymous') {
      throw fhirError(401, 'login', 'L\'export en masse demande une application ou un compte authentifié', 'Bulk export requires an authenticated application or account');
    }
    const baseUrl = deps.baseUrlOf(req);
    const q = req.url.indexOf('?');
    const requestUrl = `${baseUrl}${req.url.slice(FHIR_PREFIX.length, q >= 0 ? q : undefined)}${q >= 0 ? req.url.slice(q) : ''}`;
    const request = parseExportRequest(paramsOf(req), type, baseUrl, requestUrl);
    const id = await exports.kickOff(request, ctx);
    return reply.code(202)
      .header('content-location', `${baseUrl}/$export-poll-status?_jobId=${id}`)
      .type('application/fhir+json; charset=utf-8')
      .send(JSON.stringify(operationOutcome([{ severity: 'information', code: 'informational', fr: `Export ${id} accepté`, en: `Export ${id} accepted` }])));
  };
  app.get(`${FHIR_PREFIX}/$export`, (req, reply) => kickOff(req, reply));
  app.get<{ Params: { type: string } }>(`${FHIR_PREFIX}/:type/$export`, (req, reply) => kickOff(req, reply, req.params.type));

  const ownJob = async (req: FastifyRequest, id: string | undefined): Promise<ExportJob> => {
    if (!id) throw fhirError(400, 'required', 'Paramètre _jobId manquant', 'Missing _jobId parameter', '_jobId');
    const job = /^[0-9a-f-]{36}$/.test(id) ? await exports.job(id) : null;
    if (!job || job.status === 'cancelled' || !sameCaller(job, deps.contextOf(req))) throw notFound(id);
    return job;
  };

  app.get<{ Querystring: { _jobId?: string } }>(`${FHIR_PREFIX}/$export-poll-status`, async (req, reply) => {
    const job = await ownJob(req, req.query._jobId);
    switch (job.status) {
      case 'accepted':
      case 'in-progress':
        return reply.code(202).header('x-progress', encodeURI(job.progress ?? 'en attente')).header('retry-after', '2').send();
      case 'failed':
        throw fhirError(500, 'exception', job.error?.fr ?? 'L\'export a échoué', job.error?.en ?? 'Export failed');
      default: {
        const base = deps.baseUrlOf(req);
        return reply.code(200).type('application/json; charset=utf-8')
          .header('expires', new Date(Date.now() + 3600_000).toUTCString())
          .send(JSON.stringify(manifestOf(job, (file) => `${base}/$export-file/${job.id}/${file}`)));
      }
    }
  });

  app.delete<{ Querystring: { _jobId?: string } }>(`${FHIR_PREFIX}/$export-poll-status`, async (req, reply) => {
    const job = await ownJob(req, req.query._jobId);
    await exports.cancel(job.id);
    return reply.code(202).type('application/fhir+json; charset=utf-8')
      .send(JSON.stringify(operationOutcome([{ severity: 'information', code: 'informational', fr: `Export ${job.id} annulé`, en: `Export ${job.id} cancelled` }])));
  });

  app.get<{ Params: { job: string; file: string } }>(`${FHIR_PREFIX}/$export-file/:job/:file`, async (req, reply) => {
    const job = await ownJob(req, req.params.job);
    const file = exports.filePath(job.id, req.params.file);
    if (job.status !== 'completed' || !file || ![...job.output, ...job.deleted].some((o) => o.file === req.params.file)) {
      throw fhirError(404, 'not-found', 'Fichier d\'export introuvable', 'Export file not found');
    }
    const gzipOk = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const stream = fs.createReadStream(file);
    reply.type(NDJSON).header('vary', 'accept-encoding');
    if (gzipOk) return reply.header('content-encoding', 'gzip').send(stream);
    return reply.send(stream.pipe(zlib.createGunzip()));
  });
}
