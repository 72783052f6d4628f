import fs from 'node:fs';
import path from 'node:path';
import type { Coding, Resource } from '../../fhir/types.ts';
import type { ResourceStore } from '../../store/resource-store.ts';
import type { ReadProgress } from '../finess/input.ts';
import { completeImportRun, failImportRun, startImportRun } from '../import-run.ts';
import { isDataError, newTally, writeImported, type ImportItem, type Tally } from '../import-writer.ts';
import { defaultNosDir } from '../reference-data.ts';
import { RPPS_IMPORT_CONTEXT, SAVOIR_FAIRE_SOURCE, type RppsImportReport } from './import-rpps.ts';
import { RPPS_SYSTEMS, rppsIds } from './mapping.ts';
import { readSavoirFaire, type SavoirFaireLine } from './savoir-faire-reader.ts';

/**
 * `PS_LibreAcces_SavoirFaire` → the savoir-faire (PractitionerRole.specialty) of the professionals'
 * roles already imported from the activity file: every savoir-faire of a professional, each as its
 * type (TRE_R04) followed by its code, on each of the professional's RPPS roles. A source of its own
 * (`rpps-savoir-faire`) with field provenance: it takes the field over from the activity import (which
 * then leaves it alone), and a value a person entered is kept. Professionals without a role are skipped.
 */

const ROLLBACK = Symbol('dry-run rollback');

const cc = (system: string, code: string, display?: string) => ({ coding: [{ system, code, ...(display ? { display } : {}) } as Coding] });

let capacities: Map<string, string> | undefined;
/** Capacity codes of JDV_J213-CapaciteSavoirFaire-ROR → the OID of their code system (given by the NOS file). */
function capacitySystems(): Map<string, string> {
  capacities ??= new Map(
    fs.readFileSync(path.join(defaultNosDir(), 'JDV_J213-CapaciteSavoirFaire-ROR.tabs'), 'utf8').split('\n').slice(3)
      .map((l) => l.split(';')).filter((f) => f.length >= 2 && f[1]).map((f) => [f[1]!.trim(), `urn:oid:${f[0]!.trim()}`]),
  );
  return capacities;
}

/**
 * The specialty entries of a professional's savoir-faire, in file order. An ordinal speciality (type S)
 * is coded in TRE_R38 as the activity import does; a capacity (CAPA) in the code system JDV_J213 names
 * (by OID); the other types' code goes without a system, the code systems behind their ROR value sets
 * (JDV_J211, J212, J214–J216, J232) not being in the NOS files here.
 */
