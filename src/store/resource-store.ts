import { randomUUID } from 'node:crypto';
import jsonPatch from 'fast-json-patch';
import type { Database, Queryable } from '../db/database.ts';
import { errors, FhirError, fhirError, type Issue } from '../fhir/outcome.ts';
import { isResourceType, REGION_TAG_SYSTEM, tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Identifier, Resource } from '../fhir/types.ts';
import type { AuditEntry } from './audit.ts';
import type { ValidationSampler } from './validation-sampler.ts';
import { canonicalJson } from './canonical-json.ts';
import type { RequestContext } from './context.ts';
import { AccessDeniedError, type ResourceIndexer, type ResourceValidator, type RowColumns, type WriteAuthorizer } from './hooks.ts';

/** A stored version of a resource, as read from the current table or the history. */
export interface StoredResource {
  resourceType: ResourceType;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  region: string | null;
  resource: Resource;
}

/** Outcome of a write: the version now current, and what happened. */
export interface WriteResult extends StoredResource {
  /** `created` new resource, `updated` new version, `unchanged` same content (no new version), `deleted`. */
  outcome: 'created' | 'updated' | 'unchanged' | 'deleted';
  /** Warnings (and, in lenient mode, the profile violations kept with the resource). */
  issues: Issue[];
}

export interface WriteOptions {
  /** Optimistic locking: the version the client last read (If-Match). */
  ifMatch?: number;
}

export interface BulkWriteOptions {
  /** Audit action of the versions that change an existing resource (default `update`). */
  action?: string;
  /** Resources per write statement (bounds the size of one statement; default 1000). */
  chunkSize?: number;
  /**
   * Trusted writes only (register imports, the generator — never a client's request): profile
   * validation of the creations sampled by this sampler instead of every one (see
   * validation-sampler.ts). Absent: every resource is validated.
   */
  sampler?: ValidationSampler;
}

/** A bulk write refused because of one of its resources (named in the issues; `index` in the input). */
export class BulkWriteError extends FhirError {
  constructor(status: number, issues: Issue[], readonly index: number, readonly resourceType: string, readonly id: string) {
    super(status, issues);
  }
}

export interface HistoryOptions {
  /** Only versions strictly after this instant (`_since`). */
  since?: string;
  /** Versions current at this instant (`_at`): only those written at or before it. */
  at?: string;
  count?: number;
  /** Keyset cursor: only versions with seq below this (next page of a newest-first listing). */
  beforeSeq?: number;
}

export interface HistoryEntry extends StoredResource {
  seq: number;
}

/**
 * A position in the change feed: versions are ordered by (txid, seq), txid being the writing
 * transaction (migration 070). "After (txid, seq)" = every version that sorts after it.
 */
export interface FeedPosition {
  txid: number;
  seq: number;
}

export interface FeedOptions {
  /** Only versions after this position (exclusive). */
  after?: FeedPosition;
  /** Only versions written strictly after this instant (`_since`). */
  since?: string;
  /** Only versions written at or before this instant (`_at`). */
  at?: string;
  count?: number;
}

export interface FeedEntry extends HistoryEntry {
  txid: number;
}

/** A version to write as it is (replication: `ror sync` writing what a source server holds). */
export interface VerbatimVersion {
  resourceType: ResourceType;
  id: string;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
  /** The content of the version; for a deletion, may be absent (the last content is then kept). */
  resource?: Resource;
}

/**
 * The oldest transaction of this database still running (else the snapshot's xmax): every version
 * written by a transaction below it is committed (or never will be). Transactions ids are
 * cluster-wide, so the running transactions of other databases of the server (recognised in
 * pg_stat_activity) are left out: they never write here and must not hold the feed back. One not
 * recognised (its session already gone, or hidden from us) is kept: it can only delay the feed.
 */
const WATERMARK_SQL = `(SELECT COALESCE(
    (SELECT min(x::text::bigint) FROM pg_snapshot_xip(snap.s) AS x WHERE (x::text::bigint % 4294967296) NOT IN (
      SELECT backend_xid::text::bigint FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())),
    pg_snapshot_xmax(snap.s)::text::bigint)
  FROM (SELECT pg_current_snapshot() AS s) snap)`;

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
const JDV_REGION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/JDV_J237-RegionOM-ROR/FHIR/JDV-J237-RegionOM-ROR';
const CREATION_DATE_URL = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/ror-meta-creation-date';
/** Types whose ROR profile requires the creation-date extension (dateCreation). */
const CREATION_DATE_TYPES = new Set<string>(['Organization', 'HealthcareService', 'Location', 'Practitioner', 'PractitionerRole']);

export function assertValidId(id: string, expression = 'id'): void {
  if (!ID_PATTERN.test(id)) {
    throw errors.invalid(
      `Identifiant de ressource invalide « ${id.slice(0, 80)} » : 1 à 64 caractères parmi A-Z a-z 0-9 - .`,
      `Invalid resource id "${id.slice(0, 80)}": 1 to 64 characters of A-Z a-z 0-9 - .`,
      expression,
    );
  }
}

export function assertResourceType(type: string): asserts type is ResourceType {
  if (!isResourceType(type)) {
    throw fhirError(
      404,
      'not-supported',
      `Type de ressource non géré : ${type.slice(0, 80)}`,
      `Resource type not supported: ${type.slice(0, 80)}`,
    );
  }
}

