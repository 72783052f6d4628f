import { errors, FhirError, fhirError, operationOutcome, type Issue } from '../../fhir/outcome.ts';
import type { Queryable } from '../../db/database.ts';
import type { Bundle, BundleEntry, Resource } from '../../fhir/types.ts';
import type { SearchEngine } from '../../search/search-engine.ts';
import type { RequestContext } from '../../store/context.ts';
import {
  assertResourceType, assertValidId, type FeedEntry, type FeedPosition, type HistoryEntry, type ResourceStore, type StoredResource, type TxStore, type WriteResult,
} from '../../store/resource-store.ts';
import type { ResourceValidator } from '../../store/hooks.ts';
import type { ReadGuard } from '../../security/read-guard.ts';
import type { FhirCall, FhirReply } from './fhir-call.ts';
import { etagOf, httpDate, parseIfMatch, parsePrefer } from './http-headers.ts';

export interface InteractionDeps {
  store: ResourceStore;
  search?: SearchEngine;
  /** Profile validation, for the `$validate` operation (writes are validated by the store itself). */
  validator?: ResourceValidator;
  /** What the caller may see (access profile redaction); absent = everything (tests of the bare store). */
  readGuard?: ReadGuard;
  capabilityStatement: () => Resource;
  /** Called on each resource a client creates (POST, alone or in a Bundle), before the store validates it. */
  createAmenders?: CreateAmender[];
}

/**
 * Completes a resource a client creates before it is validated and written (e.g. the routing of an anomaly Task).
 * `q` is the write's transaction: a Bundle's earlier creations are visible through it.
 */
export type CreateAmender = (q: Queryable, resource: Resource) => Promise<void>;

const HISTORY_DEFAULT_COUNT = 50;
const HISTORY_MAX_COUNT = 1000;

function versionHeaders(r: StoredResource, baseUrl: string): Record<string, string> {
  return {
    etag: etagOf(r.versionId),
    'last-modified': httpDate(r.lastUpdated),
    location: `${baseUrl}/${r.resourceType}/${r.id}/_history/${r.versionId}`,
  };
}

function readReply(r: StoredResource, baseUrl: string): FhirReply {
  const { location: _l, ...headers } = versionHeaders(r, baseUrl);
  return { status: 200, headers: { ...headers, 'content-location': `${baseUrl}/${r.resourceType}/${r.id}/_history/${r.versionId}` }, body: r.resource };
}

/** The body a write answers with, as the client's `Prefer: return=` asks. */
function writeReply(w: WriteResult, status: number, call: FhirCall, baseUrl: string): FhirReply {
  const prefer = parsePrefer(call.headers.prefer).return;
  const headers = versionHeaders(w, baseUrl);
  if (prefer === 'minimal') return { status, headers };
  if (prefer === 'OperationOutcome') {
    const info: Issue = {
      severity: 'information', code: 'informational',
      fr: w.outcome === 'unchanged' ? 'Aucune modification : le contenu est identique à la version actuelle' : `Version ${w.versionId} enregistrée`,
      en: w.outcome === 'unchanged' ? 'No change: the content equals the current version' : `Version ${w.versionId} stored`,
    };
    return { status, headers, body: operationOutcome([info, ...w.issues]) };
  }
  return { status, headers, body: w.resource };
}

function requireResourceBody(call: FhirCall, type: string): Resource {
  const body = call.body;
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.invalid('Le corps de la requête doit être une ressource FHIR en JSON', 'The request body must be a FHIR resource in JSON');
  }
  const resource = body as Resource;
  if (resource.resourceType !== type) {
    throw fhirError(
      400, 'invalid',
      `Le type de la ressource (${String(resource.resourceType).slice(0, 40)}) ne correspond pas à l'URL (${type})`,
      `Resource type ${String(resource.resourceType).slice(0, 40)} does not match the URL type ${type}`,
      'resourceType',
    );
  }
  return resource;
}

