/**
 * The ndjson lines of one type of an export, as the caller may see them, and their gzip file.
 *
 * Rows are read as text (`content::text`) in keyset pages, the next page being fetched while the
 * current one is processed. Every resource still goes through the read guard (same rules, facts and
 * audit as a FHIR read): what the guard returns unchanged, which is most of the directory for most
 * callers, is written as the text PostgreSQL gave, without serialising it again — on the PostgreSQL server
 * as the bytes its COPY sends, not even decoded; only redacted resources are serialised (there, the practitioners
 * and practices whose telecoms only are filtered, and the places whose telecoms and capacities are, are redacted by
 * PostgreSQL itself). A resource the guard hides is not written.
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
import { ALL_BITS, databaseRedactionSql, DETAIL_PATTERNS, factsOfBits, rowBitsSql, redactedByDatabase, rowVerdictTest, STORED_FEATURE_TYPES, verdictCoversAccess, type RowVerdict } from '../../security/redaction-features.ts';
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

/**
 * A row of a page: its stored JSON as text, or, for a row read through COPY as it is to be written, as the bytes of
 * its ndjson line; nothing for a row the caller's verdict hides. `bits`: its redaction features and facts
 * (redaction-features.ts).
 */
interface Row { raw?: string; line?: Buffer; bits?: number }

interface PageQueries {
  /** The ids of the next page after `after` (keyset on id, index-only where it can); with `copied`, its first and last only. */
  ids(after: string): Promise<string[]>;
  /** The rows of those ids (`raw`), in id order. */
  contents(ids: string[]): Promise<Row[]>;
  /**
   * Instead of `contents`, on the PostgreSQL server: the rows of the page's id range, through COPY, plain rows as
   * bytes (`line`) and the others as text (`raw`), in id order.
   */
  copied?(first: string, last: string): Promise<Row[]>;
}

/**
 * The rows of a page straight from PostgreSQL: `COPY (SELECT bits, content …) TO STDOUT` in CSV form with a
 * delimiter and a quote character that numbers and jsonb text never hold (control characters are escaped in JSON),
 * so that each line is the bits, the stored JSON and a newline, in id order (no id: nothing reads it). A plain row's
 * JSON goes to the file as those bytes, never decoded nor parsed in node, and so does a row whose telecoms the verdict
 * says to filter (a place's capacities too), filtered by the database (redaction-features.ts databaseRedactionSql,
 * migrations 115–116; the same JSON as redact() gives, in PostgreSQL's formatting); only the rows for the guard are
 * decoded; the rows the verdict hides come without their JSON (not even converted to text). COPY takes no parameters:
 * the access predicate's values are written into the text; a value that cannot be (sqlLiteral) leaves the type to the
 * parameterised path.
 */
function copiedRows(src: TypeSource, table: string, where: string, values: unknown[], verdict: (bits: number) => RowVerdict): PageQueries['copied'] {
  const copyOut = src.db.copyOut?.bind(src.db);
  if (!copyOut) return undefined;
  let fixedWhere: string;
  try {
    fixedWhere = inlineParams(where, values);
  } catch {
    return undefined;
  }
  const bits = rowBitsSql(src.type, 'm', sqlLiteral(DETAIL_PATTERNS));
  const hidden = ALL_BITS.filter((b) => verdict(b) === 'hidden');
  // The rows the database redacts itself, by verdict (migrations 115–116).
  const filtered = new Map<RowVerdict, number[]>();
  for (const b of ALL_BITS.filter((x) => redactedByDatabase(verdict(x)))) filtered.set(verdict(b), [...(filtered.get(verdict(b)) ?? []), b]);
  const cases = [
    ...(hidden.length ? [`WHEN x.bits IN (${hidden.join(', ')}) THEN NULL`] : []),
    ...[...filtered].map(([v, list]) => `WHEN x.bits IN (${list.join(', ')}) THEN ${databaseRedactionSql(v, 'x.content')}`),
  ];
  // OFFSET 0 keeps the bits computed once per row (the outer query reads them twice).
  const content = cases.length ? `CASE ${cases.join(' ')} ELSE x.content END` : 'x.content';
  return async (first, last) => {
    const chunks = await copyOut(`COPY (SELECT x.bits, ${content} FROM (SELECT m.id, ${bits} AS bits, m.content
      FROM ${table} m WHERE ${fixedWhere} AND m.id >= ${sqlLiteral(first)} AND m.id <= ${sqlLiteral(last)}
      ORDER BY m.id OFFSET 0) x) TO STDOUT (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`);
    const rows: Row[] = [];
    // Lines are cut where the socket reads were: the end of a chunk is carried to the next one. (One buffer for the
    // whole page, tens of MB for offers, cost more in fresh memory than the copy itself: small ones are reused.)
    let carry: Buffer | undefined;
    for (const chunk of chunks) {
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (;;) {
        const sep = buf.indexOf(2, start);
        const end = sep === -1 ? -1 : buf.indexOf(10, sep + 1);
        if (end === -1) break;
        const b = Number(buf.toString('latin1', start, sep));
        const v = verdict(b);
        const final = v === 'plain' || redactedByDatabase(v);
        rows.push(v === 'hidden' ? { bits: b } : final ? { line: buf.subarray(sep + 1, end + 1) } : { raw: buf.toString('utf8', sep + 1, end), bits: b });
        start = end + 1;
      }
      carry = start < buf.length ? buf.subarray(start) : undefined;
    }
    if (carry) throw new Error(`export: malformed COPY line in ${table}`);
    return rows;
  };
}