/** The source-region code carried in meta.tag (TRE_R30 / JDV_J237), if any. */
export function regionOf(resource: Resource): string | null {
  const tag = resource.meta?.tag?.find((t) => t.system === REGION_TAG_SYSTEM || t.system === JDV_REGION_SYSTEM);
  return tag?.code ?? null;
}

interface Row {
  id: string;
  version_id: number;
  last_updated: Date | string;
  deleted: boolean;
  region: string | null;
  content: Resource;
}

function toStored(type: ResourceType, row: Row): StoredResource {
  return {
    resourceType: type,
    id: row.id,
    versionId: row.version_id,
    lastUpdated: new Date(row.last_updated).toISOString(),
    deleted: row.deleted,
    region: row.region,
    resource: row.content,
  };
}

/** Content compared for "no change": everything but the server-maintained version metadata. */
function comparable(resource: Resource): string {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...metaRest } = meta ?? {};
  return canonicalJson({ ...rest, meta: metaRest });
}

/**
 * The audit diff (RFC 6902) from the previous version, or from nothing for a creation. A creation's
 * diff is built directly, as fast-json-patch would (one `add` per defined top-level member, in key
 * order) but without deep-cloning the values: they are serialised at once, never mutated.
 */
function diffOf(before: Resource | null, after: Resource): unknown[] {
  if (before) return jsonPatch.compare(before, after);
  return Object.keys(after)
    .filter((k) => (after as Record<string, unknown>)[k] !== undefined)
    .map((k) => ({ op: 'add', path: '/' + jsonPatch.escapePathComponent(k), value: (after as Record<string, unknown>)[k] }));
}

/**
 * WHERE conditions over `resource_history` for one resource, one type or all: `add(sql, …values)`
 * binds each `?` of `sql` to the next value as a numbered parameter.
 */
function historyConditions(type: string | undefined, id: string | undefined) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    let i = 0;
    where.push(sql.replace(/\?/g, () => {
      params.push(values[i++]);
      return `$${params.length}`;
    }));
  };
  if (type !== undefined) {
    assertResourceType(type);
    add('resource_type = ?', type);
  }
  if (id !== undefined) {
    assertValidId(id);
    add('id = ?', id);
  }
  return { where, params, add };
}

/**
 * The statement of a bulk write over the given types: the current rows (insert, or update of the
 * version it follows), then the history and audit rows of the rows actually written, in input order
 * (`o`), and the lenient-mode issues. Input: one JSON array of versions ($1) sharing one lastUpdated
 * ($2). A row not written (created concurrently since it was read: its version does not follow) is
 * left out of the answer, history and audit; the caller writes it again as a single write.
 */
const bulkStatements = new Map<string, string>();
function bulkStatement(types: ResourceType[], specs: (RowColumns | undefined)[]): string {
  const key = types.map((t, n) => `${t}${specs[n] ? `(${specs[n]!.fields.join(',')})` : ''}`).join(',');
  let sql = bulkStatements.get(key);
  if (sql) return sql;
  const rows = types.map((type, n) => {
    // The indexer's columns of the row, from the record `y` of its values (`col`).
    const columns = specs[n]?.columns('y') ?? [];
    const names = columns.map((c) => `, ${c.column}`).join('');
    return `w${n} AS (INSERT INTO ${tableOf(type)} AS cur (id, version_id, last_updated, deleted, region, content${names})
       SELECT i, v, $2::timestamptz, false, r, c${columns.map((c) => `, ${c.value}`).join('')}
       FROM x${specs[n] ? ` CROSS JOIN LATERAL jsonb_to_record(x.col) AS y(${specs[n]!.fields.join(', ')})` : ''} WHERE t = '${type}'
       ON CONFLICT (id) DO UPDATE SET version_id = EXCLUDED.version_id, last_updated = EXCLUDED.last_updated,
         deleted = false, region = EXCLUDED.region, content = EXCLUDED.content${columns.map((c) => `, ${c.column} = EXCLUDED.${c.column}`).join('')}
       WHERE cur.version_id = EXCLUDED.version_id - 1
       RETURNING '${type}'::text AS t, id)`;
  });
  sql = `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(o int, t text, i text, v int, r text, c jsonb, a text, df jsonb, dt jsonb, iss jsonb, cur boolean, col jsonb)),
  ${rows.join(',\n  ')},
  w AS (${types.map((_, n) => `SELECT t, id FROM w${n}`).join(' UNION ALL ')}),
  xw AS (SELECT x.* FROM x JOIN w ON w.t = x.t AND w.id = x.i),
  h AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, region, content)
        SELECT t, i, v, $2::timestamptz, false, r, c FROM xw ORDER BY o),
  a AS (INSERT INTO audit_event (actor, actor_kind, action, outcome, resource_type, resource_id, version_id, source, remote_addr, diff, detail)
        SELECT $3, $4, a, 'success', t, i, v, $5, $6, df, dt FROM xw ORDER BY o),
  di AS (DELETE FROM resource_issue ri USING xw WHERE ri.resource_type = xw.t AND ri.id = xw.i AND xw.iss IS NULL AND xw.cur),
  ii AS (INSERT INTO resource_issue (resource_type, id, version_id, issues) SELECT t, i, v, iss FROM xw WHERE iss IS NOT NULL
         ON CONFLICT (resource_type, id) DO UPDATE SET version_id = EXCLUDED.version_id, issues = EXCLUDED.issues)
SELECT t, id FROM w`;
  bulkStatements.set(key, sql);
  return sql;
}