export function specialtyOf(lines: SavoirFaireLine[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const l of lines) {
    const key = `${l.typeCode}|${l.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(cc(RPPS_SYSTEMS.typeSavoirFaire, l.typeCode, l.type));
    const system = l.typeCode === 'S' ? RPPS_SYSTEMS.specialiteOrdinale : l.typeCode === 'CAPA' ? capacitySystems().get(l.code) : undefined;
    out.push(system ? cc(system, l.code, l.label) : { coding: [{ code: l.code, ...(l.label ? { display: l.label } : {}) }] });
  }
  return out;
}

export async function importSavoirFaire(
  store: ResourceStore, file: string, opts: { dryRun?: boolean; batchSize?: number; onProgress?: (r: RppsImportReport) => void } = {},
): Promise<RppsImportReport> {
  const started = Date.now();
  const dryRun = !!opts.dryRun;
  const batchSize = opts.batchSize ?? 500;
  const report: RppsImportReport = {
    file, dryRun, runId: null, read: 0, activities: 0, practitioners: 0, created: 0, updated: 0, unchanged: 0, rejected: 0,
    rejectedLines: [], warnings: [], warningCount: 0, referentFieldsKept: 0, deletedSkipped: 0, elapsedMs: 0, resourcesPerSecond: 0, fraction: 0,
    // Only updates of existing roles: every one is validated.
    validation: { mode: 'all', validated: 0, skipped: 0, failed: 0, failures: [] },
  };
  const bytes: ReadProgress = { bytesRead: 0, totalBytes: fs.statSync(file).size };
  const runId = await startImportRun(store.db, SAVOIR_FAIRE_SOURCE, file, dryRun);
  report.runId = dryRun ? null : runId;
  const add = (t: Tally) => {
    report.updated += t.updated;
    report.unchanged += t.unchanged;
    report.referentFieldsKept += t.kept;
    report.deletedSkipped += t.deletedSkipped;
  };
  try {
    /** Professionals of a batch → the roles the activity import gave them → one partial role each. */
    const write = async (group: Map<string, SavoirFaireLine[]>) => {
      const tally = newTally();
      try {
        await store.transaction(async (tx) => {
          const practitioners = [...group.keys()].map(rppsIds.practitioner);
          const roles = await tx.tx.query<{ id: string; target_id: string }>(
            `SELECT id, target_id FROM search_reference WHERE rtype = 'PractitionerRole' AND param = 'practitioner' AND target_id = ANY($1::text[]) AND id LIKE 'rpps-role-%'`,
            [practitioners],
          );
          const items: ImportItem[] = roles.rows.map((r) => ({
            resource: { resourceType: 'PractitionerRole', id: r.id, specialty: specialtyOf(group.get(r.target_id.slice('rpps-'.length))!) } as Resource,
            scope: null,
          }));
          report.practitioners += new Set(roles.rows.map((r) => r.target_id)).size;
          await writeImported(tx, SAVOIR_FAIRE_SOURCE, runId, items, tally, RPPS_IMPORT_CONTEXT, { partial: true, takeOverFrom: 'rpps' });
          if (dryRun) throw ROLLBACK;
        });
      } catch (err) {
        if (err !== ROLLBACK) throw err;
      }
      add(tally);
    };
    const flush = async (group: Map<string, SavoirFaireLine[]>) => {
      if (!group.size) return;
      try {
        await write(group);
      } catch (batchErr) {
        if (!isDataError(batchErr)) throw batchErr;
        for (const [id, lines] of group) {
          try {
            await write(new Map([[id, lines]]));
          } catch (err) {
            if (!isDataError(err)) throw err;
            report.rejected++;
            report.rejectedLines.push({ line: lines[0]!.line, fr: `écriture refusée : ${(err as Error).message}`, en: `write refused: ${(err as Error).message}` });
          }
        }
      }
      report.elapsedMs = Date.now() - started;
      report.resourcesPerSecond = Math.round(((report.updated + report.unchanged) * 1000) / Math.max(1, report.elapsedMs));
      report.fraction = bytes.totalBytes > 0 ? Math.min(1, bytes.bytesRead / bytes.totalBytes) : 1;
      opts.onProgress?.(report);
    };

    // The file lists a professional's savoir-faire on consecutive lines: a batch ends between professionals.
    let group = new Map<string, SavoirFaireLine[]>();
    let previous: string | undefined;
    for await (const item of readSavoirFaire(file, bytes)) {
      report.read++;
      if (item.kind === 'rejected') {
        report.rejected++;
        report.rejectedLines.push(item.problem);
        continue;
      }
      report.activities++;
      const r = item.record;
      if (r.idNatPS !== previous && group.size >= batchSize) {
        await flush(group);
        group = new Map();
      }
      previous = r.idNatPS;
      const list = group.get(r.idNatPS) ?? [];
      list.push(r);
      group.set(r.idNatPS, list);
    }
    await flush(group);
    report.elapsedMs = Date.now() - started;
    if (!dryRun) {
      await completeImportRun(store.db, runId, report.updated > 0, { ...report, rejectedLines: report.rejectedLines.slice(0, 1000), warnings: [] });
    }
  } catch (err) {
    await failImportRun(store.db, runId, err);
    throw err;
  }
  return report;
}