/** The statements of a page, for a source; `verdict`: the caller's row verdict (undefined: every row to the guard). */
function pageQueries(src: TypeSource, verdict: ((bits: number) => RowVerdict) | undefined): PageQueries {
  const withBits = verdict !== undefined;
  // The detail patterns are bound only where the features are computed, not read from their column.
  const patterns = withBits && !STORED_FEATURE_TYPES.has(src.type) ? [DETAIL_PATTERNS] : [];
  const table = tableOf(src.type);
  const n = Math.floor(src.batchSize);
  if (src.membersOf) {
    const job = src.membersOf;
    const since = src.since ? 'AND m.last_updated > $2::timestamptz' : '';
    const fixed = [...(src.since ? [src.since] : []), ...patterns];
    const bitsColumn = withBits ? `, ${rowBitsSql(src.type, 'm', `$${fixed.length + 1}`)} AS bits` : '';
    return {
      ids: async (after) => (await src.db.query<{ id: string }>(
        'SELECT id FROM export_member WHERE job_id = $1 AND resource_type = $2 AND id > $3 ORDER BY id LIMIT $4', [job, src.type, after, n],
      )).rows.map((r) => r.id),
      contents: async (ids) => (await src.db.query<Row>(
        `SELECT m.id, m.content::text AS raw${bitsColumn} FROM ${table} m WHERE m.id = ANY($1::text[]) AND NOT m.deleted ${since} ORDER BY m.id`,
        [ids, ...fixed],
      )).rows,
    };
  }
  // The access predicate is applied to both statements (or, through COPY, the verdict that covers it): a row changed
  // in between is judged as read.
  const condition = (access: AccessFilter | undefined) => {
    const p = new SqlParams();
    const where = baseWhere({ ctx: src.caller, params: p, access }, src.type, 'm')
      + (src.since ? ` AND m.last_updated > ${p.add(src.since, 'timestamptz')}` : '');
    return { where, fixed: [...p.values] };
  };
  const { where, fixed } = condition(src.access);
  const next = `$${fixed.length + 1}`;
  const bitsColumn = withBits ? `, ${rowBitsSql(src.type, 'm', `$${fixed.length + 2}`)} AS bits` : '';
  // Where the hidden verdict drops whatever the predicate would (a practitioner's predicate is a join chain per row,
  // the same as its fact bits'), the COPY does not evaluate the predicate a second time.
  const copy = verdict && verdictCoversAccess(principalOf(src.caller), src.type) ? condition(undefined) : { where, fixed };
  const copied = verdict && copiedRows(src, table, copy.where, copy.fixed, verdict);
  // Through COPY a page is an id range read under the predicate: its bounds can come from the primary key alone
  // (index-only) instead of a second evaluation of the predicate — unless `_since` makes the rows to read sparse.
  const [page, pageValues] = copied && !src.since
    ? [`SELECT m.id FROM ${table} m WHERE m.id > $1 ORDER BY m.id LIMIT ${n}`, (after: string) => [after]]
    : [`SELECT m.id FROM ${table} m WHERE ${where} AND m.id > ${next} ORDER BY m.id LIMIT ${n}`, (after: string) => [...fixed, after]];
  return {
    // COPY needs the page's bounds only, not its thousand ids.
    ids: copied
      ? async (after) => (await src.db.query<{ first: string | null; last: string | null }>(
        `SELECT min(p.id) AS first, max(p.id) AS last FROM (${page}) p`, pageValues(after),
      )).rows.flatMap((r) => (r.first === null || r.last === null ? [] : [r.first, r.last]))
      : async (after) => (await src.db.query<{ id: string }>(page, pageValues(after))).rows.map((r) => r.id),
    contents: async (ids) => (await src.db.query<Row>(
      `SELECT m.id, m.content::text AS raw${bitsColumn} FROM ${table} m WHERE ${where} AND m.id = ANY(${next}::text[]) ORDER BY m.id`,
      [...fixed, ids, ...patterns],
    )).rows,
    copied,
  };
}

