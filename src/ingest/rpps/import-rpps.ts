import fs from 'node:fs';
import path from 'node:path';
import { completeImportRun, failImportRun, startImportRun } from '../import-run.ts';
import type { RequestContext } from '../../store/context.ts';
import type { ResourceStore } from '../../store/resource-store.ts';
import type { LineProblem } from '../finess/establishment.ts';
import type { ReadProgress } from '../finess/input.ts';
import { CommuneIndex } from '../geo/commune-index.ts';
import { isDataError, newTally, writeImported, type ImportItem, type Tally } from '../import-writer.ts';
import { defaultNosDir } from '../reference-data.ts';
import { SentKeys } from '../sent-keys.ts';
import { ValidationSampler } from '../../store/validation-sampler.ts';
import { mapActivity } from './mapping.ts';
import { readRpps } from './rpps-reader.ts';

/**
 * `importRpps`: Practitioners, practice sites and places, PractitionerRoles and draft city offers from the
 * Annuaire Santé extraction, through the ResourceStore in batches, with the same field provenance as FINESS
 * (a professional's own edits survive re-imports). Closing what left the register is not done yet.
 */

/** Provenance source of the SavoirFaire file (import-savoir-faire.ts): once it has set a role's savoir-faire, the activity file leaves them. */
export const SAVOIR_FAIRE_SOURCE = 'rpps-savoir-faire';

export const RPPS_IMPORT_CONTEXT: RequestContext = { actor: { id: 'import:rpps', kind: 'import' }, source: 'rpps', validation: 'lenient' };

export interface RppsImportReport {
  file: string;
  dryRun: boolean;
  runId: number | null;
  read: number;
  activities: number;
  practitioners: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejectedLines: LineProblem[];
  warnings: LineProblem[];
  warningCount: number;
  referentFieldsKept: number;
  deletedSkipped: number;
  elapsedMs: number;
  resourcesPerSecond: number;
  /** Share of the file read, 0 to 1. */
  fraction: number;
  /** Profile validation of the creations (sampled: how many validated, skipped, failed; the first failures). */
  validation: { mode: 'all' | 'sample'; validated: number; skipped: number; failed: number; failures: string[] };
}

export interface RppsImportOptions {
  dryRun?: boolean;
  batchSize?: number;
  onProgress?: (r: RppsImportReport) => void;
  communes?: CommuneIndex;
  /** Batches written at the same time (default 2 on a PostgreSQL server, 1 on PGlite: one connection). */
  concurrency?: number;
  /**
   * Keys of shared resources remembered as sent in this run (default 200,000, ≈ 30 MB): memory stays bounded
   * whatever the file's size; a resource met again after more keys than that is skipped by the writer instead.
   */
  rememberedKeys?: number;
  /**
   * Profile validation: `sample` (default; a trusted write of our own mapping, src/store/validation-sampler.ts:
   * the first 20 creations of each type, then one in 100, every update) or `all`.
   */
  validate?: 'all' | 'sample';
}

const SOURCE = 'rpps';
const ROLLBACK = Symbol('dry-run rollback');

/** Profession codes of JDV_J229-ProfessionSante-ROR (the ROR's value set for PractitionerRole.code). */
function rorProfessions(): Set<string> {
  const vs = JSON.parse(fs.readFileSync(path.join(defaultNosDir(), 'ValueSet-JDV-J229-ProfessionSante-ROR.json'), 'utf8')) as {
    compose: { include: { concept?: { code: string }[] }[] };
  };
  return new Set(vs.compose.include.flatMap((i) => (i.concept ?? []).map((c) => c.code)));
}

