import { sqlState, type Queryable } from '../db/database.ts';
import { FhirError } from '../fhir/outcome.ts';
import { tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import type { TxStore } from '../store/resource-store.ts';
import { applyImport, fieldsOf, same, type Fields } from './provenance.ts';

/**
 * The write step shared by the register imports (FINESS, RPPS): in one transaction, each imported
 * resource is merged with its current version and the fields the import last set (field provenance),
 * written through the store only when something changed, and its provenance row updated.
 */

export interface ImportItem {
  resource: Resource;
  /** Closure scope (see import_provenance.scope). */
  scope: string | null;
  /** Written as the closed version of a resource the file no longer lists. */
  closed?: boolean;
}

export interface Tally {
  created: number;
  updated: number;
  unchanged: number;
  /** Fields kept as a person changed them. */
  kept: number;
  /** Resources deleted by a person: not recreated. */
  deletedSkipped: number;
}

export const newTally = (): Tally => ({ created: 0, updated: 0, unchanged: 0, kept: 0, deletedSkipped: 0 });

interface ProvenanceRow {
  t: string;
  i: string;
  f: Fields;
  s: string | null;
  c: boolean;
}

async function upsertProvenance(tx: Queryable, source: string, runId: number, rows: ProvenanceRow[]): Promise<void> {
  if (!rows.length) return;
  await tx.query(
    `INSERT INTO import_provenance (source, resource_type, id, fields, last_run, scope, closed_at)
     SELECT $1, u.t, u.i, u.f, $2, u.s, CASE WHEN u.c THEN now() END FROM jsonb_to_recordset($3::jsonb) AS u(t text, i text, f jsonb, s text, c boolean)
     ON CONFLICT (source, resource_type, id) DO UPDATE
       SET fields = EXCLUDED.fields, last_run = EXCLUDED.last_run, scope = EXCLUDED.scope, closed_at = EXCLUDED.closed_at`,
    [source, runId, JSON.stringify(rows)],
  );
}

/** Content compared for "no change", as the store does: without the server-maintained version metadata. */
function comparable(resource: Resource): Resource {
  const { meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...metaRest } = meta ?? {};
  return { ...rest, meta: metaRest } as Resource;
}

/** How one source shares fields with another (the RPPS activity file and the SavoirFaire file). */
export interface WriteImportOptions {
  /** Items carry only the fields this source provides; a resource that does not exist yet is skipped. */
  partial?: boolean;
  /** A field this source never wrote is still an import's (not a person's) while it holds what this other source last wrote. */
  takeOverFrom?: string;
  /** These fields are left to that other source once it has written them for the resource. */
  yieldTo?: { source: string; fields: string[] };
}

export async function writeImported(
  txs: TxStore, source: string, runId: number, items: ImportItem[], tally: Tally, ctx: RequestContext, opts: WriteImportOptions = {},
): Promise<void> {
  const tx = txs.tx;
  const byType = new Map<string, string[]>();
  for (const { resource } of items) {
    const ids = byType.get(resource.resourceType) ?? [];
    ids.push(resource.id!);
    byType.set(resource.resourceType, ids);
  }
  const current = new Map<string, { deleted: boolean; content: Resource }>();
  for (const [type, ids] of byType) {
    const r = await tx.query<{ id: string; deleted: boolean; content: Resource }>(
      `SELECT id, deleted, content FROM ${tableOf(type as ResourceType)} WHERE id = ANY($1::text[])`, [ids],
    );
    for (const row of r.rows) current.set(`${type}/${row.id}`, row);
  }
  const last = new Map<string, Fields>();
  const other = new Map<string, Fields>();
  const otherSource = opts.takeOverFrom ?? opts.yieldTo?.source;
  // Keyed by (type, id) so that each look-up is one primary-key probe: with the id alone, every row of
  // the source was scanned per batch (0.6 s a batch at the end of the national FINESS import).
  const prov = await tx.query<{ source: string; resource_type: string; id: string; fields: Fields }>(
    `SELECT p.source, p.resource_type, p.id, p.fields FROM unnest($2::text[], $3::text[]) AS k(t, i)
     JOIN import_provenance p ON p.resource_type = k.t AND p.id = k.i AND p.source = ANY($1::text[])`,
    [otherSource ? [source, otherSource] : [source], items.map((i) => i.resource.resourceType), items.map((i) => i.resource.id!)],
  );
  for (const row of prov.rows) (row.source === source ? last : other).set(`${row.resource_type}/${row.id}`, row.fields);

  const rows: ProvenanceRow[] = [];
  const changed: Resource[] = [];
  for (const { resource, scope, closed } of items) {
    const key = `${resource.resourceType}/${resource.id}`;
    const cur = current.get(key);
    if (cur?.deleted) {
      tally.deletedSkipped++;
      continue;
    }
    if (opts.partial && !cur) continue;
    let imported = resource;
    let lastFields = last.get(key) ?? null;
    const theirs = other.get(key);
    if (opts.yieldTo && theirs) {
      const yielded = opts.yieldTo.fields.filter((f) => f in theirs);
      if (yielded.length) {
        imported = { ...resource };
        for (const f of yielded) delete imported[f];
        if (lastFields) lastFields = Object.fromEntries(Object.entries(lastFields).filter(([k]) => !yielded.includes(k)));
      }
    }
    if (opts.takeOverFrom && theirs) {
      const taken = Object.fromEntries(Object.keys(fieldsOf(imported)).filter((k) => !(lastFields && k in lastFields) && k in theirs).map((k) => [k, theirs[k]]));
      if (Object.keys(taken).length) lastFields = { ...taken, ...(lastFields ?? {}) };
    }
    const { resource: merged, kept } = applyImport(cur?.content ?? null, lastFields, imported);
    tally.kept += kept.length;
    if (cur && same(comparable(cur.content), comparable(merged))) tally.unchanged++;
    else changed.push(merged);
    rows.push({ t: resource.resourceType, i: resource.id!, f: fieldsOf(imported), s: scope, c: !!closed });
  }
  // One bulk write for the batch (a refused resource refuses the batch: the caller retries smaller).
  for (const result of await txs.bulkPut(changed, ctx)) {
    tally[result.outcome === 'created' ? 'created' : result.outcome === 'updated' ? 'updated' : 'unchanged']++;
  }
  await upsertProvenance(tx, source, runId, rows);
}

/**
 * An error about the data of one resource (refused by the store, or a data/constraint error of the
 * database): the line is rejected and the import goes on. Anything else (connection lost…) stops it.
 */
export function isDataError(err: unknown): boolean {
  if (err instanceof FhirError) return err.status < 500;
  const state = sqlState(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}