/**
 * Audit detail of a creation written by a trusted bulk write: no diff, the content being the history
 * version the row names (resource_history: resource_type, id, version_id).
 */
export const TRUSTED_CREATION_DETAIL = { content: 'resource_history', trusted: true } as const;

/** A version a bulk write is about to write. */
interface PlannedVersion {
  /** Position in the input. */
  k: number;
  type: ResourceType;
  id: string;
  input: Resource;
  versionId: number;
  region: string | null;
  resource: Resource;
  auditAction: string;
  diff: unknown;
  /** Audit detail (a trusted creation: where its content is). */
  detail?: unknown;
  issues: Issue[];
  hadCurrent: boolean;
  wasLive: boolean;
}

/**
 * Versioned resource storage: every write creates a new version in the current table and the
 * history, with its index rows and audit row, in one transaction. Deletes are soft.
 */
export class ResourceStore {
  constructor(
    readonly db: Database,
    private readonly deps: { validator?: ResourceValidator; indexers?: ResourceIndexer[]; authorizer?: WriteAuthorizer } = {},
  ) {}

  private lz4?: Promise<boolean>;
  /** Whether the server can compress TOAST values with lz4 (PostgreSQL built with it; not PGlite). */
  private lz4Available(): Promise<boolean> {
    this.lz4 ??= this.db.kind !== 'postgres'
      ? Promise.resolve(false)
      : this.db.query<{ ok: boolean }>(`SELECT 'lz4' = ANY(enumvals) AS ok FROM pg_settings WHERE name = 'default_toast_compression'`)
        .then((r) => r.rows[0]?.ok === true, () => false);
    return this.lz4;
  }

  /** Write refusals of each open write transaction, audited once it has rolled back. */
  private readonly denials = new Map<Queryable, AccessDeniedError[]>();

  /**
   * Rebuilds the index rows of every current resource of a type (after a change of search parameters,
   * or for data written before an indexer existed), in keyset-paged batches. Returns the count.
   */
  async reindex(type: ResourceType, onBatch: (done: number) => void = () => undefined, batchSize = 500): Promise<number> {
    let after = '';
    let done = 0;
    for (;;) {
      const page = await this.db.query<{ id: string; deleted: boolean; content: Resource }>(
        `SELECT id, deleted, content FROM ${tableOf(type)} WHERE id > $1 ORDER BY id LIMIT ${batchSize}`, [after],
      );
      if (page.rows.length === 0) return done;
      await this.db.transaction(async (tx) => {
        for (const row of page.rows) {
          for (const ix of this.deps.indexers ?? []) await ix.index(tx, type, row.id, row.deleted ? null : row.content);
        }
      });
      done += page.rows.length;
      after = page.rows[page.rows.length - 1].id;
      onBatch(done);
    }
  }

  /** Runs `fn` with a store bound to one transaction: all its writes commit or none (Bundle transaction). */
  async transaction<T>(fn: (store: TxStore) => Promise<T>): Promise<T> {
    return this.writeTransaction(fn, (tx) => new TxStore(this, tx));
  }

  /**
   * One write transaction; a write refused by the authorizer rolls everything back, then the
   * refusal is recorded in the audit trail (in its own statement, so it survives the rollback).
   */
  private async writeTransaction<T, S>(fn: (s: S) => Promise<T>, bind: (tx: Queryable) => S): Promise<T> {
    // Refusals are collected per transaction: callers may wrap the error (Bundle entries) before it gets here.
    const denials: AccessDeniedError[] = [];
    try {
      return await this.db.transaction((tx) => {
        this.denials.set(tx, denials);
        return fn(bind(tx)).finally(() => this.denials.delete(tx));
      });
    } catch (err) {
      for (const d of denials) {
        const ctx = d.ctx;
        await this.db.query(
          `INSERT INTO audit_event (actor, actor_kind, action, outcome, resource_type, resource_id, source, remote_addr, detail)
           VALUES ($1, $2, $3, 'denied', $4, $5, $6, $7, $8::jsonb)`,
          [ctx?.actor.id ?? 'unknown', ctx?.actor.kind ?? 'anonymous', d.write.action, d.write.type, d.write.id,
            ctx?.source ?? 'api', ctx?.remoteAddr ?? null, JSON.stringify({ status: d.status, reason: d.reason })],
        ).catch(() => undefined);
      }
      throw err;
    }
  }

  read(type: string, id: string): Promise<StoredResource> {
    return this.readWith(this.db, type, id);
  }

  async readWith(q: Queryable, type: string, id: string): Promise<StoredResource> {
    assertResourceType(type);
    assertValidId(id);
    const r = await q.query<Row>(`SELECT id, version_id, last_updated, deleted, region, content FROM ${tableOf(type)} WHERE id = $1`, [id]);
    const row = r.rows[0];
    if (!row) throw errors.notFound(type, id);
    if (row.deleted) throw errors.gone(type, id);
    return toStored(type, row);
  }

  /** Reads one version (vread); a deleted version answers 410. */
  async vread(type: string, id: string, versionId: number): Promise<StoredResource> {
    assertResourceType(type);
    assertValidId(id);
    const r = await this.db.query<Row>(
      `SELECT id, version_id, last_updated, deleted, region, content FROM resource_history
       WHERE resource_type = $1 AND id = $2 AND version_id = $3`,
      [type, id, versionId],
    );
    const row = r.rows[0];
    if (!row) {
      throw fhirError(404, 'not-found', `Version ${versionId} de ${type}/${id} introuvable`, `Version ${versionId} of ${type}/${id} not found`);
    }
    if (row.deleted) throw errors.gone(type, id);
    return toStored(type, row);
  }

