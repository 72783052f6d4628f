/**
 * The ndjson lines of one type of an export, as the caller may see them, and their gzip file.
 *
 * Rows are read as text (`content::text`) in keyset pages, the next page being fetched while the
 * current one is processed. Every resource still goes through the read guard (same rules, facts and
 * audit as a FHIR read): what the guard returns unchanged, which is most of the directory for most
 * callers, is written as the text PostgreSQL gave, without serialising it again — on the PostgreSQL server
 * as the bytes its COPY sends, not even decoded; only redacted resources are serialised. A resource the
 * guard hides is not written.
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
import { inlineParams, sqlLiteral } from '../../db/sql-literal.ts';
import { DETAIL_PATTERNS, FEATURE, featuresSql, plainRowTest } from '../../security/redaction-features.ts';
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

/** A row of a page: its stored JSON as text, or, for a plain row read through COPY, as the bytes of its ndjson line. */
interface Row { id: string; raw?: string; line?: Buffer; features?: number }

interface PageQueries {
  /** The ids of the next page after `after` (keyset on id, index-only where it can). */
  ids(after: string): Promise<string[]>;
  /** The rows of those ids (`raw`), in id order. */
  contents(ids: string[]): Promise<Row[]>;
  /**
   * Instead of `contents`, on the PostgreSQL server: the rows of the page's id range, through COPY, plain rows as
   * bytes (`line`) and the others as text (`raw`), in id order.
   */
  copied?(first: string, last: string): Promise<Row[]>;
}

/** Every value the feature bits can take. */
const FEATURE_VALUES = Array.from({ length: Object.values(FEATURE).reduce((a, b) => a | b, 0) + 1 }, (_, i) => i);

/**
 * The rows of a page straight from PostgreSQL: `COPY (SELECT id, features, content …) TO STDOUT` in CSV form with a
 * delimiter and a quote character that ids, numbers and jsonb text never hold (control characters are escaped in
 * JSON), so that each line is the id, the features, the stored JSON and a newline. A plain row's JSON goes to the file
 * as those bytes, never decoded nor parsed in node; only the others are decoded for the guard. COPY takes no
 * parameters: the access predicate's values are written into the text; a value that cannot be (sqlLiteral) leaves
 * the type to the parameterised path.
 */
function copiedRows(src: TypeSource, table: string, where: string, values: unknown[], plain: (features: number) => boolean): PageQueries['copied'] {
  const copyOut = src.db.copyOut?.bind(src.db);
  if (!copyOut) return undefined;
  let fixedWhere: string;
  try {
    fixedWhere = inlineParams(where, values);
  } catch {
    return undefined;
  }
  const features = featuresSql('m.content', sqlLiteral(DETAIL_PATTERNS));
  return async (first, last) => {
    const buf = Buffer.concat(await copyOut(`COPY (SELECT m.id, ${features}, m.content FROM ${table} m
      WHERE ${fixedWhere} AND m.id >= ${sqlLiteral(first)} AND m.id <= ${sqlLiteral(last)}
      ORDER BY m.id) TO STDOUT (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`));
    const rows: Row[] = [];
    for (let start = 0; start < buf.length;) {
      const sep1 = buf.indexOf(2, start);
      const sep2 = sep1 === -1 ? -1 : buf.indexOf(2, sep1 + 1);
      const end = sep2 === -1 ? -1 : buf.indexOf(10, sep2 + 1);
      if (end === -1) throw new Error(`export: malformed COPY line in ${table}`);
      const id = buf.toString('latin1', start, sep1);
      const f = Number(buf.toString('latin1', sep1 + 1, sep2));
      rows.push(plain(f) ? { id, line: buf.subarray(sep2 + 1, end + 1) } : { id, raw: buf.toString('utf8', sep2 + 1, end), features: f });
      start = end + 1;
    }
    return rows;
  };
}

/** The statements of a page, for a source; `plain`: the caller's plain-row test (undefined: every row to the guard). */
function pageQueries(src: TypeSource, plain: ((features: number) => boolean) | undefined): PageQueries {
  const features = plain !== undefined;
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
    copied: plain && copiedRows(src, table, where, fixed, plain),
  };
}

/**
 * The ndjson text of a type, one chunk per page. `checkpoint` runs before each page (lease renewal,
 * cancellation); `counter.written` follows the number of resources written. `readAhead` pages are read at
 * once (each on its own connection) while the oldest is parsed, guarded and compressed: reading and
 * converting the rows is most of the work of the database, and one connection uses one core.
 */
export async function* typeLines(src: TypeSource, counter: { written: number }, checkpoint: () => Promise<void>): AsyncGenerator<string | Buffer> {
  const plain = src.plainRows === false ? undefined : plainRowTest(principalOf(src.caller), src.type);
  const q = pageQueries(src, plain);
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
      const page = q.copied ? q.copied(ids[0], after) : q.contents(ids);
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
      const guarded = rows.filter((r) => r.line === undefined && !(plain && plain(Number(r.features))));
      const resources = guarded.map((r) => JSON.parse(r.raw!) as Resource);
      const seen = await src.readGuard.view(src.caller, resources, 'export');
      // What the guard changed: a redacted copy, or null for a hidden resource.
      const changed = new Map<Row, Resource | null>();
      guarded.forEach((row, i) => {
        if (seen[i] !== resources[i]) changed.set(row, seen[i]);
      });
      // Unchanged: the stored text as is (jsonb text has no line breaks); hidden: nothing.
      const lineOf = (row: Row) => {
        const view = changed.get(row);
        return view === null ? undefined : (view === undefined ? row.raw : JSON.stringify(view)) + '\n';
      };
      const pieces: (string | Buffer)[] = [];
      for (const row of rows) {
        const line = row.line ?? lineOf(row);
        if (line === undefined) continue;
        pieces.push(line);
        counter.written++;
      }
      // One chunk per page: text on the parameterised path, bytes on the COPY path (plain lines as PostgreSQL sent them).
      if (pieces.length) yield q.copied ? Buffer.concat(pieces.map((x) => (typeof x === 'string' ? Buffer.from(x) : x))) : pieces.join('');
    }
  } finally {
    // Stopped early (cancel, error): let the reads in flight finish before the caller releases anything.
    await Promise.allSettled(queue);
  }
}

/** Writes `<target>.part` through gzip at `level`, then renames it: a file listed in a manifest is always whole. */
export async function writeGzipFile(target: string, chunks: AsyncIterable<string | Buffer>, level: number): Promise<void> {
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