export async function importRpps(store: ResourceStore, file: string, opts: RppsImportOptions = {}): Promise<RppsImportReport> {
  const started = Date.now();
  const dryRun = !!opts.dryRun;
  const batchSize = opts.batchSize ?? 500;
  const communes = opts.communes ?? CommuneIndex.load();
  const professions = rorProfessions();
  if (opts.validate !== undefined && opts.validate !== 'all' && opts.validate !== 'sample') throw new Error('validate must be all or sample');
  const sampler = opts.validate === 'all' ? undefined : new ValidationSampler();
  const report: RppsImportReport = {
    file, dryRun, runId: null, read: 0, activities: 0, practitioners: 0, created: 0, updated: 0, unchanged: 0, rejected: 0,
    rejectedLines: [], warnings: [], warningCount: 0, referentFieldsKept: 0, deletedSkipped: 0, elapsedMs: 0, resourcesPerSecond: 0,
    fraction: 0, validation: { mode: opts.validate ?? 'sample', validated: 0, skipped: 0, failed: 0, failures: [] },
  };
  const bytes: ReadProgress = { bytesRead: 0, totalBytes: fs.statSync(file).size };
  const runId = await startImportRun(store.db, SOURCE, file, dryRun);
  report.runId = dryRun ? null : runId;
  try {
    const add = (t: Tally) => {
      report.created += t.created;
      report.updated += t.updated;
      report.unchanged += t.unchanged;
      report.referentFieldsKept += t.kept;
      report.deletedSkipped += t.deletedSkipped;
    };
    const write = async (items: ImportItem[]) => {
      const tally = newTally();
      try {
        await store.transaction(async (tx) => {
          await writeImported(tx, SOURCE, runId, items, tally, RPPS_IMPORT_CONTEXT, {
            yieldTo: { source: SAVOIR_FAIRE_SOURCE, fields: ['specialty'] },
            oncePerRun: true,
            sampler,
          });
          if (dryRun) throw ROLLBACK;
        });
      } catch (err) {
        if (err !== ROLLBACK) throw err;
      }
      add(tally);
      // Sent again after being forgotten (SentKeys) and skipped by the writer: already counted.
      report.practitioners -= tally.repeated.Practitioner ?? 0;
    };

    type Line = { line: number; items: ImportItem[] };
    const flush = async (lines: Line[]) => {
      if (!lines.length) return;
      try {
        await write(lines.flatMap((b) => b.items));
      } catch (batchErr) {
        if (!isDataError(batchErr)) throw batchErr;
        for (const b of lines) {
          try {
            await write(b.items);
          } catch (err) {
            if (!isDataError(err)) throw err;
            report.rejected++;
            report.rejectedLines.push({ line: b.line, fr: `écriture refusée : ${(err as Error).message}`, en: `write refused: ${(err as Error).message}` });
          }
        }
      }
      report.elapsedMs = Date.now() - started;
      report.resourcesPerSecond = Math.round(((report.created + report.updated + report.unchanged) * 1000) / Math.max(1, report.elapsedMs));
      report.fraction = bytes.totalBytes > 0 ? Math.min(1, bytes.bytesRead / bytes.totalBytes) : 1;
      opts.onProgress?.(report);
    };

    // Shared resources (a professional with several activities, a site with several professionals) are sent
    // once per run: a batch never holds a resource that an uncommitted batch holds, so that two batches can
    // be written at once (one mapped and validated here while the other is written by the server).
    const sent = new SentKeys(opts.rememberedKeys);
    const concurrency = Math.max(1, opts.concurrency ?? (store.db.kind === 'postgres' ? 2 : 1));
    const inFlight: { seq: number; done: Promise<void> }[] = [];
    let seq = 0;
    const launch = async (lines: Line[]) => {
      const done = flush(lines);
      done.catch(() => undefined); // awaited below, in order; this only keeps a failure from being reported unhandled meanwhile
      inFlight.push({ seq: seq++, done });
      // In order: the oldest batch is awaited first, so the batches in flight are always the latest ones.
      while (inFlight.length >= concurrency) await settle();
    };
    const settle = async () => {
      await inFlight[0]!.done;
      inFlight.shift();
      sent.committedBefore(inFlight[0]?.seq ?? seq);
    };

    let batch: Line[] = [];
    let size = 0;
    for await (const item of readRpps(file, bytes)) {
      report.read++;
      if (item.kind === 'rejected') {
        report.rejected++;
        report.rejectedLines.push(item.problem);
        continue;
      }
      report.activities++;
      const m = mapActivity(item.record, communes, professions);
      report.warningCount += m.warnings.length;
      for (const w of m.warnings) if (report.warnings.length < 1000) report.warnings.push(w);
      const items: ImportItem[] = [];
      for (const res of [m.practitioner, m.site, m.location, m.role, m.offer]) {
        if (!res || sent.sentOrAdd(`${res.resourceType}/${res.id}`, seq)) continue;
        if (res.resourceType === 'Practitioner') report.practitioners++;
        items.push({ resource: res, scope: null });
      }
      batch.push({ line: item.record.line, items });
      size += items.length;
      if (size >= batchSize) {
        await launch(batch);
        batch = [];
        size = 0;
      }
    }
    await launch(batch);
    while (inFlight.length) await settle();
    if (sampler) report.validation = { mode: 'sample', validated: sampler.validated, skipped: sampler.skipped, failed: sampler.failed, failures: sampler.failures };
    report.elapsedMs = Date.now() - started;
    if (!dryRun) {
      await completeImportRun(store.db, runId, report.created + report.updated > 0, {
        ...report, rejectedLines: report.rejectedLines.slice(0, 1000), warnings: report.warnings.slice(0, 100),
      });
    }
  } catch (err) {
    await failImportRun(store.db, runId, err);
    throw err;
  }
  return report;
}