  /** Finds the live resources of a type carrying an identifier (system optional). */
  findByIdentifier(type: string, identifier: { system?: string; value: string }): Promise<StoredResource[]> {
    return this.findByIdentifierWith(this.db, type, identifier);
  }

  async findByIdentifierWith(q: Queryable, type: string, identifier: { system?: string; value: string }): Promise<StoredResource[]> {
    assertResourceType(type);
    const probe: Identifier = identifier.system ? { system: identifier.system, value: identifier.value } : { value: identifier.value };
    const r = await q.query<Row>(
      `SELECT id, version_id, last_updated, deleted, region, content FROM ${tableOf(type)}
       WHERE content -> 'identifier' @> $1::jsonb AND NOT deleted ORDER BY id LIMIT 3`,
      [JSON.stringify([probe])],
    );
    return r.rows.map((row) => toStored(type, row));
  }

  /** Versions of one resource, of one type, or of all types, newest first. */
  async history(type: string | undefined, id: string | undefined, opts: HistoryOptions = {}): Promise<HistoryEntry[]> {
    const { where, params, add } = historyConditions(type, id);
    if (opts.since) add('last_updated > ?::timestamptz', opts.since);
    if (opts.at) add('last_updated <= ?::timestamptz', opts.at);
    if (opts.beforeSeq !== undefined) add('seq < ?', opts.beforeSeq);
    const count = Math.min(Math.max(opts.count ?? 50, 1), 1000);
    const r = await this.db.query<Row & { seq: number; resource_type: ResourceType }>(
      `SELECT seq, resource_type, id, version_id, last_updated, deleted, region, content FROM resource_history
       ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT ${count}`,
      params,
    );
    return r.rows.map((row) => ({ ...toStored(row.resource_type, row), seq: Number(row.seq) }));
  }

  /**
   * The change feed: versions in commit-consistent order (txid, seq), oldest first, limited to the
   * transactions older than the oldest one still running, so that no version can later appear
   * before one already served. Keyset-paged with `after`.
   */
  async feed(type: string | undefined, id: string | undefined, opts: FeedOptions = {}): Promise<FeedEntry[]> {
    const { where, params, add } = historyConditions(type, id);
    where.unshift(`txid < ${WATERMARK_SQL}`);
    if (opts.after) add('(txid, seq) > (?::bigint, ?::bigint)', opts.after.txid, opts.after.seq);
    if (opts.since) {
      add('last_updated > ?::timestamptz', opts.since);
      // Start the (txid, seq) scan at the first transaction that wrote after `since`, found with the
      // last_updated index, instead of walking the whole history from its beginning.
      if (!opts.after) {
        add(`txid >= (SELECT min(h.txid) FROM resource_history h WHERE h.last_updated > ?::timestamptz${type !== undefined ? ' AND h.resource_type = ?' : ''})`,
          ...(type !== undefined ? [opts.since, type] : [opts.since]));
      }
    }
    if (opts.at) add('last_updated <= ?::timestamptz', opts.at);
    const count = Math.min(Math.max(opts.count ?? 50, 1), 1001);
    const r = await this.db.query<Row & { seq: number; txid: number; resource_type: ResourceType }>(
      `SELECT seq, txid, resource_type, id, version_id, last_updated, deleted, region, content FROM resource_history
       WHERE ${where.join(' AND ')} ORDER BY txid, seq LIMIT ${count}`,
      params,
    );
    return r.rows.map((row) => ({ ...toStored(row.resource_type, row), seq: Number(row.seq), txid: Number(row.txid) }));
  }

  /** The feed position now: every version already committed sorts before it, every later one after. */
  async feedPosition(q: Queryable = this.db): Promise<FeedPosition> {
    const r = await q.query<{ w: number | string }>(`SELECT ${WATERMARK_SQL} AS w`);
    // "After (w - 1, max)" = every version of transaction w or later.
    return { txid: Number(r.rows[0].w) - 1, seq: Number.MAX_SAFE_INTEGER };
  }

  /**
   * Writes a version as given (id, versionId, lastUpdated, content), without validation nor
   * authorization: replication of a source the caller trusts. A version not newer than the
   * current one is skipped, so replaying a feed is harmless. Answers whether it was written.
   */
  async writeVersionWith(tx: Queryable, v: VerbatimVersion, ctx: RequestContext): Promise<boolean> {
    assertResourceType(v.resourceType);
    assertValidId(v.id);
    const current = await this.lockCurrent(tx, v.resourceType, v.id);
    if (current && current.versionId >= v.versionId) return false;
    const base = v.resource ?? current?.resource ?? { resourceType: v.resourceType, id: v.id };
    const content: Resource = { ...base, id: v.id, meta: { ...base.meta, versionId: String(v.versionId), lastUpdated: v.lastUpdated } };
    const region = regionOf(content);
    await this.persistVersion(
      tx, current ? 'update' : 'insert',
      { type: v.resourceType, id: v.id, versionId: v.versionId, lastUpdated: v.lastUpdated, deleted: v.deleted, region, content }, ctx,
      { action: v.deleted ? 'delete' : current && !current.deleted ? 'update' : 'create', resourceType: v.resourceType, resourceId: v.id, versionId: v.versionId, detail: { replicated: true } },
    );
    if (v.deleted) await tx.query('DELETE FROM resource_issue WHERE resource_type = $1 AND id = $2', [v.resourceType, v.id]);
    for (const ix of this.deps.indexers ?? []) await ix.index(tx, v.resourceType, v.id, v.deleted ? null : content);
    return true;
  }

