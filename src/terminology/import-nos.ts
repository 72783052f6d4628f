import path from 'node:path';
import type { Database, Queryable } from '../db/database.ts';
import { buildCatalogue, type ConceptData, type MemberData, type ResolutionNote } from './catalogue.ts';
import { parseFolder } from './nos-files.ts';
import { conceptSearchText } from './search-text.ts';
import { readTerminologyTables, upsertJson } from './terminology-tables.ts';

/** What one file did to the tables. `retired` = codes newly flagged (end date, or gone from the file). */
export interface FileImportReport {
  file: string;
  kind: 'CodeSystem' | 'ValueSet' | 'skipped';
  url?: string;
  read: number;
  added: number;
  updated: number;
  retired: number;
  unchanged: number;
}

export interface NosImportReport {
  files: FileImportReport[];
  /** Value-set rows moved to the code system that defines them (source quirks, e.g. J29). */
  notes: ResolutionNote[];
}

type Db = Queryable & Partial<Pick<Database, 'transaction'>>;

/**
 * Loads or refreshes the terminology tables from the files of one or more folders: new codes are
 * added, labels and dates updated, codes gone from a file or given an end date flagged retired;
 * nothing is ever deleted. Runs in one transaction (or in the caller's, e.g. a migration).
 */
export async function importNos(db: Db, dir: string | string[], log: (msg: string) => void = () => undefined): Promise<NosImportReport> {
  const dirs = Array.isArray(dir) ? dir : [dir];
  const files = (await Promise.all(dirs.map((d) => parseFolder(d)))).flat();
  const run = async (tx: Queryable) => {
    const existing = await readTerminologyTables(tx);
    const cat = buildCatalogue(files, existing);
    const reports: FileImportReport[] = [];
    const oldConcepts = new Map<string, ConceptData>(existing.concepts.map((c) => [`${c.system}|${c.code}`, c]));
    const newConcepts = new Map<string, ConceptData>(cat.concepts.map((c) => [`${c.system}|${c.code}`, c]));
    const conceptOf = (system: string, code: string) => newConcepts.get(`${system}|${code}`) ?? oldConcepts.get(`${system}|${code}`);

    const csRows: Record<string, unknown>[] = [];
    const conceptRows: Record<string, unknown>[] = [];
    for (const cs of cat.codeSystems) {
      const report: FileImportReport = { file: cs.source, kind: 'CodeSystem', url: cs.url, read: 0, added: 0, updated: 0, retired: 0, unchanged: 0 };
      csRows.push({ url: cs.url, name: cs.name, oid: cs.oid ?? null, version: cs.version ?? null, title: cs.title ?? null, kind: cs.kind, source: cs.source });
      const inFile = new Set<string>();
      for (const c of cat.concepts.filter((x) => x.system === cs.url)) {
        report.read++;
        inFile.add(c.code);
        const old = oldConcepts.get(`${c.system}|${c.code}`);
        if (!old) report.added++;
        else if (!sameConcept(old, c)) {
          if (c.retired && !old.retired) report.retired++;
          else report.updated++;
        } else {
          report.unchanged++;
          continue;
        }
        conceptRows.push(conceptRow(c));
      }
      for (const old of existing.concepts.filter((x) => x.system === cs.url && !inFile.has(x.code) && !x.retired)) {
        report.retired++;
        const gone = { ...old, retired: true };
        newConcepts.set(`${old.system}|${old.code}`, gone);
        conceptRows.push(conceptRow(gone));
      }
      reports.push(report);
    }

    const vsRows: Record<string, unknown>[] = [];
    const memberRows: Record<string, unknown>[] = [];
    const oldMembers = new Map(existing.valueSets.map((v) => [v.url, v.members]));
    for (const vs of cat.valueSets) {
      const report: FileImportReport = { file: vs.source, kind: 'ValueSet', url: vs.url, read: 0, added: 0, updated: 0, retired: 0, unchanged: 0 };
      vsRows.push({
        url: vs.url, name: vs.name, oid: vs.oid ?? null, version: vs.version ?? null, title: vs.title ?? null, kind: vs.kind, source: vs.source,
        include_systems: vs.includeSystems, include_value_sets: vs.includeValueSets,
      });
      const before = new Map((oldMembers.get(vs.url) ?? []).map((m) => [`${m.system}|${m.code}`, m]));
      const memberRow = (m: MemberData, ord: number) => {
        const c = m.systemKnown ? conceptOf(m.system, m.code) : undefined;
        return {
          value_set: vs.url, system: m.system, system_known: m.systemKnown, oid: m.oid ?? null, code: m.code, display: m.display, ord,
          retired: Boolean(m.removed) || Boolean(c?.retired), removed: Boolean(m.removed),
          search_text: conceptSearchText(m.code, [m.display, c?.display, c?.shortLabel, c?.longLabel]),
        };
      };
      vs.members.forEach((m, i) => {
        report.read++;
        const old = before.get(`${m.system}|${m.code}`);
        before.delete(`${m.system}|${m.code}`);
        if (!old) report.added++;
        else if (old.display !== m.display || old.systemKnown !== m.systemKnown || Boolean(old.removed) || (old.oid ?? null) !== (m.oid ?? null)) report.updated++;
        else report.unchanged++;
        // Every row is written: its search text depends on the code system labels, which may have changed.
        memberRows.push(memberRow(m, i));
      });
      let ord = vs.members.length;
      for (const old of before.values()) {
        if (!old.removed) report.retired++;
        memberRows.push(memberRow({ ...old, removed: true }, ord++));
      }
      reports.push(report);
    }
    const described = new Set(reports.map((r) => r.file));
    for (const f of files) {
      const name = path.basename(f.file);
      if (!described.has(name)) reports.push({ file: name, kind: 'skipped', read: 0, added: 0, updated: 0, retired: 0, unchanged: 0 });
    }

    await upsertJson(tx, 'terminology_code_system', {
      url: 'text', name: 'text', oid: 'text', version: 'text', title: 'text', kind: 'text', source: 'text',
    }, ['url'], csRows, 'updated_at = now()');
    await upsertJson(tx, 'terminology_concept', {
      system: 'text', code: 'text', display: 'text', short_label: 'text', long_label: 'text', retired: 'boolean',
      valid_from: 'date', valid_to: 'date', version: 'text', search_text: 'text',
    }, ['system', 'code'], conceptRows);
    await upsertJson(tx, 'terminology_value_set', {
      url: 'text', name: 'text', oid: 'text', version: 'text', title: 'text', kind: 'text', source: 'text',
      include_systems: 'text[]', include_value_sets: 'text[]',
    }, ['url'], vsRows, 'updated_at = now()');
    await upsertJson(tx, 'terminology_value_set_member', {
      value_set: 'text', system: 'text', system_known: 'boolean', oid: 'text', code: 'text', display: 'text', ord: 'integer',
      retired: 'boolean', removed: 'boolean', search_text: 'text',
    }, ['value_set', 'system', 'code'], memberRows);
    if (conceptRows.length) {
      // Value sets not in this import still show the retirement of their codes.
      await tx.query(
        `UPDATE terminology_value_set_member m SET retired = m.removed OR c.retired
           FROM terminology_concept c
          WHERE c.system = m.system AND c.code = m.code AND m.system_known AND m.retired <> (m.removed OR c.retired)`,
      );
    }
    for (const r of reports) {
      if (r.kind !== 'skipped') log(`${r.file}: ${r.read} read, ${r.added} added, ${r.updated} updated, ${r.retired} retired, ${r.unchanged} unchanged`);
    }
    for (const n of cat.notes) log(`${n.valueSet} ${n.code}: filed under ${n.from}, attached to ${n.to}`);
    return { files: reports, notes: cat.notes };
  };
  return db.transaction ? db.transaction(run) : run(db);
}

function conceptRow(c: ConceptData): Record<string, unknown> {
  return {
    system: c.system, code: c.code, display: c.display, short_label: c.shortLabel ?? null, long_label: c.longLabel ?? null,
    retired: c.retired, valid_from: c.validFrom ?? null, valid_to: c.validTo ?? null, version: c.version ?? null,
    search_text: conceptSearchText(c.code, [c.display, c.shortLabel, c.longLabel]),
  };
}

function sameConcept(a: ConceptData, b: ConceptData): boolean {
  return (
    a.display === b.display && (a.shortLabel ?? null) === (b.shortLabel ?? null) && (a.longLabel ?? null) === (b.longLabel ?? null) &&
    a.retired === b.retired && (a.validFrom ?? null) === (b.validFrom ?? null) && (a.validTo ?? null) === (b.validTo ?? null) &&
    (a.version ?? null) === (b.version ?? null)
  );
}