/** Bytes given to gzip at once on the COPY path. */
const CHUNK = 1 << 20;
const bytesOf = (pieces: (string | Buffer)[]) => Buffer.concat(pieces.map((x) => (typeof x === 'string' ? Buffer.from(x) : x)));

/**
 * The ndjson text of a type, one chunk per page (on the COPY path, chunks of about a megabyte). `checkpoint` runs
 * before each page (lease renewal, cancellation); `counter.written` follows the number of resources written. `readAhead` pages are read at
 * once (each on its own connection) while the oldest is parsed, guarded and compressed: reading and
 * converting the rows is most of the work of the database, and one connection uses one core.
 */
export async function* typeLines(src: TypeSource, counter: { written: number }, checkpoint: () => Promise<void>): AsyncGenerator<string | Buffer> {
  const verdict = src.plainRows === false ? undefined : rowVerdictTest(principalOf(src.caller), src.type);
  const q = pageQueries(src, verdict);
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
  // A line COPY sent is final (plain, or redacted by the database); elsewhere the guard redacts the telecoms.
  const verdictOf = (row: Row): RowVerdict => {
    if (row.line !== undefined) return 'plain';
    const v = verdict ? verdict(Number(row.bits)) : 'guard';
    return redactedByDatabase(v) ? 'guard' : v;
  };
  try {
    await checkpoint();
    await fill();
    while (queue.length) {
      const rows = await queue.shift()!;
      await checkpoint();
      await fill();
      // Plain rows are written as PostgreSQL gave them, hidden ones not at all; the others are parsed and guarded
      // (the guard's facts, redaction and audit see only them).
      const guarded = rows.filter((r) => verdictOf(r) === 'guard');
      const resources = guarded.map((r) => JSON.parse(r.raw!) as Resource);
      // The facts PostgreSQL read with the rows (factBitsSql) are not read again.
      const seen = await src.readGuard.view(src.caller, resources, 'export', undefined, guarded.map((r) => (r.bits === undefined ? undefined : factsOfBits(Number(r.bits)))));
      // What the guard changed: a redacted copy, or null for a hidden resource.
      const changed = new Map<Row, Resource | null>();
      guarded.forEach((row, i) => {
        if (seen[i] !== resources[i]) changed.set(row, seen[i]);
      });
      // Unchanged: the stored text as is (jsonb text has no line breaks); hidden: nothing.
      const lineOf = (row: Row) => {
        if (row.line !== undefined) return row.line;
        if (verdictOf(row) === 'hidden') return undefined;
        const view = changed.get(row);
        return view === null ? undefined : (view === undefined ? row.raw : JSON.stringify(view)) + '\n';
      };
      // Text on the parameterised path, one chunk per page; bytes on the COPY path (plain lines as PostgreSQL sent
      // them), in chunks of about CHUNK bytes: as with the COPY's own buffers, small ones are cheaper to fill.
      let pieces: (string | Buffer)[] = [];
      let size = 0;
      for (const row of rows) {
        const line = lineOf(row);
        if (line === undefined) continue;
        pieces.push(line);
        counter.written++;
        if (q.copied && (size += line.length) >= CHUNK) {
          yield bytesOf(pieces);
          pieces = [];
          size = 0;
        }
      }
      if (pieces.length) yield q.copied ? bytesOf(pieces) : pieces.join('');
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