/** Parses an `identifier=[system|]value` criterion, the one conditional writes accept. */
function identifierCriterion(params: [string, string][]): { system?: string; value: string } {
  const unsupported = params.filter(([k]) => k !== 'identifier');
  const ids = params.filter(([k]) => k === 'identifier');
  if (unsupported.length || ids.length !== 1) {
    throw fhirError(
      400, 'not-supported',
      'Les écritures conditionnelles portent sur un seul critère identifier=[système|]valeur',
      'Conditional writes take exactly one criterion identifier=[system|]value',
    );
  }
  const v = ids[0][1];
  const bar = v.indexOf('|');
  return bar >= 0 ? { system: v.slice(0, bar) || undefined, value: v.slice(bar + 1) } : { value: v };
}

function countParam(params: [string, string][], def: number, max: number): number {
  const c = params.find(([k]) => k === '_count')?.[1];
  if (c === undefined) return def;
  const n = Number(c);
  if (!Number.isInteger(n) || n < 0) throw errors.invalid(`_count invalide : ${c.slice(0, 20)}`, `Invalid _count: ${c.slice(0, 20)}`, '_count');
  return Math.min(n, max);
}

function instantParam(params: [string, string][], name: string): string | undefined {
  const v = params.find(([k]) => k === name)?.[1];
  if (v === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw errors.invalid(`${name} doit être un instant ISO 8601 (ex. 2026-01-31T12:00:00Z)`, `${name} must be an ISO 8601 instant`, name);
  }
  return v;
}

/**
 * The FHIR RESTful interactions of the server (read, vread, create, update, conditional update, patch,
 * delete, history, search, capabilities), transport-independent: HTTP routes and Bundle entries call them.
 */
export class FhirInteractions {
  constructor(private readonly deps: InteractionDeps) {}

