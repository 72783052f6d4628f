/**
 * R4 Subscription with the rest-hook channel, on top of the change feed: each active subscription
 * reads the feed of its criteria's type from its own position, checks each version against the
 * criteria (compiled by the search engine's parser and SQL compiler), and notifies the endpoint — one change at a time, so notifications arrive in feed order
 * (hence in version order per resource). A failed notification is retried with exponential
 * back-off; after the last attempt it goes to `subscription_dead_letter` and the next change is
 * delivered. Positions and retries live in `subscription_delivery` (migration 072), leased to one
 * API node at a time.
 *
 * Notification (R4 rest-hook): without `channel.payload`, an empty POST to the endpoint; with a
 * payload, PUT `[endpoint]/[type]/[id]` with the version (DELETE for a deletion). Each version is
 * judged on its own content (see `matches`); a deletion is notified when the content it removed met
 * the criteria. Subscriptions are created by administrators (access matrix):
 * notifications carry the resources unredacted.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { isResourceType, tableOf, type ResourceType } from '../../fhir/resource-types.ts';
import type { Resource } from '../../fhir/types.ts';
import { matchWhere } from '../../search/compile/page-query.ts';
import { SqlParams } from '../../search/compile/sql-params.ts';
import { parseSearchRequest } from '../../search/parse/parse-request.ts';
import type { SearchQuery } from '../../search/parse/search-query.ts';
import { searchParamRegistry } from '../../search/registry/registry.ts';
import { SYSTEM_CONTEXT } from '../../store/context.ts';
import type { ResourceIndexer } from '../../store/hooks.ts';
import { regionOf, type FeedEntry, type ResourceStore } from '../../store/resource-store.ts';

export interface SubscriptionSettings {
  /** How often active subscriptions are looked at (ROR_SUBSCRIPTION_POLL_MS, default 1000). */
  pollMs: number;
  /** First retry delay, doubled at each attempt (ROR_SUBSCRIPTION_RETRY_MS, default 2000). */
  retryMs: number;
  /** Attempts before a notification goes to the dead letters (ROR_SUBSCRIPTION_MAX_ATTEMPTS, default 8). */
  maxAttempts: number;
  /** Endpoint timeout (ROR_SUBSCRIPTION_TIMEOUT_MS, default 10000). */
  timeoutMs: number;
}

