import { randomUUID } from 'node:crypto';
import { errors, FhirError, fhirError } from '../../fhir/outcome.ts';
import { isResourceType } from '../../fhir/resource-types.ts';
import type { Bundle, BundleEntry, Resource } from '../../fhir/types.ts';
import type { RequestContext } from '../../store/context.ts';
import type { ResourceStore, TxStore } from '../../store/resource-store.ts';
import { parseRelativeUrl, type FhirCall, type FhirReply } from './fhir-call.ts';
import type { FhirInteractions } from './interactions.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** FHIR's processing order for transactions: deletes, creates, updates/patches, then reads. */
const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };
const MAX_ENTRIES = 10_000;

interface PlannedEntry {
  index: number;
  call: FhirCall;
  fullUrl?: string;
}

function entryError(index: number, fr: string, en: string): FhirError {
  return fhirError(400, 'invalid', `Entrée ${index} : ${fr}`, `Entry ${index}: ${en}`, `Bundle.entry[${index}]`);
}

function plan(bundle: Bundle): PlannedEntry[] {
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw errors.invalid('Bundle.entry doit être un tableau', 'Bundle.entry must be an array', 'Bundle.entry');
  if (entries.length > MAX_ENTRIES) {
    throw fhirError(413, 'too-long', `Un Bundle est limité à ${MAX_ENTRIES} entrées`, `A Bundle is limited to ${MAX_ENTRIES} entries`, 'Bundle.entry');
  }
  return entries.map((e: BundleEntry, index) => {
    const method = e?.request?.method?.toUpperCase();
    const url = e?.request?.url;
    if (!method || !METHODS.has(method) || typeof url !== 'string' || url === '') {
      throw entryError(index, 'request.method et request.url sont obligatoires', 'request.method and request.url are required');
    }
    const { segments, params } = parseRelativeUrl(url.replace(/^https?:\/\/[^/]+\/fhir\//, ''));
    if (segments[0] && !isResourceType(segments[0]) && segments[0] !== 'metadata' && segments[0] !== '_history') {
      throw entryError(index, `type de ressource inconnu dans l'URL « ${url.slice(0, 80)} »`, `unknown resource type in URL "${url.slice(0, 80)}"`);
    }
    if ((method === 'POST' || method === 'PUT') && !e.resource) {
      throw entryError(index, 'une création ou mise à jour doit porter sa ressource', 'a create or update entry needs a resource');
    }
    return {
      index,
      fullUrl: e.fullUrl,
      call: {
        method: method as FhirCall['method'],
        segments,
        params,
        headers: { ifMatch: e.request?.ifMatch, ifNoneExist: e.request?.ifNoneExist, contentType: 'application/fhir+json' },
        body: e.resource,
      },
    };
  });
}

/**
 * Processing rank of an entry. Creations of Tasks (reports about other resources) come after the other
 * creations, so that the resources they are about exist when they are routed (`CreateAmender`).
 */
function rank(p: PlannedEntry): number {
  return ORDER[p.call.method] + (p.call.method === 'POST' && p.call.segments[0] === 'Task' ? 0.5 : 0);
}

/** A read that is not a plain instance read (search, history, vread): it cannot use the transaction. */
function isQuery(p: PlannedEntry): boolean {
  return (p.call.method === 'GET' || p.call.method === 'HEAD') && !(p.call.segments.length === 2 && p.call.params.length === 0);
}

/** Replaces, everywhere in a resource, references to the placeholders of a transaction. */
function rewriteReferences(node: unknown, map: Map<string, string>): void {
  if (Array.isArray(node)) {
    node.forEach((n) => rewriteReferences(n, map));
  } else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'reference' && typeof v === 'string' && map.has(v)) o[k] = map.get(v);
      else rewriteReferences(v, map);
    }
  }
}

function responseEntry(reply: FhirReply, baseUrl: string): BundleEntry {
  const body = reply.body as Resource | undefined;
  const entry: BundleEntry = {
    response: {
      status: String(reply.status),
      ...(reply.headers.location ? { location: reply.headers.location.replace(`${baseUrl}/`, '') } : {}),
      ...(reply.headers.etag ? { etag: reply.headers.etag } : {}),
      ...(reply.headers['last-modified'] ? { lastModified: new Date(reply.headers['last-modified']).toISOString() } : {}),
    },
  };
  if (body && body.resourceType === 'OperationOutcome') entry.response!.outcome = body;
  else if (body) {
    entry.resource = body;
    if (body.id && isResourceType(body.resourceType)) entry.fullUrl = `${baseUrl}/${body.resourceType}/${body.id}`;
  }
  return entry;
}

