import { sqlState, type Queryable } from '../db/database.ts';
import { FhirError } from '../fhir/outcome.ts';
import { tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import type { TxStore } from '../store/resource-store.ts';
import type { ValidationSampler } from '../store/validation-sampler.ts';
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
  /** Resources skipped as already written by this run (`oncePerRun`), by type. */
  repeated: Record<string, number>;
}

export const newTally = (): Tally => ({ created: 0, updated: 0, unchanged: 0, kept: 0, deletedSkipped: 0, repeated: {} });

interface ProvenanceRow {
  t: string;
  i: string;
  /** Omitted when equal to the stored fields: a re-import sends and parses only the keys, not a fourth copy of each resource. */
  f?: Fields;
  s: string | null;
  c: boolean;
}

async function upsertProvenance(tx: Queryable, source: string, runId: number, rows: ProvenanceRow[]): Promise<void> {
  if (!rows.length) return;
  // Rows without `f` always have a stored row (their fields were read from it in this transaction, under
  // the batch's lock of the resource): the JSON null placeholder never reaches the table.
  await tx.query(
    `INSERT INTO import_provenance (source, resource_type, id, fields, last_run, scope, closed_at)
     SELECT $1, u.t, u.i, COALESCE(u.f, 'null'::jsonb), $2, u.s, CASE WHEN u.c THEN now() END FROM jsonb_to_recordset($3::jsonb) AS u(t text, i text, f jsonb, s text, c boolean)
     ON CONFLICT (source, resource_type, id) DO UPDATE
       SET fields = CASE WHEN EXCLUDED.fields = 'null'::jsonb THEN import_provenance.fields ELSE EXCLUDED.fields END,
           last_run = EXCLUDED.last_run, scope = EXCLUDED.scope, closed_at = EXCLUDED.closed_at`,
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
  /**
   * A resource this run already wrote (its provenance row carries this run) is skipped, neither written
   * nor counted: lets a caller that forgets which shared resources it has sent (bounded memory) send one again.
   */
  oncePerRun?: boolean;
  /** Trusted write: profile validation of the sampled creations only (src/store/validation-sampler.ts). */
  sampler?: ValidationSampler;
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
  const lastRun = new Map<string, number>();
  const lastState = new Map<string, { scope: string | null; closed: boolean }>();
  const other = new Map<string, Fields>();
  const otherSource = opts.takeOverFrom ?? opts.yieldTo?.source;
  // One primary-key probe per item, forced by the LATERAL subquery (OFFSET 0 keeps it from being flattened
  // into a join): as a plain join, a table without statistics yet (a first import) was sorted whole for a
  // merge join, 250 ms a batch at 25k rows and growing with the table.
  const prov = await tx.query<{ source: string; resource_type: string; id: string; fields: Fields; last_run: string | number; scope: string | null; closed: boolean }>(
    `SELECT p.source, p.resource_type, p.id, p.fields, p.last_run, p.scope, p.closed_at IS NOT NULL AS closed FROM unnest($2::text[], $3::text[]) AS k(t, i)
     CROSS JOIN LATERAL (SELECT * FROM import_provenance q WHERE q.source = ANY($1::text[]) AND q.resource_type = k.t AND q.id = k.i OFFSET 0) p`,
    [otherSource ? [source, otherSource] : [source], items.map((i) => i.resource.resourceType), items.map((i) => i.resource.id!)],
  );
  for (const row of prov.rows) {
    const key = `${row.resource_type}/${row.id}`;
    if (row.source === source) {
      last.set(key, row.fields);
      lastRun.set(key, Number(row.last_run));
      lastState.set(key, { scope: row.scope, closed: row.closed });
    } else other.set(key, row.fields);
  }

  const rows: ProvenanceRow[] = [];
  const changed: Resource[] = [];
  for (const { resource, scope, closed } of items) {
    const key = `${resource.resourceType}/${resource.id}`;
    if (opts.oncePerRun && lastRun.get(key) === runId) {
      tally.repeated[resource.resourceType] = (tally.repeated[resource.resourceType] ?? 0) + 1;
      continue;
    }
    const cur = current.get(key);
    if (cur?.deleted) {
      tally.deletedSkipped++;
      continue;
    }
    if (opts.partial && !cur) continue;
    let imported = resource;
    const stored = last.get(key);
    let lastFields = stored ?? null;
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
    const { resource: merged, kept, changed: touched } = applyImport(cur?.content ?? null, lastFields, imported);
    tally.kept += kept.length;
    if (cur && (!touched || same(comparable(cur.content), comparable(merged)))) tally.unchanged++;
    else changed.push(merged);
    const fields = fieldsOf(imported);
    const sameFields = !!stored && same(fields, stored);
    const state = lastState.get(key);
    // A provenance row already as it would be written is left alone (a re-import of an unchanged file writes
    // nothing): `last_run` is then the last run that changed it. Closure tells this run's resources by the ids
    // it saw, not by `last_run`; only `oncePerRun` needs every resource of the run stamped.
    if (sameFields && !opts.oncePerRun && state && state.scope === scope && state.closed === !!closed) continue;
    rows.push({ t: resource.resourceType, i: resource.id!, f: sameFields ? undefined : fields, s: scope, c: !!closed });
  }
  // One bulk write for the batch (a refused resource refuses the batch: the caller retries smaller).
  for (const result of await txs.bulkPut(changed, ctx, { sampler: opts.sampler })) {
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
