/**
 * Runs `$export` jobs: kick-off (job row + change-feed position), background work on whichever
 * API node holds the job's lease, files written streaming (type-stream.ts: keyset pages, gzip, a few
 * types at once) to `<ROR_DATA_DIR>/exports/<job>/`, cancellation, expiry. A job found unfinished with a
 * lapsed (or released) lease is taken over and resumed: finished types are kept, the type under
 * way is written again.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../../db/database.ts';
import { tableOf, type ResourceType } from '../../fhir/resource-types.ts';
import type { Resource } from '../../fhir/types.ts';
import type { AccessFilter } from '../../search/compile/base-where.ts';
import type { ReadGuard } from '../../security/read-guard.ts';
import type { RequestContext } from '../../store/context.ts';
import type { ResourceStore } from '../../store/resource-store.ts';
import {
  addOutput, cancelJob, claimJob, finishJob, findJob, insertJob, purgeJobs, releaseJob, renewLease, type ExportJob, type OutputFile,
} from './export-jobs.ts';
import type { ExportRequest } from './export-request.ts';
import { checkSelection, selectMembers, usesMembers } from './export-selection.ts';
import { largestFirst } from './type-order.ts';
import { typeLines, writeGzipFile } from './type-stream.ts';

export interface ExportSettings {
  /** Folder of the output files (`<ROR_DATA_DIR>/exports`). */
  dir: string;
  /** Resources read per page (ROR_EXPORT_BATCH, default 1000). */
  batchSize: number;
  /** Pause between pages, to spare a busy primary (ROR_EXPORT_PAUSE_MS, default 0). */
  pauseMs: number;
  /** How long a node holds a job without renewing (ROR_EXPORT_LEASE_SECONDS, default 60). */
  leaseSeconds: number;
  /** Finished jobs and their files are removed after (ROR_EXPORT_RETENTION_HOURS, default 24). */
  retentionHours: number;
  /** gzip level of the files, 1 (fast) to 9 (small) (ROR_EXPORT_GZIP_LEVEL, default 6: level 1 saved ≈ 5 % of the time for files 5× larger, bench/RESULTS.md). */
  gzipLevel?: number;
  /** Types written at once (ROR_EXPORT_PARALLEL, default 2). */
  parallel?: number;
  /** Pages of a type read at once, one connection each (ROR_EXPORT_READ_AHEAD, default 2). */
  readAhead?: number;
}