  /** Runs one call; writes go in `tx` when given (Bundle transaction), else in their own transaction. */
  async handle(call: FhirCall, ctx: RequestContext, baseUrl: string, tx?: TxStore): Promise<FhirReply> {
    const [type, id, op, vid, ...rest] = call.segments;
    if (rest.length) throw this.unknownRoute(call);
    const { store } = this.deps;
    const write = <T>(fn: (t: TxStore) => Promise<T>) => (tx ? fn(tx) : store.transaction(fn));

    if (type === 'metadata' && call.segments.length === 1 && call.method === 'GET') {
      return { status: 200, headers: {}, body: this.deps.capabilityStatement() };
    }
    if (type === '_history' && call.segments.length === 1 && call.method === 'GET') {
      return this.history(undefined, undefined, call, ctx, baseUrl);
    }
    if (type === undefined) throw this.unknownRoute(call);
    assertResourceType(type);

    if (id === undefined) {
      switch (call.method) {
        case 'GET':
        case 'HEAD':
          return this.search(type, call.params, call, ctx, baseUrl);
        case 'POST': {
          const resource = requireResourceBody(call, type);
          if (call.headers.ifNoneExist) {
            const criterion = identifierCriterion([...new URLSearchParams(call.headers.ifNoneExist).entries()] as [string, string][]);
            const existing = await (tx ? tx.findByIdentifier(type, criterion) : store.findByIdentifier(type, criterion));
            if (existing.length > 1) throw this.multipleMatches(type);
            if (existing.length === 1) {
              // The match is answered as a read: redacted, or (hidden from this caller) not told, and created as asked.
              const seen = this.deps.readGuard ? await this.deps.readGuard.viewOne(ctx, existing[0].resource, 'read', tx?.tx) : existing[0].resource;
              if (seen) return { status: 200, headers: versionHeaders(existing[0], baseUrl), body: seen };
            }
          }
          const w = await write(async (t) => {
            for (const amend of this.deps.createAmenders ?? []) await amend(t.tx, resource);
            return t.create(resource, ctx, call.assignedId);
          });
          return writeReply(w, 201, call, baseUrl);
        }
        case 'PUT': {
          // Conditional update on an identifier: create when none matches, update the one that does.
          const resource = requireResourceBody(call, type);
          const criterion = identifierCriterion(call.params);
          return write(async (t) => {
            const found = await t.findByIdentifier(type, criterion);
            if (found.length > 1) throw this.multipleMatches(type);
            if (found.length === 1) {
              if (resource.id && resource.id !== found[0].id) {
                throw errors.invalid(
                  `L'id de la ressource (${resource.id}) diffère de celui de la ressource trouvée (${found[0].id})`,
                  `Resource id ${resource.id} differs from the matched resource ${found[0].id}`, `${type}.id`,
                );
              }
              const w = await t.update({ ...resource, id: found[0].id }, ctx, { ifMatch: parseIfMatch(call.headers.ifMatch) });
              return writeReply(w, 200, call, baseUrl);
            }
            const w = resource.id ? await t.update(resource, ctx) : await t.create(resource, ctx);
            return writeReply(w, 201, call, baseUrl);
          });
        }
        default:
          throw this.unknownRoute(call);
      }
    }

    if (id === '_history' && op === undefined && call.method === 'GET') return this.history(type, undefined, call, ctx, baseUrl);
    if (id === '$validate' && op === undefined && call.method === 'POST') {
      const body = call.body as Resource | undefined;
      // The resource comes alone, or in a Parameters as its `resource` part (FHIR $validate).
      const resource = body?.resourceType === 'Parameters'
        ? ((body.parameter as { name: string; resource?: Resource }[] | undefined)?.find((p) => p.name === 'resource')?.resource)
        : body;
      return this.validate(requireResourceBody({ ...call, body: resource }, type));
    }
    if (id === '_search' && op === undefined && call.method === 'POST') return this.search(type, call.params, call, ctx, baseUrl);
    assertValidId(id);

    if (op === undefined) {
      switch (call.method) {
        case 'GET':
        case 'HEAD':
          return readReply(await this.visible(ctx, await (tx ? tx.read(type, id) : store.read(type, id)), 'read', tx), baseUrl);
        case 'PUT': {
          const resource = requireResourceBody(call, type);
          if (resource.id !== undefined && resource.id !== id) {
            throw errors.invalid(
              `L'id de la ressource (${String(resource.id).slice(0, 64)}) diffère de celui de l'URL (${id})`,
              `Resource id ${String(resource.id).slice(0, 64)} does not match the URL id ${id}`, `${type}.id`,
            );
          }
          const w = await write((t) => t.update({ ...resource, id }, ctx, { ifMatch: parseIfMatch(call.headers.ifMatch) }));
          return writeReply(w, w.versionId === 1 && w.outcome === 'created' ? 201 : 200, call, baseUrl);
        }
        case 'PATCH': {
          const change = await this.patchFunction(call);
          const w = await write((t) => t.patch(type, id, change, ctx, { ifMatch: parseIfMatch(call.headers.ifMatch) }));
          return writeReply(w, 200, call, baseUrl);
        }
        case 'DELETE': {
          const w = await write((t) => t.delete(type, id, ctx, { ifMatch: parseIfMatch(call.headers.ifMatch) }));
          if (!w) throw errors.notFound(type, id);
          return { status: 204, headers: { etag: etagOf(w.versionId) } };
        }
        default:
          throw this.unknownRoute(call);
      }
    }

    if (op === '$validate' && vid === undefined && call.method === 'GET') {
      return this.validate((await this.visible(ctx, await store.read(type, id), 'validate')).resource);
    }
    if (op === '_history' && (call.method === 'GET' || call.method === 'HEAD')) {
      if (vid === undefined) return this.history(type, id, call, ctx, baseUrl);
      if (!/^\d{1,9}$/.test(vid)) throw errors.invalid(`Numéro de version invalide : ${vid.slice(0, 20)}`, `Invalid version id: ${vid.slice(0, 20)}`);
      return readReply(await this.visible(ctx, await store.vread(type, id, Number(vid)), 'vread'), baseUrl);
    }
    throw this.unknownRoute(call);
  }