export function subscriptionSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SubscriptionSettings {
  const num = (name: string, def: number) => {
    const n = env[name] === undefined || env[name] === '' ? def : Number(env[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${env[name]}"`);
    return n;
  };
  return {
    pollMs: num('ROR_SUBSCRIPTION_POLL_MS', 1000), retryMs: num('ROR_SUBSCRIPTION_RETRY_MS', 2000),
    maxAttempts: Math.floor(num('ROR_SUBSCRIPTION_MAX_ATTEMPTS', 8)), timeoutMs: num('ROR_SUBSCRIPTION_TIMEOUT_MS', 10_000),
  };
}

interface Delivery { cursor: string; attempts: number }

interface SubscriptionResource extends Resource {
  criteria?: string;
  channel?: { type?: string; endpoint?: string; payload?: string; header?: string[] };
}

const LEASE_SECONDS = 60;
/** Thrown to roll back the trial transaction of `matches`. */
const ROLLBACK = new Error('rollback');

export class SubscriptionService {
  private readonly owner = randomUUID();
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;
  private stopped = true;

  constructor(private readonly deps: {
    db: Database; store: ResourceStore; indexers: ResourceIndexer[]; settings: SubscriptionSettings; log?: (msg: string, err?: unknown) => void;
  }) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.poke(), this.deps.settings.pollMs);
    this.timer.unref();
  }

  /** The notifications given up for a subscription, newest first. */
  async deadLetters(id: string): Promise<{ resourceType: string; id: string; versionId: number; attempts: number; error: string; failedAt: string }[]> {
    const r = await this.deps.db.query<{ resource_type: string; resource_id: string; version_id: number; attempts: number; error: string; failed_at: Date | string }>(
      'SELECT resource_type, resource_id, version_id, attempts, error, failed_at FROM subscription_dead_letter WHERE subscription_id = $1 ORDER BY seq DESC LIMIT 1000', [id],
    );
    return r.rows.map((x) => ({ resourceType: x.resource_type, id: x.resource_id, versionId: x.version_id, attempts: x.attempts, error: x.error, failedAt: new Date(x.failed_at).toISOString() }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.busy?.catch(() => undefined);
  }

  private poke(): void {
    if (this.stopped || this.busy) return;
    this.busy = this.tick().catch((err) => this.deps.log?.('subscriptions: delivery round failed', err)).finally(() => {
      this.busy = undefined;
    });
  }

  /** One round: every active rest-hook subscription due now, delivered in turn. */
  async tick(): Promise<void> {
    const { db } = this.deps;
    const subs = await db.query<{ id: string; content: SubscriptionResource }>(
      `SELECT id, content FROM subscription WHERE NOT deleted AND content ->> 'status' IN ('requested', 'active')
         AND content -> 'channel' ->> 'type' = 'rest-hook' ORDER BY id`,
    );
    for (const s of subs.rows) {
      if (this.stopped) return;
      const delivery = await this.claim(s.id);
      if (!delivery) continue;
      try {
        await this.deliver(s.id, s.content, delivery);
      } finally {
        await db.query('UPDATE subscription_delivery SET lease_owner = NULL, lease_until = NULL WHERE subscription_id = $1 AND lease_owner = $2', [s.id, this.owner]);
      }
    }
  }

  /** Takes the subscription for this node if it is due and nobody holds it; a new one starts at the feed's present. */
  private async claim(id: string): Promise<Delivery | undefined> {
    const { db, store } = this.deps;
    // A new subscription starts right after its own creation in the feed.
    const created = (await db.query<{ txid: number; seq: number }>(
      `SELECT txid, seq FROM resource_history WHERE resource_type = 'Subscription' AND id = $1 ORDER BY version_id LIMIT 1`, [id],
    )).rows[0] ?? (await store.feedPosition());
    await db.query('INSERT INTO subscription_delivery (subscription_id, cursor) VALUES ($1, $2) ON CONFLICT DO NOTHING', [id, `${created.txid}.${created.seq}`]);
    const r = await db.query<Delivery>(
      `UPDATE subscription_delivery SET lease_owner = $2, lease_until = now() + make_interval(secs => $3)
       WHERE subscription_id = $1 AND (lease_until IS NULL OR lease_until < now()) AND (next_attempt_at IS NULL OR next_attempt_at <= now())
       RETURNING cursor, attempts`,
      [id, this.owner, LEASE_SECONDS],
    );
    return r.rows[0];
  }

  private async deliver(id: string, sub: SubscriptionResource, d: Delivery): Promise<void> {
    const { db, store, settings } = this.deps;
    const criteria = sub.criteria ?? '';
    const q = criteria.indexOf('?');
    const type = q >= 0 ? criteria.slice(0, q) : criteria;
    if (!isResourceType(type) || !sub.channel?.endpoint) return;
    const params = q >= 0 ? ([...new URLSearchParams(criteria.slice(q + 1)).entries()] as [string, string][]) : [];
    let query: SearchQuery;
    try {
      query = parseSearchRequest({ registry: searchParamRegistry(), centroid: () => undefined }, type, params, false).query;
    } catch (err) {
      // Criteria the search engine refuses: nothing is sent, the reason is kept for administrators.
      await db.query('UPDATE subscription_delivery SET last_error = $2 WHERE subscription_id = $1', [id, `criteria: ${(err as Error).message}`]);
      return;
    }
    const [txid, seq] = d.cursor.split('.').map(Number);
    const entries = await store.feed(type, undefined, { after: { txid, seq }, count: 100 });
    let attempts = d.attempts;
    for (const e of entries) {
      if (this.stopped) return;
      const cursor = `${e.txid}.${e.seq}`;
      if (!(await this.matches(type, query, e))) {
        await db.query('UPDATE subscription_delivery SET cursor = $2 WHERE subscription_id = $1', [id, cursor]);
        continue;
      }
      const error = await this.notify(sub, e);
      if (!error) {
        attempts = 0;
        await db.query('UPDATE subscription_delivery SET cursor = $2, attempts = 0, next_attempt_at = NULL, last_error = NULL WHERE subscription_id = $1', [id, cursor]);
        continue;
      }
      attempts++;
      if (attempts >= settings.maxAttempts) {
        await db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO subscription_dead_letter (subscription_id, resource_type, resource_id, version_id, attempts, error) VALUES ($1, $2, $3, $4, $5, $6)`,
            [id, e.resourceType, e.id, e.versionId, attempts, error],
          );
          await tx.query('UPDATE subscription_delivery SET cursor = $2, attempts = 0, next_attempt_at = NULL, last_error = $3 WHERE subscription_id = $1', [id, cursor, error]);
        });
        attempts = 0;
        continue;
      }
      // Later, from the same change: the ones after it wait (order kept).
      await db.query(
        `UPDATE subscription_delivery SET attempts = $2, next_attempt_at = now() + make_interval(secs => $3), last_error = $4 WHERE subscription_id = $1`,
        [id, attempts, (settings.retryMs * 2 ** (attempts - 1)) / 1000, error],
      );
      return;
    }
  }

  /**
   * Did this version meet the criteria? The version is put in place of the current row, indexed,
   * queried with the compiled criteria, and the whole is rolled back: the search engine judges the
   * version itself (chains and `_has` included), whatever happened to the resource since. For a
   * deletion, the last content before it is judged.
   */
  private async matches(type: ResourceType, query: SearchQuery, e: FeedEntry): Promise<boolean> {
    let matched = false;
    try {
      await this.deps.db.transaction(async (tx) => {
        await tx.query(`UPDATE ${tableOf(type)} SET content = $2::jsonb, deleted = false, region = $3 WHERE id = $1`, [e.id, JSON.stringify(e.resource), regionOf(e.resource)]);
        for (const ix of this.deps.indexers) await ix.index(tx, type, e.id, e.resource);
        const p = new SqlParams();
        const where = matchWhere({ ctx: SYSTEM_CONTEXT, params: p }, query, 'm');
        matched = (await tx.query(`SELECT 1 FROM ${tableOf(type)} m WHERE m.id = ${p.add(e.id)} AND ${where}`, p.values)).rowCount > 0;
        throw ROLLBACK;
      });
    } catch (err) {
      if (err !== ROLLBACK) throw err;
    }
    return matched;
  }

  /** Sends one notification; answers the error, or undefined when the endpoint took it (2xx). */
  private async notify(sub: SubscriptionResource, e: FeedEntry): Promise<string | undefined> {
    const channel = sub.channel!;
    const headers: Record<string, string> = {};
    for (const h of channel.header ?? []) {
      const i = h.indexOf(':');
      if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
    }
    const endpoint = channel.endpoint!.replace(/\/+$/, '');
    const init: RequestInit = channel.payload
      ? e.deleted
        ? { method: 'DELETE' }
        : { method: 'PUT', body: JSON.stringify(e.resource), headers: { 'content-type': channel.payload } }
      : { method: 'POST' };
    const url = channel.payload ? `${endpoint}/${e.resourceType}/${e.id}` : endpoint;
    try {
      const res = await fetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) }, signal: AbortSignal.timeout(this.deps.settings.timeoutMs) });
      await res.body?.cancel();
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
}
