/**
 * The reference consumer: keeps a database equal to what a source ROR server lets it read.
 * First a Bulk Data `$export` (files loaded with their ids and versions), then the change feed
 * from the position the export manifest gives, for ever (or until caught up with `once`). Where
 * it stands is kept in the target (`sync_state`) and moved in the same transaction as the
 * versions it applied, so a consumer killed at any moment resumes without loss. Versions are
 * written verbatim and only when newer than the copy's, so replaying is harmless.
 */
import { Readable } from 'node:stream';
import split2 from 'split2';
import type { Database, Queryable } from '../../db/database.ts';
import { isResourceType } from '../../fhir/resource-types.ts';
import type { Bundle, BundleEntry, Resource } from '../../fhir/types.ts';
import type { RequestContext } from '../../store/context.ts';
import type { ResourceStore, VerbatimVersion } from '../../store/resource-store.ts';
import type { SourceClient } from './source-client.ts';

const SYNC_CONTEXT: RequestContext = { actor: { id: 'ror-sync', kind: 'system' }, source: 'sync' };
const CHANGE_FEED_EXTENSION = 'urn:ror:change-feed';
/** Servers without our change feed: `_history?_since=` re-read with this overlap (versions already held are skipped). */
const SINCE_OVERLAP_MS = 60_000;

export interface MirrorOptions {
  source: SourceClient;
  db: Database;
  store: ResourceStore;
  /** `_type` of the initial export (default: everything the server exports). */
  types?: string[];
  /** Stop once caught up instead of polling for ever. */
  once?: boolean;
  pollIntervalMs?: number;
  /** Feed page size (`_count`). */
  pageSize?: number;
  log?: (msg: string) => void;
  signal?: AbortSignal;
}

interface State { phase: 'export' | 'feed'; export_url: string | null; cursor: string | null }

interface Manifest {
  transactionTime: string;
  output: { type: string; url: string }[];
  deleted?: { type: string; url: string }[];
  extension?: Record<string, string>;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

function versionOfEtag(etag: string | undefined): number | undefined {
  const m = /(\d+)/.exec(etag ?? '');
  return m ? Number(m[1]) : undefined;
}

/** A resource of an export file or a feed entry, as a version to write. */
function versionOf(resource: Resource): VerbatimVersion | undefined {
  if (!isResourceType(resource.resourceType) || !resource.id) return undefined;
  return {
    resourceType: resource.resourceType, id: resource.id,
    versionId: Number(resource.meta?.versionId ?? 1), lastUpdated: resource.meta?.lastUpdated ?? new Date().toISOString(),
    deleted: false, resource,
  };
}

function versionOfEntry(e: BundleEntry): VerbatimVersion | undefined {
  if (e.request?.method === 'DELETE') {
    const [type, id] = (e.request.url ?? '').split('?')[0].split('/').slice(-2);
    const versionId = versionOfEtag(e.response?.etag);
    if (!isResourceType(type) || !id || versionId === undefined) return undefined;
    return { resourceType: type, id, versionId, lastUpdated: e.response?.lastModified ?? new Date().toISOString(), deleted: true };
  }
  return e.resource ? versionOf(e.resource) : undefined;
}

export class Mirror {
  constructor(private readonly o: MirrorOptions) {}

  private get key(): string {
    return this.o.source.base;
  }

  private async state(): Promise<State | undefined> {
    return (await this.o.db.query<State>('SELECT phase, export_url, cursor FROM sync_state WHERE source = $1', [this.key])).rows[0];
  }

  private async saveState(q: Queryable, s: State): Promise<void> {
    await q.query(
      `INSERT INTO sync_state (source, phase, export_url, cursor, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (source) DO UPDATE SET phase = EXCLUDED.phase, export_url = EXCLUDED.export_url, cursor = EXCLUDED.cursor, updated_at = now()`,
      [this.key, s.phase, s.export_url, s.cursor],
    );
  }

  private log(msg: string): void {
    this.o.log?.(msg);
  }

  /** Runs until caught up (`once`) or aborted. */
  async run(): Promise<void> {
    let s = await this.state();
    if (!s || s.phase === 'export') s = await this.initialExport(s);
    await this.follow(s.cursor!);
  }