  private async patchFunction(call: FhirCall): Promise<(current: Resource) => Resource> {
    // Loaded on first PATCH: the FHIRPath engine is not needed by reads.
    const { applyFhirPathPatch, applyJsonPatch } = await import('../../fhir/patch/index.ts');
    const ct = (call.headers.contentType ?? '').split(';')[0].trim().toLowerCase();
    const body = call.body;
    if (ct === 'application/json-patch+json') {
      if (!Array.isArray(body)) throw errors.invalid('Un JSON Patch est un tableau d\'opérations', 'A JSON Patch must be an array of operations');
      return (current) => applyJsonPatch(current, body);
    }
    if (!body || typeof body !== 'object' || (body as Resource).resourceType !== 'Parameters') {
      throw errors.invalid(
        'Un PATCH FHIRPath attend une ressource Parameters (application/fhir+json), ou un JSON Patch (application/json-patch+json)',
        'A FHIRPath Patch expects a Parameters resource (application/fhir+json), or use application/json-patch+json',
      );
    }
    return (current) => applyFhirPathPatch(current, body as Resource & { resourceType: 'Parameters' });
  }

  /** `$validate`: the profile issues of a resource, without storing it. */
  private async validate(resource: Resource): Promise<FhirReply> {
    if (!this.deps.validator) throw errors.unsupported('La validation n\'est pas disponible', 'Validation is not available');
    const issues = await this.deps.validator.validate(resource);
    const ok: Issue = { severity: 'information', code: 'informational', fr: 'Aucune erreur : la ressource est conforme au profil ROR', en: 'No error: the resource conforms to its ROR profile' };
    const hasError = issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
    return { status: 200, headers: {}, body: operationOutcome(hasError ? issues : [ok, ...issues]) };
  }

  private async search(type: string, params: [string, string][], call: FhirCall, ctx: RequestContext, baseUrl: string): Promise<FhirReply> {
    if (!this.deps.search) throw errors.unsupported('La recherche n\'est pas disponible', 'Search is not available');
    assertResourceType(type);
    const bundle = await this.deps.search.search({
      resourceType: type, params, baseUrl, ctx, lenient: parsePrefer(call.headers.prefer).lenient,
    });
    // Rows were already filtered in SQL (access predicate); here the elements are redacted.
    if (this.deps.readGuard && bundle.entry?.length) {
      const withResource = bundle.entry.filter((e) => e.resource && e.resource.resourceType !== 'OperationOutcome');
      const seen = await this.deps.readGuard.view(ctx, withResource.map((e) => e.resource!), 'search');
      const byEntry = new Map(withResource.map((e, i) => [e, seen[i]]));
      bundle.entry = bundle.entry.flatMap((e) => {
        if (!byEntry.has(e)) return [e];
        const r = byEntry.get(e);
        return r ? [{ ...e, resource: r }] : [];
      });
    }
    return { status: 200, headers: {}, body: bundle };
  }

  /** History (instance, type or system), newest first, keyset-paged with `_cursor`. */
  /** The stored version as the caller may see it; hidden = not found (its existence is not told). */
  private async visible(ctx: RequestContext, r: StoredResource, interaction: string, tx?: TxStore): Promise<StoredResource> {
    if (!this.deps.readGuard) return r;
    // Inside a Bundle transaction the guard's look-ups must use its connection (PGlite has only one).
    const seen = await this.deps.readGuard.viewOne(ctx, r.resource, interaction, tx?.tx);
    if (!seen) throw errors.notFound(r.resourceType, r.id);
    return seen === r.resource ? r : { ...r, resource: seen };
  }