export function exportSettingsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): ExportSettings {
  const num = (name: string, def: number) => {
    const v = env[name];
    const n = v === undefined || v === '' ? def : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a positive number, got "${v}"`);
    return n;
  };
  return {
    dir: path.join(dataDir, 'exports'),
    batchSize: Math.max(1, Math.floor(num('ROR_EXPORT_BATCH', 1000))),
    pauseMs: num('ROR_EXPORT_PAUSE_MS', 0),
    leaseSeconds: Math.max(1, num('ROR_EXPORT_LEASE_SECONDS', 60)),
    retentionHours: num('ROR_EXPORT_RETENTION_HOURS', 24),
    gzipLevel: Math.min(9, Math.max(1, Math.floor(num('ROR_EXPORT_GZIP_LEVEL', 6)))),
    parallel: Math.max(1, Math.floor(num('ROR_EXPORT_PARALLEL', 2))),
    readAhead: Math.max(1, Math.floor(num('ROR_EXPORT_READ_AHEAD', 2))),
  };
}

export interface ExportDeps {
  db: Database;
  store: ResourceStore;
  readGuard: ReadGuard;
  access?: AccessFilter;
  settings: ExportSettings;
  log?: (msg: string, err?: unknown) => void;
}

/** The job was cancelled or taken over by another node: stop quietly. */
class LostJob extends Error {}

const FILE_NAME = /^[A-Za-z]+(-deleted)?\.ndjson\.gz$/;

export class ExportService {
  private readonly owner = randomUUID();
  private timer?: NodeJS.Timeout;
  private running = new Map<string, AbortController>();
  private stopped = true;
  private busy?: Promise<void>;

  constructor(private readonly deps: ExportDeps) {}

  /** Creates the job (answering a 400 now for a bad `_typeFilter`) and starts it. */
  async kickOff(req: ExportRequest, ctx: RequestContext): Promise<string> {
    await checkSelection(this.deps.db, req, ctx, this.deps.access);
    const id = randomUUID();
    // Taken before any row is read: following the feed from here catches every later change.
    const position = await this.deps.store.feedPosition();
    await insertJob(this.deps.db, {
      id, request: req, caller: { actor: ctx.actor, source: ctx.source, remoteAddr: ctx.remoteAddr },
      transactionTime: new Date().toISOString(), feedCursor: `${position.txid}.${position.seq}`,
    });
    this.poke();
    return id;
  }

  job(id: string): Promise<ExportJob | null> {
    return findJob(this.deps.db, id);
  }

  async cancel(id: string): Promise<boolean> {
    const done = await cancelJob(this.deps.db, id);
    this.running.get(id)?.abort();
    await fs.promises.rm(this.jobDir(id), { recursive: true, force: true });
    return done;
  }

  /** Path of an output file of a job, or undefined for a name that is not one. */
  filePath(jobId: string, file: string): string | undefined {
    if (!/^[0-9a-f-]{36}$/.test(jobId) || !FILE_NAME.test(file)) return undefined;
    return path.join(this.jobDir(jobId), file);
  }

  /** Starts the background loop: claims pending jobs now and every third of a lease. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.poke(), Math.max(250, (this.deps.settings.leaseSeconds * 1000) / 3));
    this.timer.unref();
    this.poke();
  }

  /** Stops: running jobs are interrupted and released, so another node (or the next start) resumes them. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const c of this.running.values()) c.abort();
    await this.busy?.catch(() => undefined);
  }

  private poke(): void {
    if (this.stopped || this.busy) return;
    this.busy = this.work().finally(() => {
      this.busy = undefined;
    });
  }

  private async work(): Promise<void> {
    try {
      for (const id of await purgeJobs(this.deps.db, this.deps.settings.retentionHours)) {
        await fs.promises.rm(this.jobDir(id), { recursive: true, force: true });
      }
      while (!this.stopped) {
        const job = await claimJob(this.deps.db, this.owner, this.deps.settings.leaseSeconds);
        if (!job) return;
        await this.run(job);
      }
    } catch (err) {
      this.deps.log?.('export: background work failed', err);
    }
  }

  private jobDir(id: string): string {
    return path.join(this.deps.settings.dir, id);
  }

  private async run(job: ExportJob): Promise<void> {
    const abort = new AbortController();
    this.running.set(job.id, abort);
    const { db } = this.deps;
    try {
      await fs.promises.mkdir(this.jobDir(job.id), { recursive: true });
      await selectMembers(db, job.id, job.request, job.caller, this.deps.access);
      const done = new Set(job.output.map((o) => o.type));
      const todo = await largestFirst(db, job.request.types.filter((t) => !done.has(t)));
      // A few types at once: the database reads the next page of one while node processes another.
      // A worker that fails stops the others (at their next page); the job fails with the first real error.
      const stopOthers = new AbortController();
      const signal = AbortSignal.any([abort.signal, stopOthers.signal]);
      const worker = async () => {
        try {
          for (let type = todo.shift(); type; type = todo.shift()) {
            const file = await this.writeType(job, type, signal);
            if (!(await addOutput(db, job.id, this.owner, 'output', file))) throw new LostJob();
          }
        } catch (err) {
          stopOthers.abort();
          throw err;
        }
      };
      const results = await Promise.allSettled(Array.from({ length: Math.max(1, this.deps.settings.parallel ?? 1) }, worker));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
      if (failures.length) throw failures.find((e) => !(e instanceof LostJob)) ?? failures[0];
      if (job.request.since) {
        const doneDeleted = new Set(job.deleted.map((o) => o.type));
        for (const type of job.request.selected) {
          if (doneDeleted.has(type)) continue;
          const file = await this.writeDeleted(job, type, abort.signal);
          if (file.count > 0 && !(await addOutput(db, job.id, this.owner, 'deleted', file))) throw new LostJob();
        }
      }
      await finishJob(db, job.id, this.owner, 'completed');
    } catch (err) {
      if (err instanceof LostJob || abort.signal.aborted) {
        // Interrupted (stop) or cancelled: a stopped node hands the job over at once.
        if (this.stopped) await releaseJob(db, job.id, this.owner).catch(() => undefined);
        const now = await findJob(db, job.id).catch(() => null);
        if (!now || now.status === 'cancelled') await fs.promises.rm(this.jobDir(job.id), { recursive: true, force: true });
      } else {
        this.deps.log?.(`export ${job.id} failed`, err);
        await finishJob(db, job.id, this.owner, 'failed', { fr: 'L\'export a échoué : erreur interne du serveur', en: `Export failed: ${(err as Error).message}` }).catch(() => undefined);
      }
    } finally {
      this.running.delete(job.id);
    }
  }

  /** Between pages: stops if asked, renews the lease (which also tells a cancellation), pauses. */
  private async checkpoint(job: ExportJob, signal: AbortSignal, progress: string): Promise<void> {
    if (signal.aborted) throw new LostJob();
    if (!(await renewLease(this.deps.db, job.id, this.owner, this.deps.settings.leaseSeconds, progress))) throw new LostJob();
    if (this.deps.settings.pauseMs > 0) await new Promise((r) => setTimeout(r, this.deps.settings.pauseMs));
    if (signal.aborted) throw new LostJob();
  }

  private writeFile(job: ExportJob, file: string, lines: () => AsyncGenerator<string>): Promise<void> {
    return writeGzipFile(path.join(this.jobDir(job.id), file), lines(), this.deps.settings.gzipLevel ?? 6);
  }

  /** One type's resources, as the caller may see them (type-stream.ts). */
  private async writeType(job: ExportJob, type: ResourceType, signal: AbortSignal): Promise<OutputFile> {
    const { db, readGuard, settings, access } = this.deps;
    const counter = { written: 0 };
    const lines = typeLines({
      db, readGuard, type, caller: job.caller, access, since: job.request.since, batchSize: settings.batchSize, readAhead: settings.readAhead,
      membersOf: usesMembers(job.request, type) ? job.id : undefined,
    }, counter, () => this.checkpoint(job, signal, `${type} : ${counter.written} ressources écrites`));
    await writeGzipFile(path.join(this.jobDir(job.id), `${type}.ndjson.gz`), lines, settings.gzipLevel ?? 6);
    return { type, file: `${type}.ndjson.gz`, count: counter.written };
  }

  /**
   * Resources of a type deleted since `_since` (Bulk Data `deleted`): Bundles of DELETE entries,
   * one per page, for the resources the caller could see before their deletion.
   */
  private async writeDeleted(job: ExportJob, type: ResourceType, signal: AbortSignal): Promise<OutputFile> {
    const { db, readGuard, settings } = this.deps;
    let count = 0;
    const self = this;
    const file = `${type}-deleted.ndjson.gz`;
    await this.writeFile(job, file, async function* () {
      let after = '';
      for (;;) {
        await self.checkpoint(job, signal, `${type} : suppressions`);
        const page = await db.query<{ id: string; content: Resource }>(
          `SELECT id, content FROM ${tableOf(type)} WHERE deleted AND last_updated > $1::timestamptz AND id > $2 ORDER BY id LIMIT $3`,
          [job.request.since, after, settings.batchSize],
        );
        if (page.rows.length === 0) return;
        after = page.rows[page.rows.length - 1].id;
        const seen = await readGuard.view(job.caller, page.rows.map((r) => r.content), 'export');
        const gone = page.rows.filter((_, i) => seen[i] !== null);
        count += gone.length;
        if (gone.length) {
          yield JSON.stringify({
            resourceType: 'Bundle', type: 'transaction',
            entry: gone.map((r) => ({ request: { method: 'DELETE', url: `${type}/${r.id}` } })),
          }) + '\n';
        }
      }
    });
    if (count === 0) await fs.promises.rm(path.join(this.jobDir(job.id), file), { force: true });
    return { type, file, count };
  }
}
