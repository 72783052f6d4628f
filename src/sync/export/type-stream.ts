/**
 * The ndjson lines of one type of an export, as the caller may see them, and their gzip file.
 *
 * Rows are read as text (`content::text`) in keyset pages, the next page being fetched while the
 * current one is processed. Every resource still goes through the read guard (same rules, facts and
 * audit as a FHIR read): what the guard returns unchanged, which is most of the directory for most
 * callers, is written as the text PostgreSQL gave, without serialising it again; only redacted
 * resources are serialised. A resource the guard hides is not written.
 *
 * Two sources of ids: the job's `export_member` rows (a `_typeFilter` or `_myCompleteExtract`
 * selection), or, for a plain type, the table itself under the caller's access predicate (no
 * selection table to fill, one statement per page).
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Queryable } from '../../db/database.ts';
import { tableOf, type ResourceType } from '../../fhir/resource-types.ts';
import type { Resource } from '../../fhir/types.ts';
import { baseWhere, type AccessFilter } from '../../search/compile/base-where.ts';
import { SqlParams } from '../../search/compile/sql-params.ts';
import type { ReadGuard } from '../../security/read-guard.ts';
import { DETAIL_PATTERNS, featuresSql, plainRowTest } from '../../security/redaction-features.ts';
import { principalOf } from '../../security/write-authorizer.ts';
import type { RequestContext } from '../../store/context.ts';

export interface TypeSource {
  db: Queryable;
  readGuard: ReadGuard;
  type: ResourceType;
  caller: RequestContext;
  /** The job whose `export_member` rows list the ids; undefined = every row of the type the caller may read. */
  membersOf?: string;
  /** Only the access predicate of the caller's profile (plain types); ignored with `membersOf`. */
  access?: AccessFilter;
  /** Versions written after this instant only (`_since`). */
  since?: string;
  batchSize: number;
  /** Pages read at once (default 2). */
  readAhead?: number;
  /** false: every row through the read guard, even those plain for the caller (tests compare both ways). */
  plainRows?: boolean;
}

interface Row { id: string; raw: string; features?: number }

interface PageQueries {
  /** The ids of the next page after `after` (keyset on id, index-only where it can). */
  ids(after: string): Promise<string[]>;
  /** The contents of those ids, as text, in id order. */
  contents(ids: string[]): Promise<Row[]>;
}

/** The two statements of a page, for a source; `features`: also read each row's redaction features. */
function pageQueries(src: TypeSource, features: boolean): PageQueries {
  const table = tableOf(src.type);
  const n = Math.floor(src.batchSize);
  if (src.membersOf) {
    const job = src.membersOf;
    const since = src.since ? 'AND m.last_updated > $2::timestamptz' : '';
    const fixed = [...(src.since ? [src.since] : []), ...(features ? [DETAIL_PATTERNS] : [])];
    const featureColumn = features ? `, ${featuresSql('m.content', `$${fixed.length + 1}`)} AS features` : '';
    return {
      ids: async (after) => (await src.db.query<{ id: string }>(
        'SELECT id FROM export_member WHERE job_id = $1 AND resource_type = $2 AND id > $3 ORDER BY id LIMIT $4', [job, src.type, after, n],
      )).rows.map((r) => r.id),
      contents: async (ids) => (await src.db.query<Row>(
        `SELECT m.id, m.content::text AS raw${featureColumn} FROM ${table} m WHERE m.id = ANY($1::text[]) AND NOT m.deleted ${since} ORDER BY m.id`,
        [ids, ...fixed],
      )).rows,
    };
  }
  // The access predicate is applied to both statements: a row changed in between is judged as read.
  const p = new SqlParams();
  const where = baseWhere({ ctx: src.caller, params: p, access: src.access }, src.type, 'm')
    + (src.since ? ` AND m.last_updated > ${p.add(src.since, 'timestamptz')}` : '');
  const fixed = [...p.values];
  const next = `$${fixed.length + 1}`;
  const featureColumn = features ? `, ${featuresSql('m.content', `$${fixed.length + 2}`)} AS features` : '';
  return {
    ids: async (after) => (await src.db.query<{ id: string }>(
      `SELECT m.id FROM ${table} m WHERE ${where} AND m.id > ${next} ORDER BY m.id LIMIT ${n}`, [...fixed, after],
    )).rows.map((r) => r.id),
    contents: async (ids) => (await src.db.query<Row>(
      `SELECT m.id, m.content::text AS raw${featureColumn} FROM ${table} m WHERE ${where} AND m.id = ANY(${next}::text[]) ORDER BY m.id`,
      [...fixed, ids, ...(features ? [DETAIL_PATTERNS] : [])],
    )).rows,
  };
}

/**
 * The ndjson text of a type, one chunk per page. `checkpoint` runs before each page (lease renewal,
 * cancellation); `counter.written` follows the number of resources written. `readAhead` pages are read at
 * once (each on its own connection) while the oldest is parsed, guarded and compressed: reading and
 * converting the rows is most of the work of the database, and one connection uses one core.
 */
export async function* typeLines(src: TypeSource, counter: { written: number }, checkpoint: () => Promise<void>): AsyncGenerator<string> {
  const plain = src.plainRows === false ? undefined : plainRowTest(principalOf(src.caller), src.type);
  const q = pageQueries(src, plain !== undefined);
  const depth = Math.max(1, Math.floor(src.readAhead ?? 2));
  const queue: Promise<Row[]>[] = [];
  let after = '';
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && queue.length < depth) {
      const ids = await q.ids(after);
      if (ids.length === 0) {
        exhausted = true;
        return;
      }
      after = ids[ids.length - 1];
      const page = q.contents(ids);
      page.catch(() => undefined);
      queue.push(page);
    }
  };
  try {
    await checkpoint();
    await fill();
    while (queue.length) {
      const rows = await queue.shift()!;
      await checkpoint();
      await fill();
      // Plain rows are written as PostgreSQL gave them; the others are parsed and guarded (the guard's facts,
      // redaction and audit see only them).
      const guarded = plain ? rows.filter((r) => !plain(Number(r.features))) : rows;
      const resources = guarded.map((r) => JSON.parse(r.raw) as Resource);
      const seen = await src.readGuard.view(src.caller, resources, 'export');
      // What the guard changed: a redacted copy, or null for a hidden resource.
      const changed = new Map<Row, Resource | null>();
      guarded.forEach((row, i) => {
        if (seen[i] !== resources[i]) changed.set(row, seen[i]);
      });
      let text = '';
      for (const row of rows) {
        const view = changed.get(row);
        if (view === null) continue;
        // Unchanged: the stored text as is (jsonb text has no line breaks).
        text += (view === undefined ? row.raw : JSON.stringify(view)) + '\n';
        counter.written++;
      }
      if (text) yield text;
    }
  } finally {
    // Stopped early (cancel, error): let the reads in flight finish before the caller releases anything.
    await Promise.allSettled(queue);
  }
}

/** Writes `<target>.part` through gzip at `level`, then renames it: a file listed in a manifest is always whole. */
export async function writeGzipFile(target: string, chunks: AsyncIterable<string>, level: number): Promise<void> {
  const gzip = zlib.createGzip({ level });
  const written = pipeline(gzip, fs.createWriteStream(`${target}.part`));
  try {
    for await (const chunk of chunks) {
      if (!gzip.write(chunk)) await once(gzip, 'drain');
    }
    gzip.end();
    await written;
  } catch (err) {
    gzip.destroy();
    await written.catch(() => undefined);
    throw err;
  }
  await fs.promises.rename(`${target}.part`, target);
}