  private async history(type: string | undefined, id: string | undefined, call: FhirCall, ctx: RequestContext, baseUrl: string): Promise<FhirReply> {
    const p = call.params;
    const sort = p.find(([k]) => k === '_sort')?.[1];
    if (sort === '_lastUpdated') return this.feed(type, id, call, ctx, baseUrl);
    if (sort !== undefined && sort !== '-_lastUpdated') {
      throw errors.invalid(
        '_sort de l\'historique : _lastUpdated (flux de changements, du plus ancien au plus récent) ou -_lastUpdated (défaut)',
        'History _sort: _lastUpdated (change feed, oldest first) or -_lastUpdated (default)', '_sort',
      );
    }
    const count = countParam(p, HISTORY_DEFAULT_COUNT, HISTORY_MAX_COUNT);
    const since = instantParam(p, '_since');
    const at = instantParam(p, '_at');
    const cursorRaw = p.find(([k]) => k === '_cursor')?.[1];
    const beforeSeq = cursorRaw === undefined ? undefined : Number(cursorRaw);
    if (beforeSeq !== undefined && !Number.isSafeInteger(beforeSeq)) throw errors.invalid('_cursor invalide', 'Invalid _cursor', '_cursor');
    if (type && id) {
      const latest = await this.deps.store.history(type, id, { count: 1 });
      if (latest.length === 0) throw errors.notFound(type, id);
      // A resource the caller may not see has no visible history either (judged on its latest version).
      if (this.deps.readGuard && !latest[0].deleted && !(await this.deps.readGuard.viewOne(ctx, latest[0].resource, 'history'))) {
        throw errors.notFound(type, id);
      }
    }
    const entries = await this.deps.store.history(type, id, { since, at, count: count + 1, beforeSeq });
    const page = await this.visibleHistory(ctx, entries.slice(0, count));
    const path = [type, id, '_history'].filter(Boolean).join('/');
    const keep = p.filter(([k]) => k !== '_cursor');
    const link = (extra: [string, string][]) => `${baseUrl}/${path}${keep.length + extra.length ? '?' + new URLSearchParams([...keep, ...extra]).toString() : ''}`;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'history',
      link: [{ relation: 'self', url: link(cursorRaw ? [['_cursor', cursorRaw]] : []) }],
      entry: page.map((h) => historyEntry(h, baseUrl)),
    };
    const last = entries.slice(0, count).at(-1);
    if (entries.length > count && last) bundle.link!.push({ relation: 'next', url: link([['_cursor', String(last.seq)]]) });
    return { status: 200, headers: {}, body: bundle };
  }

  /**
   * The change feed (`_history?_sort=_lastUpdated`): versions oldest first in commit-consistent
   * order, keyset-paged with `_cursor=<txid>.<seq>`. `next` when more entries are available now;
   * `resume` always: the URL to poll later to get what comes after this page (see docs/sync.md).
   */
  private async feed(type: string | undefined, id: string | undefined, call: FhirCall, ctx: RequestContext, baseUrl: string): Promise<FhirReply> {
    const p = call.params;
    const count = countParam(p, HISTORY_DEFAULT_COUNT, HISTORY_MAX_COUNT);
    const since = instantParam(p, '_since');
    const at = instantParam(p, '_at');
    const cursorRaw = p.find(([k]) => k === '_cursor')?.[1];
    const after = cursorRaw === undefined ? undefined : parseFeedCursor(cursorRaw);
    const entries = await this.deps.store.feed(type, id, { after, since, at, count: count + 1 });
    const page = entries.slice(0, Math.max(count, 0));
    const path = [type, id, '_history'].filter(Boolean).join('/');
    const keep = p.filter(([k]) => k !== '_cursor');
    const link = (cursor: string | undefined) => `${baseUrl}/${path}?${new URLSearchParams([...keep, ...(cursor ? [['_cursor', cursor] as [string, string]] : [])]).toString()}`;
    const last = page.at(-1);
    const resumeAt = last ? feedCursor(last) : cursorRaw;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'history',
      link: [{ relation: 'self', url: link(cursorRaw) }],
      entry: await this.visibleFeed(ctx, page, baseUrl),
    };
    if (entries.length > page.length && last) bundle.link!.push({ relation: 'next', url: link(resumeAt) });
    bundle.link!.push({ relation: 'resume', url: link(resumeAt) });
    return { status: 200, headers: {}, body: bundle };
  }

  /**
   * Feed entries as the caller may see them. A version the caller may not see is dropped, unless
   * the previous version was visible: then it is a removal (DELETE entry without resource, with an
   * outcome saying why), so that the consumer's copy does not keep what it may no longer read.
   */
  private async visibleFeed(ctx: RequestContext, entries: FeedEntry[], baseUrl: string): Promise<BundleEntry[]> {
    const guard = this.deps.readGuard;
    if (!guard) return entries.map((h) => historyEntry(h, baseUrl));
    const seen = await guard.view(ctx, entries.map((h) => h.resource), 'history');
    const out: BundleEntry[] = [];
    for (let i = 0; i < entries.length; i++) {
      const h = entries[i];
      if (seen[i]) {
        out.push(historyEntry({ ...h, resource: seen[i]! }, baseUrl));
        continue;
      }
      if (h.deleted || h.versionId === 1) continue;
      const previous = await this.deps.store.history(h.resourceType, h.id, { beforeSeq: h.seq, count: 1 });
      if (previous[0] && (await guard.viewOne(ctx, previous[0].resource, 'history'))) out.push(removalEntry(h, baseUrl));
    }
    return out;
  }

  /** History entries as the caller may see them: hidden resources dropped (deletions too), the others redacted. */
  private async visibleHistory(ctx: RequestContext, entries: HistoryEntry[]): Promise<HistoryEntry[]> {
    const guard = this.deps.readGuard;
    if (!guard) return entries;
    const seen = await guard.view(ctx, entries.map((h) => h.resource), 'history');
    return entries.flatMap((h, i) => (seen[i] ? [{ ...h, resource: seen[i]! }] : []));
  }

  private unknownRoute(call: FhirCall): FhirError {
    return fhirError(
      404, 'not-supported',
      `Interaction non prise en charge : ${call.method} ${call.segments.join('/').slice(0, 100)}`,
      `Unsupported interaction: ${call.method} ${call.segments.join('/').slice(0, 100)}`,
    );
  }

  private multipleMatches(type: string): FhirError {
    return fhirError(412, 'multiple-matches', `Plusieurs ressources ${type} correspondent au critère`, `Several ${type} resources match the criterion`);
  }
}