  private async kickOff(): Promise<string> {
    const q = new URLSearchParams({ _outputFormat: 'application/fhir+ndjson' });
    if (this.o.types?.length) q.set('_type', this.o.types.join(','));
    const res = await this.o.source.request(`${this.key}/$export?${q}`, { headers: { prefer: 'respond-async' } });
    const location = res.headers.get('content-location');
    if (res.status !== 202 || !location) throw new Error(`$export kick-off refused: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    await res.body?.cancel();
    return location;
  }

  private async initialExport(s: State | undefined): Promise<State> {
    let statusUrl = s?.export_url ?? null;
    for (;;) {
      if (!statusUrl) {
        statusUrl = await this.kickOff();
        await this.saveState(this.o.db, { phase: 'export', export_url: statusUrl, cursor: null });
        this.log(`export started: ${statusUrl}`);
      }
      const manifest = await this.waitManifest(statusUrl);
      if (!manifest) {
        statusUrl = null; // gone (expired, cancelled): start again
        continue;
      }
      let n = 0;
      for (const file of manifest.output) n += await this.loadFile(file.url);
      const cursor = manifest.extension?.[CHANGE_FEED_EXTENSION]
        ?? `${this.key}/_history?_since=${encodeURIComponent(new Date(Date.parse(manifest.transactionTime) - SINCE_OVERLAP_MS).toISOString())}`;
      const next: State = { phase: 'feed', export_url: null, cursor };
      await this.saveState(this.o.db, next);
      this.log(`export loaded: ${n} resources; following ${cursor}`);
      await this.o.source.request(statusUrl, { method: 'DELETE' }).then((r) => r.body?.cancel()).catch(() => undefined);
      return next;
    }
  }

  private async waitManifest(statusUrl: string): Promise<Manifest | undefined> {
    for (;;) {
      const res = await this.o.source.request(statusUrl);
      if (res.status === 200) return (await res.json()) as Manifest;
      if (res.status === 404 || res.status === 410) return undefined;
      if (res.status !== 202) throw new Error(`export status: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
      await res.body?.cancel();
      const retry = Number(res.headers.get('retry-after'));
      await sleep(Number.isFinite(retry) && retry > 0 ? Math.min(retry, 10) * 1000 : 1000, this.o.signal);
      if (this.o.signal?.aborted) throw new Error('aborted');
    }
  }

  /** Streams one ndjson file into the target, 500 resources per transaction. */
  private async loadFile(url: string): Promise<number> {
    const res = await this.o.source.request(url, { headers: { accept: 'application/fhir+ndjson' } });
    if (res.status !== 200 || !res.body) throw new Error(`download ${url}: HTTP ${res.status}`);
    let batch: VerbatimVersion[] = [];
    let n = 0;
    const flush = async () => {
      const items = batch;
      batch = [];
      await this.o.db.transaction(async (tx) => {
        for (const v of items) await this.o.store.writeVersionWith(tx, v, SYNC_CONTEXT);
      });
    };
    for await (const obj of Readable.fromWeb(res.body as never).pipe(split2(JSON.parse))) {
      const v = versionOf(obj as Resource);
      if (!v) continue;
      batch.push(v);
      n++;
      if (batch.length >= 500) await flush();
    }
    if (batch.length) await flush();
    return n;
  }

  /** Follows the change feed from `cursor`: each page applied with the new position in one transaction. */
  private async follow(cursor: string): Promise<void> {
    const ours = /[?&]_sort=_lastUpdated(&|$)/.test(cursor);
    for (;;) {
      if (this.o.signal?.aborted) return;
      const caughtUp = ours ? await this.feedPage(cursor).then((r) => ((cursor = r.cursor), r.caughtUp)) : await this.sincePass(cursor).then((r) => ((cursor = r), true));
      if (caughtUp) {
        if (this.o.once) return;
        await sleep(this.o.pollIntervalMs ?? 5000, this.o.signal);
      }
    }
  }

  private withCount(url: string): string {
    const u = new URL(url);
    if (this.o.pageSize) u.searchParams.set('_count', String(this.o.pageSize));
    return u.toString();
  }

  private async feedPage(cursor: string): Promise<{ cursor: string; caughtUp: boolean }> {
    const page = await this.o.source.json<Bundle>(this.withCount(cursor));
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    const resume = page.link?.find((l) => l.relation === 'resume')?.url ?? next ?? cursor;
    const target = next ?? resume;
    await this.o.db.transaction(async (tx) => {
      for (const e of page.entry ?? []) {
        const v = versionOfEntry(e);
        if (v) await this.o.store.writeVersionWith(tx, v, SYNC_CONTEXT);
      }
      await this.saveState(tx, { phase: 'feed', export_url: null, cursor: target });
    });
    if (page.entry?.length) this.log(`feed: ${page.entry.length} changes applied`);
    return { cursor: target, caughtUp: !next };
  }

  /** Other servers: `_history?_since=T` (newest first, all pages), applied oldest first; next T with an overlap. */
  private async sincePass(cursor: string): Promise<string> {
    const entries: BundleEntry[] = [];
    let url: string | undefined = cursor;
    const started = Date.now();
    while (url) {
      const page: Bundle = await this.o.source.json<Bundle>(url);
      entries.push(...(page.entry ?? []));
      url = page.link?.find((l) => l.relation === 'next')?.url;
    }
    const versions = entries.map(versionOfEntry).filter((v): v is VerbatimVersion => v !== undefined)
      .sort((a, b) => a.lastUpdated.localeCompare(b.lastUpdated) || a.versionId - b.versionId);
    const since = new URL(cursor);
    since.searchParams.set('_since', new Date(started - SINCE_OVERLAP_MS).toISOString());
    await this.o.db.transaction(async (tx) => {
      for (const v of versions) await this.o.store.writeVersionWith(tx, v, SYNC_CONTEXT);
      await this.saveState(tx, { phase: 'feed', export_url: null, cursor: since.toString() });
    });
    return since.toString();
  }
}
