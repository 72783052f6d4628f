import fs from 'node:fs';
import type { RequestContext } from '../../store/context.ts';
import { completeImportRun, failImportRun, startImportRun } from '../import-run.ts';
import type { ResourceStore, TxStore } from '../../store/resource-store.ts';
import { CommuneIndex } from '../geo/commune-index.ts';
import { isDataError, newTally, writeImported, type Tally } from '../import-writer.ts';
import { ValidationSampler } from '../../store/validation-sampler.ts';
import { resourceFromFields, type Fields } from '../provenance.ts';
import type { FinessEstablishment, LineProblem } from './establishment.ts';
import { detectFormat, type FinessFormat, type ReadProgress } from './input.ts';
import { closedVersion, finessIds, mapEstablishment, type MappedEstablishment } from './mapping.ts';
import { loadFinessNos, type FinessNos } from './nos-reference.ts';
import { readFiness } from './read-finess.ts';

/**
 * `importFiness`: creates or updates the EJ / EG Organizations and EG Locations of a FINESS file through
 * the ResourceStore, in batches of transactions. Idempotent (same file, no new version), keeps what
 * referents changed (field provenance, table import_provenance), closes the establishments of the
 * file's départements that the file no longer lists, rejects bad lines with their line number.
 */

export const FINESS_IMPORT_CONTEXT: RequestContext = {
  actor: { id: 'import:finess', kind: 'import' },
  source: 'finess',
  validation: 'lenient',
};

export interface FinessImportProgress {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  elapsedMs: number;
  /** Resources (EJ + EG + Location) handled per second so far. */
  resourcesPerSecond: number;
  /** Share of the file read, 0 to 1. */
  fraction: number;
}

export interface FinessImportReport extends FinessImportProgress {
  /** Profile validation of the creations (sampled: how many validated, skipped, failed; the first failures). */
  validation: { mode: 'all' | 'sample'; validated: number; skipped: number; failed: number; failures: string[] };
  file: string;
  format: FinessFormat;
  encoding?: string;
  snapshotDate?: string;
  dryRun: boolean;
  runId: number | null;
  /** Establishments (ET) imported. */
  establishments: number;
  closed: number;
  closedIds: string[];
  /** Lines refused, with their number and the reason (French and English). */
  rejectedLines: LineProblem[];
  /** Accepted lines with something worth a look (commune not found…), at most 1000 kept. */
  warnings: LineProblem[];
  warningCount: number;
  /** Fields left as a referent set them instead of the file's value. */
  referentFieldsKept: number;
  /** Resources deleted by a person: not recreated by the import. */
  deletedSkipped: number;
}

export interface FinessImportOptions {
  format?: FinessFormat;
  dryRun?: boolean;
  onProgress?: (p: FinessImportProgress) => void;
  /** Resources per transaction (default 500). */
  batchSize?: number;
  /** Batches written at the same time on a PostgreSQL server (default 1: on 2 shared cores, 3 was slower; PGlite has one connection). */
  concurrency?: number;
  /** Close the establishments the file no longer lists (default true). */
  closeMissing?: boolean;
  communes?: CommuneIndex;
  nos?: FinessNos;
  /**
   * Profile validation: `sample` (default; a trusted write of our own mapping, src/store/validation-sampler.ts:
   * the first 20 creations of each type, then one in 100, every update) or `all`.
   */
  validate?: 'all' | 'sample';
}

interface Entry {
  record: FinessEstablishment;
  mapped: MappedEstablishment;
  /** The EJ is written with its first EG of the run only. */
  withEj: boolean;
}

const SOURCE = 'finess';
const ROLLBACK = Symbol('dry-run rollback');

/** Closure scope of an establishment: the département prefix of its FINESS ET number (`78`, `2A`, `970`). */
export function scopeOf(nofinesset: string): string {
  return nofinesset.startsWith('97') || nofinesset.startsWith('98') ? nofinesset.slice(0, 3) : nofinesset.slice(0, 2);
}