/** `batch` (each entry on its own) and `transaction` (all or nothing) Bundles. */
export class BundleProcessor {
  constructor(private readonly store: ResourceStore, private readonly interactions: FhirInteractions) {}

  async process(body: unknown, ctx: RequestContext, baseUrl: string, prefer?: string): Promise<Bundle> {
    const bundle = body as Bundle;
    if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
      throw errors.invalid('Le corps doit être un Bundle de type batch ou transaction', 'The body must be a batch or transaction Bundle', 'resourceType');
    }
    if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
      throw errors.invalid(`Type de Bundle non traité : ${String(bundle.type)} (batch ou transaction attendu)`, `Unsupported Bundle type ${String(bundle.type)}: expected batch or transaction`, 'Bundle.type');
    }
    const planned = plan(bundle);
    planned.forEach((p) => (p.call.headers.prefer = prefer));
    return bundle.type === 'batch' ? this.batch(planned, ctx, baseUrl) : this.transaction(planned, ctx, baseUrl);
  }

  private async batch(planned: PlannedEntry[], ctx: RequestContext, baseUrl: string): Promise<Bundle> {
    const entry: BundleEntry[] = [];
    for (const p of planned) {
      try {
        entry.push(responseEntry(await this.interactions.handle(p.call, ctx, baseUrl), baseUrl));
      } catch (err) {
        if (!(err instanceof FhirError)) throw err;
        entry.push({ response: { status: String(err.status), outcome: err.outcome } });
      }
    }
    return { resourceType: 'Bundle', type: 'batch-response', entry };
  }

  private async transaction(planned: PlannedEntry[], ctx: RequestContext, baseUrl: string): Promise<Bundle> {
    // Creates get their ids before anything runs, so references between entries can be rewritten.
    const map = new Map<string, string>();
    const preassigned = new Map<number, string>();
    for (const p of planned) {
      if (p.call.method === 'POST' && p.call.segments.length === 1 && p.fullUrl && !p.call.headers.ifNoneExist) {
        const id = randomUUID();
        preassigned.set(p.index, id);
        map.set(p.fullUrl, `${p.call.segments[0]}/${id}`);
      }
    }
    const replies = new Map<number, FhirReply>();
    await this.store.transaction(async (tx: TxStore) => {
      // Conditional creates resolve first: a match stands for the placeholder.
      for (const p of planned.filter((x) => x.call.method === 'POST' && x.call.headers.ifNoneExist)) {
        const reply = await this.runEntry(p, ctx, baseUrl, tx);
        const body = reply.body as Resource | undefined;
        if (p.fullUrl && body?.id) map.set(p.fullUrl, `${body.resourceType}/${body.id}`);
        replies.set(p.index, reply);
      }
      for (const p of planned) rewriteReferences(p.call.body, map);
      const rest = planned.filter((p) => !replies.has(p.index) && !isQuery(p)).sort((a, b) => rank(a) - rank(b) || a.index - b.index);
      for (const p of rest) {
        p.call.assignedId = preassigned.get(p.index);
        replies.set(p.index, await this.runEntry(p, ctx, baseUrl, tx));
      }
    });
    // Searches, history and vread come last (FHIR's order) and run once the writes are committed: they
    // read through the shared connection, which the embedded engine holds for the open transaction.
    for (const p of planned.filter(isQuery)) {
      try {
        replies.set(p.index, await this.interactions.handle(p.call, ctx, baseUrl));
      } catch (err) {
        if (!(err instanceof FhirError)) throw err;
        replies.set(p.index, { status: err.status, headers: {}, body: err.outcome });
      }
    }
    return {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: planned.map((p) => responseEntry(replies.get(p.index)!, baseUrl)),
    };
  }

  private async runEntry(p: PlannedEntry, ctx: RequestContext, baseUrl: string, tx: TxStore): Promise<FhirReply> {
    try {
      return await this.interactions.handle(p.call, ctx, baseUrl, tx);
    } catch (err) {
      if (err instanceof FhirError) {
        // The whole transaction fails with the entry's error, told with its position.
        throw new FhirError(err.status, err.issues.map((i) => ({
          ...i,
          fr: `Entrée ${p.index} : ${i.fr}`,
          en: `Entry ${p.index}: ${i.en}`,
          expression: i.expression ? `Bundle.entry[${p.index}].resource.${i.expression.replace(/^[A-Za-z]+\./, '')}` : `Bundle.entry[${p.index}]`,
        })));
      }
      throw err;
    }
  }
}