/** Feed cursor `<txid>.<seq>`: the position after an entry. */
function feedCursor(h: FeedEntry): string {
  return `${h.txid}.${h.seq}`;
}

function parseFeedCursor(raw: string): FeedPosition {
  const m = /^(\d{1,18})\.(\d{1,18})$/.exec(raw);
  if (!m || !Number.isSafeInteger(Number(m[1])) || !Number.isSafeInteger(Number(m[2]))) {
    throw errors.invalid('_cursor du flux de changements invalide (attendu <txid>.<seq>, repris d\'un lien)', 'Invalid change-feed _cursor (expected <txid>.<seq>, taken from a link)', '_cursor');
  }
  return { txid: Number(m[1]), seq: Number(m[2]) };
}

/** A version the caller may no longer see: a removal for its copy (not a deletion at the source). */
function removalEntry(h: HistoryEntry, baseUrl: string): BundleEntry {
  const url = `${h.resourceType}/${h.id}`;
  return {
    fullUrl: `${baseUrl}/${url}`,
    request: { method: 'DELETE', url },
    response: {
      status: '204',
      etag: etagOf(h.versionId),
      lastModified: h.lastUpdated,
      outcome: operationOutcome([{
        severity: 'information', code: 'forbidden',
        fr: 'Ressource retirée de votre périmètre de lecture (profil d\'accès) : supprimez-la de votre copie',
        en: 'Resource no longer visible to you (access profile): remove it from your copy',
      }]),
    },
  };
}

function historyEntry(h: HistoryEntry, baseUrl: string): BundleEntry {
  const url = `${h.resourceType}/${h.id}`;
  const entry: BundleEntry = {
    fullUrl: `${baseUrl}/${url}`,
    request: { method: h.deleted ? 'DELETE' : h.versionId === 1 ? 'POST' : 'PUT', url: h.versionId === 1 && !h.deleted ? h.resourceType : url },
    response: {
      status: h.deleted ? '204' : h.versionId === 1 ? '201' : '200',
      etag: etagOf(h.versionId),
      lastModified: h.lastUpdated,
    },
  };
  if (!h.deleted) entry.resource = h.resource;
  return entry;
}