export async function importFiness(store: ResourceStore, file: string, opts: FinessImportOptions = {}): Promise<FinessImportReport> {
  const started = Date.now();
  const format = opts.format ?? (await detectFormat(file));
  const dryRun = !!opts.dryRun;
  const batchSize = opts.batchSize ?? 500;
  const ctx = { communes: opts.communes ?? CommuneIndex.load(), nos: opts.nos ?? loadFinessNos() };
  if (opts.validate !== undefined && opts.validate !== 'all' && opts.validate !== 'sample') throw new Error('validate must be all or sample');
  // Closures are updates: always validated, they need no sampler.
  const sampler = opts.validate === 'all' ? undefined : new ValidationSampler();
  const report: FinessImportReport = {
    file, format, dryRun, runId: null, read: 0, establishments: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, closed: 0,
    closedIds: [], rejectedLines: [], warnings: [], warningCount: 0, referentFieldsKept: 0, deletedSkipped: 0, elapsedMs: 0, resourcesPerSecond: 0,
    fraction: 0, validation: { mode: opts.validate ?? 'sample', validated: 0, skipped: 0, failed: 0, failures: [] },
  };
  const bytes: ReadProgress = { bytesRead: 0, totalBytes: fs.statSync(file).size };
  // A dry run writes nothing, not even its run: its batches are rolled back.
  const runId = await startImportRun(store.db, SOURCE, file, dryRun);
  report.runId = dryRun ? null : runId;
  try {
    const progress = () => {
      report.elapsedMs = Date.now() - started;
      const done = report.created + report.updated + report.unchanged;
      report.resourcesPerSecond = report.elapsedMs > 0 ? Math.round((done * 1000) / report.elapsedMs) : 0;
      report.fraction = bytes.totalBytes > 0 ? Math.min(1, bytes.bytesRead / bytes.totalBytes) : 1;
      opts.onProgress?.({
        read: report.read, created: report.created, updated: report.updated, unchanged: report.unchanged,
        rejected: report.rejected, elapsedMs: report.elapsedMs, resourcesPerSecond: report.resourcesPerSecond, fraction: report.fraction,
      });
    };
    // Establishments of this file, and those of its rejected lines: none of them is closed.
    const seen = new Set<string>();
    const reject = (p: LineProblem) => {
      report.rejected++;
      report.rejectedLines.push(p);
      if (p.nofinesset) for (const id of [finessIds.eg(p.nofinesset), finessIds.location(p.nofinesset)]) seen.add(id);
    };
    const add = (t: Tally) => {
      report.created += t.created;
      report.updated += t.updated;
      report.unchanged += t.unchanged;
      report.referentFieldsKept += t.kept;
      report.deletedSkipped += t.deletedSkipped;
    };

    /** Runs one transaction; in a dry run, rolls it back after counting. */
    const inTransaction = async (fn: (tx: TxStore, tally: Tally) => Promise<void>): Promise<Tally> => {
      const tally = newTally();
      try {
        await store.transaction(async (tx) => {
          await fn(tx, tally);
          if (dryRun) throw ROLLBACK;
        });
      } catch (err) {
        if (err !== ROLLBACK) throw err;
      }
      return tally;
    };

    const itemsOf = (e: Entry) => [
      ...(e.withEj ? [{ resource: e.mapped.ej, scope: null }] : []),
      { resource: e.mapped.eg, scope: scopeOf(e.record.nofinesset) },
      { resource: e.mapped.location, scope: scopeOf(e.record.nofinesset) },
    ];

    const flush = async (batch: Entry[]) => {
      if (!batch.length) return;
      try {
        add(await inTransaction((tx, tally) => writeImported(tx, SOURCE, runId, batch.flatMap(itemsOf), tally, FINESS_IMPORT_CONTEXT, { sampler })));
        report.establishments += batch.length;
      } catch (batchErr) {
        if (!isDataError(batchErr)) throw batchErr;
        // One establishment at a time, to reject only the one that cannot be written.
        for (const e of batch) {
          try {
            add(await inTransaction((tx, tally) => writeImported(tx, SOURCE, runId, itemsOf(e), tally, FINESS_IMPORT_CONTEXT, { sampler })));
            report.establishments++;
          } catch (err) {
            if (!isDataError(err)) throw err;
            reject({ line: e.record.line, nofinesset: e.record.nofinesset, fr: `écriture refusée : ${(err as Error).message}`, en: `write refused: ${(err as Error).message}` });
          }
        }
      }
      progress();
    };

    const seenEt = new Map<string, number>();
    const seenEj = new Set<string>();
    const scopes = new Set<string>();
    let batch: Entry[] = [];
    let batchResources = 0;
    // Batches touch disjoint resources (an EJ goes with its first site only): they can commit in any order.
    // Two on a PostgreSQL server: one batch is validated and indexed here while the other is written there.
    const concurrency = Math.max(1, opts.concurrency ?? (store.db.kind === 'postgres' ? 2 : 1));
    const inFlight = new Set<Promise<void>>();
    const launch = async (entries: Entry[]) => {
      const p: Promise<void> = flush(entries).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    };
    for await (const item of readFiness(file, format, bytes)) {
      if (item.kind === 'meta') {
        if (item.encoding) report.encoding = item.encoding;
        if (item.snapshotDate) report.snapshotDate = item.snapshotDate;
        continue;
      }
      report.read++;
      if (item.kind === 'rejected') {
        reject(item.problem);
        continue;
      }
      const r = item.record;
      const firstLine = seenEt.get(r.nofinesset);
      if (firstLine !== undefined) {
        reject({ line: r.line, nofinesset: r.nofinesset, fr: `établissement ${r.nofinesset} en double (déjà lu ligne ${firstLine})`, en: `duplicate establishment ${r.nofinesset} (first read on line ${firstLine})` });
        continue;
      }
      seenEt.set(r.nofinesset, r.line);
      scopes.add(scopeOf(r.nofinesset));
      const mapped = mapEstablishment(r, ctx);
      report.warningCount += mapped.warnings.length;
      for (const w of mapped.warnings) if (report.warnings.length < 1000) report.warnings.push(w);
      const withEj = !seenEj.has(mapped.ej.id!);
      seenEj.add(mapped.ej.id!);
      for (const res of [mapped.ej, mapped.eg, mapped.location]) seen.add(res.id!);
      batch.push({ record: r, mapped, withEj });
      batchResources += withEj ? 3 : 2;
      if (batchResources >= batchSize) {
        await launch(batch);
        batch = [];
        batchResources = 0;
      }
    }
    await launch(batch);
    await Promise.all(inFlight);

    if (sampler) report.validation = { mode: 'sample', validated: sampler.validated, skipped: sampler.skipped, failed: sampler.failed, failures: sampler.failures };
    if (opts.closeMissing !== false && scopes.size) await closeMissing(store, runId, [...scopes], seen, report, inTransaction, add, batchSize);
    progress();
    if (!dryRun) {
      await completeImportRun(store.db, runId, report.created + report.updated > 0, {
        ...report, rejectedLines: report.rejectedLines.slice(0, 1000), warnings: report.warnings.slice(0, 100), closedIds: report.closedIds.slice(0, 1000),
      });
    }
  } catch (err) {
    await failImportRun(store.db, runId, err);
    throw err;
  }
  return report;
}