  create(resource: Resource, ctx: RequestContext): Promise<WriteResult> {
    return this.writeTransaction((tx: Queryable) => this.createWith(tx, resource, ctx), (tx: Queryable) => tx);
  }

  update(resource: Resource, ctx: RequestContext, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.writeTransaction((tx: Queryable) => this.updateWith(tx, resource, ctx, opts), (tx: Queryable) => tx);
  }

  delete(type: string, id: string, ctx: RequestContext, opts: WriteOptions = {}): Promise<WriteResult | null> {
    return this.writeTransaction((tx: Queryable) => this.deleteWith(tx, type, id, ctx, opts), (tx: Queryable) => tx);
  }

  /** bulkPutWith in its own transaction. */
  bulkPut(resources: Resource[], ctx: RequestContext, opts: BulkWriteOptions = {}): Promise<WriteResult[]> {
    return this.writeTransaction((tx: Queryable) => this.bulkPutWith(tx, resources, ctx, opts), (tx: Queryable) => tx);
  }

  /**
   * Create-or-update of many resources by id (each carries its id), with the outcome of single
   * updates made in that order: same authorisation, unchanged content skipped (no new version),
   * same validation, versions, history, audit and index rows, but written with one statement per
   * chunk for the current rows, history, audit and issues, and batched index statements. Every
   * resource is checked before anything is written: one refused resource refuses the whole batch
   * (BulkWriteError naming it). A resource given twice gets two successive versions. The resources
   * are copied at the top level only: the versions returned share their nested elements (neither
   * the store nor its hooks change them; the caller must not either, once given).
   */
  async bulkPutWith(tx: Queryable, resources: Resource[], ctx: RequestContext, opts: BulkWriteOptions = {}): Promise<WriteResult[]> {
    const seen = new Set<string>();
    for (let k = 0; k < resources.length; k++) {
      const r = resources[k];
      const type = r?.resourceType;
      if (!isResourceType(type)) {
        throw new BulkWriteError(400, [{ severity: 'error', code: 'not-supported',
          fr: `Ressource n° ${k + 1} : type non géré ${String(type).slice(0, 80)}`, en: `Resource #${k + 1}: resource type not supported: ${String(type).slice(0, 80)}` }], k, String(type), String(r?.id));
      }
      if (!r.id) throw errors.invalid('La ressource doit porter son id pour une mise à jour', 'The resource must carry its id for an update', `${type}.id`);
      assertValidId(r.id, `${type}.id`);
      const key = `${type}/${r.id}`;
      if (seen.has(key)) {
        // Given twice: the second is a version of the first, as with single writes in that order.
        const head = await this.bulkPutWith(tx, resources.slice(0, k), ctx, opts);
        return [...head, ...(await this.bulkPutWith(tx, resources.slice(k), ctx, opts))];
      }
      seen.add(key);
    }
    if (resources.length === 0) return [];
    if (opts.sampler && (await this.lz4Available())) {
      // Trusted bulk loads: the JSON of each version is compressed twice (current row and history), and
      // pglz was the first PostgreSQL CPU item of a national generation (perf: 8 %); lz4 is several times
      // faster. Only the compression of the values written by this transaction changes (read back alike).
      await tx.query(`SET LOCAL default_toast_compression = 'lz4'`);
    }

    const ids = new Map<ResourceType, string[]>();
    for (const r of resources) {
      const list = ids.get(r.resourceType as ResourceType) ?? [];
      list.push(r.id!);
      ids.set(r.resourceType as ResourceType, list);
    }
    const current = new Map<string, StoredResource>();
    for (const [type, list] of ids) {
      // Locked in id order, so that two bulk writes over the same resources cannot deadlock.
      const r = await tx.query<Row>(
        `SELECT id, version_id, last_updated, deleted, region, content FROM ${tableOf(type)} WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
        [list],
      );
      for (const row of r.rows) current.set(`${type}/${row.id}`, toStored(type, row));
    }

    const action = opts.action ?? 'update';
    const lastUpdated = new Date().toISOString();
    const results: WriteResult[] = new Array(resources.length);
    const planned: PlannedVersion[] = [];
    for (let k = 0; k < resources.length; k++) {
      const input = resources[k];
      const type = input.resourceType as ResourceType;
      const id = input.id!;
      const cur = current.get(`${type}/${id}`) ?? null;
      const live = cur && !cur.deleted ? cur : null;
      const named = (err: unknown) => err instanceof FhirError && !(err instanceof AccessDeniedError) ? this.named(err, k, type, id) : err;
      let resource: Resource;
      try {
        resource = this.prepare(type, id, input, cur, true);
      } catch (err) {
        throw named(err);
      }
      await this.authorize(tx, ctx, { action: live ? (action === 'patch' ? 'patch' : 'update') : 'create', type, id, current: live?.resource ?? null, next: resource });
      if (live && comparable(live.resource) === comparable(resource)) {
        results[k] = { ...live, outcome: 'unchanged', issues: [] };
        continue;
      }
      // A trusted write validates every new version of an existing resource, and the sampled creations.
      const validated = this.deps.validator !== undefined && (!opts.sampler || cur !== null || opts.sampler.pick(type, id));
      const issues = validated ? await this.deps.validator!.validate(resource) : [];
      if (validated && opts.sampler) {
        opts.sampler.record(type, id, issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => i.en));
      }
      if (ctx.validation !== 'lenient' && issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) {
        throw this.named(new FhirError(422, issues), k, type, id);
      }
      const kept = ctx.validation === 'lenient' ? issues.map((i) => (i.severity === 'error' || i.severity === 'fatal' ? { ...i, severity: 'warning' as const } : i)) : issues;
      const versionId = cur ? cur.versionId + 1 : 1;
      resource.meta = { ...resource.meta, versionId: String(versionId), lastUpdated };
      planned.push({
        k, type, id, input, versionId, region: regionOf(resource), resource, issues: kept,
        auditAction: live ? action : 'create',
        // A trusted creation's audit row does not repeat the content (its diff would be the whole resource):
        // it points at the history version, which holds it (same resource, same version, same transaction).
        ...(live || !opts.sampler ? { diff: diffOf(live ? live.resource : null, resource) } : { diff: undefined, detail: TRUSTED_CREATION_DETAIL }),
        hadCurrent: cur !== null, wasLive: live !== null,
      });
    }

    const chunkSize = Math.max(1, opts.chunkSize ?? 1000);
    for (let c = 0; c < planned.length; c += chunkSize) {
      const chunk = planned.slice(c, c + chunkSize);
      const types = [...new Set(chunk.map((p) => p.type))].sort();
      // An indexer's columns of the rows are written with them, not by a second write (one indexer at most has them).
      const owners = new Map(types.map((type) => [type, (this.deps.indexers ?? []).find((ix) => ix.indexMany && ix.rowColumnValues && ix.rowColumns?.(type))]));
      const columnsBy = (type: ResourceType) => owners.get(type);
      const r = await tx.query<{ t: string; id: string }>(bulkStatement(types, types.map((t) => columnsBy(t)?.rowColumns!(t))), [
        JSON.stringify(chunk.map((p) => ({
          o: p.k, t: p.type, i: p.id, v: p.versionId, r: p.region, c: p.resource, a: p.auditAction, df: p.diff, dt: p.detail,
          iss: p.issues.length ? p.issues : undefined, cur: p.hadCurrent, col: columnsBy(p.type)?.rowColumnValues!(p.type, p.resource),
        }))),
        lastUpdated, ctx.actor.id, ctx.actor.kind, ctx.source, ctx.remoteAddr ?? null,
      ]);
      const written = new Set(r.rows.map((row) => `${row.t}/${row.id}`));
      const indexed: PlannedVersion[] = [];
      for (const p of chunk) {
        if (written.has(`${p.type}/${p.id}`)) {
          indexed.push(p);
          results[p.k] = {
            resourceType: p.type, id: p.id, versionId: p.versionId, lastUpdated, deleted: false, region: p.region,
            resource: p.resource, outcome: p.wasLive ? 'updated' : 'created', issues: p.issues,
          };
        } else {
          // Created by another transaction since we looked: written again as an update of it.
          results[p.k] = await this.write(tx, p.type, p.id, p.input, ctx, await this.lockCurrent(tx, p.type, p.id), action);
        }
      }
      for (const ix of this.deps.indexers ?? []) {
        if (ix.indexMany) {
          await ix.indexMany(tx, indexed.map((p) => ({
            type: p.type, id: p.id, resource: p.resource, created: !p.hadCurrent, rowColumnsWritten: columnsBy(p.type) === ix,
          })));
        } else for (const p of indexed) await ix.index(tx, p.type, p.id, p.resource);
      }
    }
    return results;
  }

  /** The error of one resource of a bulk write, its messages prefixed with the resource. */
  private named(err: FhirError, index: number, type: string, id: string): BulkWriteError {
    const issues = err.issues.map((i) => ({ ...i, fr: `${type}/${id} : ${i.fr}`, en: `${type}/${id}: ${i.en}` }));
    return new BulkWriteError(err.status, issues, index, type, id);
  }

  /** Creates with a server-assigned id (any client id is replaced, as FHIR create requires). */
  async createWith(tx: Queryable, resource: Resource, ctx: RequestContext, id: string = randomUUID()): Promise<WriteResult> {
    const type = resource.resourceType;
    assertResourceType(type);
    return this.write(tx, type, id, resource, ctx, null, 'create');
  }

  /** Update, or create with the client's id when absent (update-as-create). */
  async updateWith(tx: Queryable, resource: Resource, ctx: RequestContext, opts: WriteOptions = {}, action = 'update'): Promise<WriteResult> {
    const type = resource.resourceType;
    assertResourceType(type);
    if (!resource.id) throw errors.invalid('La ressource doit porter son id pour une mise à jour', 'The resource must carry its id for an update', `${type}.id`);
    assertValidId(resource.id, `${type}.id`);
    const current = await this.lockCurrent(tx, type, resource.id);
    if (opts.ifMatch !== undefined) {
      if (!current || current.deleted) {
        if (!current) throw errors.notFound(type, resource.id);
        throw errors.gone(type, resource.id);
      }
      if (current.versionId !== opts.ifMatch) {
        throw errors.versionConflict(type, resource.id, String(opts.ifMatch), String(current.versionId));
      }
    }
    return this.write(tx, type, resource.id, resource, ctx, current, action);
  }

  /** Applies `change` to the current version (PATCH) and writes the result as a new version. */
  async patchWith(
    tx: Queryable, type: string, id: string, change: (current: Resource) => Resource,
    ctx: RequestContext, opts: WriteOptions = {},
  ): Promise<WriteResult> {
    assertResourceType(type);
    assertValidId(id);
    const current = await this.lockCurrent(tx, type, id);
    if (!current) throw errors.notFound(type, id);
    if (current.deleted) throw errors.gone(type, id);
    if (opts.ifMatch !== undefined && current.versionId !== opts.ifMatch) {
      throw errors.versionConflict(type, id, String(opts.ifMatch), String(current.versionId));
    }
    const patched = change(structuredClone(current.resource));
    if (patched.resourceType !== type || patched.id !== id) {
      throw errors.invalid('Un patch ne peut changer ni le type ni l\'id de la ressource', 'A patch cannot change the resource type or id', `${type}.id`);
    }
    return this.write(tx, type, id, patched, ctx, current, 'patch');
  }

  patch(type: string, id: string, change: (current: Resource) => Resource, ctx: RequestContext, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.writeTransaction((tx: Queryable) => this.patchWith(tx, type, id, change, ctx, opts), (tx: Queryable) => tx);
  }

  /** Soft delete: a new version marked deleted, kept in the history. Null when it never existed. */
  async deleteWith(tx: Queryable, type: string, id: string, ctx: RequestContext, opts: WriteOptions = {}): Promise<WriteResult | null> {
    assertResourceType(type);
    assertValidId(id);
    const current = await this.lockCurrent(tx, type, id);
    if (!current) return null;
    if (opts.ifMatch !== undefined && current.versionId !== opts.ifMatch) {
      throw errors.versionConflict(type, id, String(opts.ifMatch), String(current.versionId));
    }
    if (current.deleted) return { ...current, outcome: 'deleted', issues: [] };
    await this.authorize(tx, ctx, { action: 'delete', type, id, current: current.resource, next: null });
    const versionId = current.versionId + 1;
    const lastUpdated = new Date().toISOString();
    const content: Resource = { ...current.resource, meta: { ...current.resource.meta, versionId: String(versionId), lastUpdated } };
    await this.persistVersion(tx, 'update', { type, id, versionId, lastUpdated, deleted: true, region: current.region, content }, ctx, { action: 'delete', resourceType: type, resourceId: id, versionId });
    await tx.query('DELETE FROM resource_issue WHERE resource_type = $1 AND id = $2', [type, id]);
    for (const ix of this.deps.indexers ?? []) await ix.index(tx, type, id, null);
    return { resourceType: type, id, versionId, lastUpdated, deleted: true, region: current.region, resource: content, outcome: 'deleted', issues: [] };
  }

  private async lockCurrent(tx: Queryable, type: ResourceType, id: string): Promise<StoredResource | null> {
    const r = await tx.query<Row>(
      `SELECT id, version_id, last_updated, deleted, region, content FROM ${tableOf(type)} WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return r.rows[0] ? toStored(type, r.rows[0]) : null;
  }

  /**
   * Writes a version in one statement: the current row (insert or update), its history row and its
   * audit row. An insert that meets an existing id writes nothing and answers false.
   */
  private async persistVersion(
    tx: Queryable, mode: 'insert' | 'update',
    v: { type: ResourceType; id: string; versionId: number; lastUpdated: string; deleted: boolean; region: string | null; content: Resource },
    ctx: RequestContext, audit: AuditEntry,
  ): Promise<boolean> {
    const table = tableOf(v.type);
    const row = mode === 'insert'
      ? `INSERT INTO ${table} (id, version_id, last_updated, deleted, region, content) VALUES ($2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id`
      : `UPDATE ${table} SET version_id = $3, last_updated = $4, deleted = $5, region = $6, content = $7::jsonb WHERE id = $2 RETURNING id`;
    const r = await tx.query<{ n: number }>(
      `WITH cur AS (${row}),
       hist AS (INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, region, content)
                SELECT $1, id, $3, $4, $5, $6, $7::jsonb FROM cur),
       aud AS (INSERT INTO audit_event (actor, actor_kind, action, outcome, resource_type, resource_id, version_id, source, remote_addr, diff, detail)
               SELECT $8, $9, $10, 'success', $1, id, $3, $11, $12, $13::jsonb, $14::jsonb FROM cur)
       SELECT count(*)::int AS n FROM cur`,
      [
        v.type, v.id, v.versionId, v.lastUpdated, v.deleted, v.region, JSON.stringify(v.content),
        ctx.actor.id, ctx.actor.kind, audit.action, ctx.source, ctx.remoteAddr ?? null,
        audit.diff === undefined ? null : JSON.stringify(audit.diff),
        audit.detail === undefined ? null : JSON.stringify(audit.detail),
      ],
    );
    return r.rows[0].n === 1;
  }

  /** Validates and writes a new version (or nothing, if the content did not change). */
  private async write(
    tx: Queryable, type: ResourceType, id: string, input: Resource, ctx: RequestContext,
    current: StoredResource | null, action: string,
  ): Promise<WriteResult> {
    const resource = this.prepare(type, id, input, current);
    const live = current && !current.deleted ? current : null;
    await this.authorize(tx, ctx, {
      action: live ? (action === 'patch' ? 'patch' : 'update') : 'create', type, id, current: live?.resource ?? null, next: resource,
    });
    // Same content as the current version: nothing to validate or write (re-imports are mostly this).
    if (live && comparable(live.resource) === comparable(resource)) return { ...live, outcome: 'unchanged', issues: [] };
    const issues = this.deps.validator ? await this.deps.validator.validate(resource) : [];
    const errorsFound = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
    if (errorsFound.length > 0 && ctx.validation !== 'lenient') throw new FhirError(422, issues);
    const kept = ctx.validation === 'lenient' ? issues.map((i) => (i.severity === 'error' || i.severity === 'fatal' ? { ...i, severity: 'warning' as const } : i)) : issues;

    const versionId = current ? current.versionId + 1 : 1;
    const lastUpdated = new Date().toISOString();
    resource.meta = { ...resource.meta, versionId: String(versionId), lastUpdated };
    const region = regionOf(resource);
    const auditAction = current && !current.deleted ? action : 'create';
    const diff = diffOf(current && !current.deleted ? current.resource : null, resource);
    const written = await this.persistVersion(
      tx, current ? 'update' : 'insert', { type, id, versionId, lastUpdated, deleted: false, region, content: resource }, ctx,
      { action: auditAction, resourceType: type, resourceId: id, versionId, diff },
    );
    if (!written) {
      // Created concurrently by another transaction since we looked: retry as an update of it.
      const now = await this.lockCurrent(tx, type, id);
      return this.write(tx, type, id, input, ctx, now, action);
    }
    if (kept.length > 0 || current) await this.recordIssues(tx, type, id, versionId, kept);
    for (const ix of this.deps.indexers ?? []) await ix.index(tx, type, id, resource);
    return {
      resourceType: type, id, versionId, lastUpdated, deleted: false, region, resource,
      outcome: current && !current.deleted ? 'updated' : 'created', issues: kept,
    };
  }

  private async authorize(tx: Queryable, ctx: RequestContext, w: Parameters<WriteAuthorizer['authorize']>[2]): Promise<void> {
    if (!this.deps.authorizer) return;
    try {
      await this.deps.authorizer.authorize(tx, ctx, w);
    } catch (err) {
      if (err instanceof AccessDeniedError) {
        err.ctx = ctx;
        this.denials.get(tx)?.push(err);
      }
      throw err;
    }
  }

  /** Keeps the profile issues of a version stored in lenient mode, so they can be listed and fixed. */
  private async recordIssues(tx: Queryable, type: ResourceType, id: string, versionId: number, issues: Issue[]): Promise<void> {
    if (issues.length === 0) {
      await tx.query('DELETE FROM resource_issue WHERE resource_type = $1 AND id = $2', [type, id]);
      return;
    }
    await tx.query(
      `INSERT INTO resource_issue (resource_type, id, version_id, issues) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (resource_type, id) DO UPDATE SET version_id = EXCLUDED.version_id, issues = EXCLUDED.issues`,
      [type, id, versionId, JSON.stringify(issues)],
    );
  }

  /** Server-maintained parts of a resource about to be written: id, meta, creation date. */
  private prepare(type: ResourceType, id: string, input: Resource, current: StoredResource | null, shallow = false): Resource {
    // Bulk writes copy the top level only (what is changed here): their callers build each resource
    // for the write and never touch it again, and a deep copy is ≈ 10 % of a bulk import's CPU.
    const resource: Resource = shallow ? { ...input } : structuredClone(input);
    resource.id = id;
    if (resource.meta !== undefined && (typeof resource.meta !== 'object' || resource.meta === null || Array.isArray(resource.meta))) {
      throw errors.invalid('meta doit être un objet', 'meta must be an object', `${type}.meta`);
    }
    const meta = { ...(resource.meta ?? {}) };
    delete meta.versionId;
    delete meta.lastUpdated;
    resource.meta = meta;
    // A malformed `extension` (not a list) is left for the validator to report.
    if (CREATION_DATE_TYPES.has(type) && (resource.extension === undefined || Array.isArray(resource.extension))) {
      const ext = (resource.extension as { url: string }[] | undefined) ?? [];
      if (!ext.some((e) => e?.url === CREATION_DATE_URL)) {
        // dateCreation is 1..1 in the ROR profiles: carried over from the previous version, or now.
        const previous = (current?.resource.extension as { url: string }[] | undefined)?.find((e) => e?.url === CREATION_DATE_URL);
        resource.extension = [...ext, previous ?? { url: CREATION_DATE_URL, valueDateTime: new Date().toISOString() }];
      }
    }
    return resource;
  }
}

/** The store's operations bound to one open transaction. */
export class TxStore {
  constructor(readonly store: ResourceStore, readonly tx: Queryable) {}
  read(type: string, id: string) {
    return this.store.readWith(this.tx, type, id);
  }
  findByIdentifier(type: string, identifier: { system?: string; value: string }) {
    return this.store.findByIdentifierWith(this.tx, type, identifier);
  }
  create(resource: Resource, ctx: RequestContext, id?: string) {
    return this.store.createWith(this.tx, resource, ctx, id);
  }
  update(resource: Resource, ctx: RequestContext, opts?: WriteOptions, action?: string) {
    return this.store.updateWith(this.tx, resource, ctx, opts, action);
  }
  delete(type: string, id: string, ctx: RequestContext, opts?: WriteOptions) {
    return this.store.deleteWith(this.tx, type, id, ctx, opts);
  }
  bulkPut(resources: Resource[], ctx: RequestContext, opts?: BulkWriteOptions) {
    return this.store.bulkPutWith(this.tx, resources, ctx, opts);
  }
  patch(type: string, id: string, change: (current: Resource) => Resource, ctx: RequestContext, opts?: WriteOptions) {
    return this.store.patchWith(this.tx, type, id, change, ctx, opts);
  }
}