/**
 * Closes (never deletes) what the previous imports brought and this file no longer lists: the sites
 * and places of the départements the file covers, then the legal entities left without an open site.
 */
async function closeMissing(
  store: ResourceStore, runId: number, scopes: string[], seen: Set<string>, report: FinessImportReport,
  inTransaction: (fn: (tx: TxStore, tally: Tally) => Promise<void>) => Promise<Tally>, add: (t: Tally) => void, batchSize: number,
): Promise<void> {
  const closingDate = report.snapshotDate ?? new Date().toISOString().slice(0, 10);
  type Row = { resource_type: string; id: string; scope: string | null; fields?: Fields };
  const closeRows = async (rows: Row[]) => {
    for (let i = 0; i < rows.length; i += batchSize) {
      const part = rows.slice(i, i + batchSize);
      // Fields read per batch of closures only: the national file has 240k provenance rows in scope.
      const fields = new Map<string, Fields>();
      const missing = part.filter((r) => !r.fields);
      if (missing.length) {
        const f = await store.db.query<{ resource_type: string; id: string; fields: Fields }>(
          `SELECT p.resource_type, p.id, p.fields FROM unnest($2::text[], $3::text[]) AS k(t, i)
           CROSS JOIN LATERAL (SELECT * FROM import_provenance q WHERE q.source = $1 AND q.resource_type = k.t AND q.id = k.i OFFSET 0) p`,
          [SOURCE, missing.map((r) => r.resource_type), missing.map((r) => r.id)],
        );
        for (const row of f.rows) fields.set(`${row.resource_type}/${row.id}`, row.fields);
      }
      const items = part.map((row) => ({
        resource: closedVersion(resourceFromFields(row.resource_type, row.id, row.fields ?? fields.get(`${row.resource_type}/${row.id}`)!), closingDate),
        scope: row.scope,
        closed: true,
      }));
      add(await inTransaction((tx, tally) => writeImported(tx, SOURCE, runId, items, tally, FINESS_IMPORT_CONTEXT)));
      for (const row of part) {
        if (row.resource_type === 'Organization') {
          report.closed++;
          report.closedIds.push(row.id);
        }
      }
    }
  };
  // `last_run` is only the last run that changed a row (an unchanged resource's row is not rewritten):
  // this run's establishments are told by the ids it saw.
  const sites = await store.db.query<Row>(
    `SELECT resource_type, id, scope FROM import_provenance
     WHERE source = $1 AND closed_at IS NULL AND last_run <> $2 AND scope = ANY($3::text[]) ORDER BY resource_type, id`,
    [SOURCE, runId, scopes],
  );
  const missingSites = sites.rows.filter((r) => !seen.has(r.id));
  await closeRows(missingSites);
  // In a dry run the sites were not really closed: count the entities whose sites are all among them.
  const closedSites = report.dryRun ? missingSites.filter((r) => r.resource_type === 'Organization').map((r) => r.id) : [];
  // The legal entities still referred to by an open site, then those left without one: matched here, not by
  // a correlated NOT EXISTS (without planner statistics it became a nested loop, 47k × 95k at national size).
  const parents = await store.db.query<{ ref: string | null }>(
    `SELECT DISTINCT fields -> 'partOf' ->> 'reference' AS ref FROM import_provenance
     WHERE source = $1 AND resource_type = 'Organization' AND scope IS NOT NULL AND closed_at IS NULL AND NOT (id = ANY($2::text[]))`,
    [SOURCE, closedSites],
  );
  const referred = new Set(parents.rows.map((r) => r.ref));
  const entities = await store.db.query<Row>(
    `SELECT resource_type, id, scope FROM import_provenance
     WHERE source = $1 AND resource_type = 'Organization' AND scope IS NULL AND closed_at IS NULL ORDER BY id`,
    [SOURCE],
  );
  await closeRows(entities.rows.filter((r) => !seen.has(r.id) && !referred.has(`Organization/${r.id}`)));
}
