/**
 * The SQL of one result page (one statement, keyset paging), of the total, and the paging cursor.
 *
 * Paging: ORDER BY the sort keys then id; the cursor carries the keys of the last (or first, for
 * `previous`) row and a snapshot instant T, the time of the first page. Sorting by _lastUpdated
 * uses, for rows changed after T, their last_updated as of T (from resource_history), so a page
 * sequence never skips or repeats a resource that existed at the first page; rows created after T
 * come at the end. Known limit: a write stamped before T but committed after the first page ran
 * (a transaction in flight at that moment) is seen at its new position.
 */
import { tableOf } from '../../fhir/resource-types.ts';
import type { SearchQuery, SortKey } from '../parse/search-query.ts';
import { SearchInputError } from '../parse/values.ts';
import { baseWhere } from './base-where.ts';
import { anchoredQuery, compileCriterion, contentRank, paramRows, type CompileContext } from './criteria.ts';


export interface Cursor {
  /** Sort key values of the boundary row, then its id. */
  keys: (string | number | null)[];
  id: string;
  /** Snapshot instant (ISO). */
  t: string;
  /** `next`: rows after the boundary; `prev`: rows before it. */
  dir: 'next' | 'prev';
  /** Total computed at the first page (carried so later pages report the same). */
  total?: number;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (!Array.isArray(c.keys) || typeof c.id !== 'string' || typeof c.t !== 'string' || (c.dir !== 'next' && c.dir !== 'prev')) throw new Error();
    if (Number.isNaN(Date.parse(c.t))) throw new Error();
    return c;
  } catch {
    throw new SearchInputError('_cursor', 'Curseur de pagination (_cursor) invalide : reprenez la recherche depuis la première page', 'Invalid paging cursor (_cursor): restart the search from the first page');
  }
}

interface KeyExpr { sql: string; cast: string; desc: boolean }

function sortKeyExpr(cc: CompileContext, q: SearchQuery, k: SortKey, alias: string, snapshotIso: string): KeyExpr {
  const p = cc.params;
  const type = q.type;
  switch (k.key) {
    case '_id':
      return { sql: `${alias}.id`, cast: 'text', desc: k.desc };
    case '_lastUpdated': {
      const h = p.alias('h');
      const snapshot = p.add(snapshotIso, 'timestamptz');
      return {
        sql: `CASE WHEN ${alias}.last_updated <= ${snapshot} THEN ${alias}.last_updated ELSE COALESCE(
          (SELECT max(${h}.last_updated) FROM resource_history ${h} WHERE ${h}.resource_type = ${p.add(type)} AND ${h}.id = ${alias}.id
             AND ${h}.last_updated <= ${snapshot}), ${alias}.last_updated) END`,
        cast: 'timestamptz', desc: k.desc,
      };
    }
    case '_score': {
      const content = q.criteria.find((c) => c.kind === 'content');
      if (!content || content.kind !== 'content') throw new SearchInputError('_sort', 'Le tri _score demande un critère _content', 'Sorting by _score needs a _content criterion');
      return { sql: contentRank(cc, content, type, alias), cast: 'float8', desc: k.desc };
    }
    case 'distance': {
      const near = q.near!;
      const centre = `ll_to_earth(${p.add(near.lat, 'float8')}, ${p.add(near.lon, 'float8')})`;
      if (!near.chained) return { sql: `COALESCE(earth_distance(${centre}, ${alias}.position), 'Infinity'::float8)`, cast: 'float8', desc: k.desc };
      if (!near.via) throw new SearchInputError('_sort', 'Tri par distance possible seulement à un niveau de chaînage (location.near…)', 'Distance sort is only supported one chain level deep (location.near…)');
      const r = p.alias('r');
      const l = p.alias('l');
      return {
        sql: `COALESCE((SELECT min(earth_distance(${centre}, ${l}.position)) FROM search_reference ${r} JOIN location ${l} ON ${l}.id = ${r}.target_id
          WHERE ${r}.rtype = ${p.add(type)} AND ${r}.id = ${alias}.id AND ${r}.param = ${p.add(near.via)} AND ${r}.target_type = 'Location'
          AND ${baseWhere(cc, 'Location', l)}), 'Infinity'::float8)`,
        cast: 'float8', desc: k.desc,
      };
    }
  }
  const param = k.param!;
  const x = p.alias('x');
  const agg = k.desc ? 'max' : 'min';
  const [table, col, cast, empty] =
    param.type === 'string' ? ['search_string', 'norm', 'text', `''`]
    : param.type === 'date' ? ['search_date', k.desc ? 'hi' : 'lo', 'timestamptz', `'-infinity'::timestamptz`]
    : param.type === 'number' || param.type === 'quantity' ? ['search_number', 'value', 'numeric', `'-Infinity'::numeric`]
    : ['search_token', 'code', 'text', `''`];
  return {
    sql: `COALESCE((SELECT ${agg}(${x}.${col}) FROM ${table} ${x} WHERE ${x}.rtype = ${p.add(type)} AND ${x}.id = ${alias}.id AND ${paramRows(cc, x, param)}), ${empty})`,
    cast, desc: k.desc,
  };
}

/** The WHERE of the matches (base condition + criteria), shared by the page and the total. */
export function matchWhere(cc: CompileContext, q: SearchQuery, alias: string): string {
  const c2: CompileContext = { ...cc, fenceChains: anchoredQuery(q.criteria) };
  return [baseWhere(c2, q.type, alias), ...q.criteria.map((c) => compileCriterion(c2, c, q.type, alias, q.criteria.filter((x) => x !== c)))]
    .join('\n  AND ');
}

export interface PageSql {
  sql: string;
  /** Number of sort keys selected as k0…kn (before the id). */
  keyCount: number;
  snapshot: string;
  /** Whether each row carries `total_n`, the count of all matches (first page, see `withTotal`). */
  withTotal: boolean;
}

/** The statement of one page: `limit` rows after (or before) the cursor. */
/**
 * `withTotal`: the first page also counts every match (`count(*) OVER ()` before the LIMIT) instead of
 * a second statement evaluating the same conditions again — on a costly match (near, chains, _content)
 * that halves the work of a first page. Not for the `_lastUpdated` merge (two branches) nor cursor pages.
 */
export function pageSql(cc: CompileContext, q: SearchQuery, cursor: Cursor | undefined, limit: number, now: Date, withTotal = false): PageSql {
  const p = cc.params;
  const snapshotIso = cursor?.t ?? now.toISOString();
  const sort = q.sort.length ? q.sort : [{ key: '_id', desc: false }];
  // A trailing _id is the tie-breaker itself; otherwise id follows the first key's direction.
  const lastIsId = sort[sort.length - 1].key === '_id';
  const keySorts = lastIsId ? sort.slice(0, -1) : sort;
  const idDesc = lastIsId ? sort[sort.length - 1].desc : (keySorts[0]?.desc ?? false);
  if (cursor && cursor.keys.length !== keySorts.length) {
    throw new SearchInputError('_cursor', 'Curseur de pagination (_cursor) invalide pour ce tri', 'Paging cursor (_cursor) does not match this sort');
  }
  const lim = p.add(limit, 'int');
  if (keySorts.length === 1 && keySorts[0].key === '_lastUpdated') {
    // Sync order: rows unchanged since T walk the (last_updated, id) index; the few changed since
    // are placed at their as-of-T instant; the two ordered streams are merged.
    const stable = branch(cc, q, cursor, [{ sql: 'm.last_updated', cast: 'timestamptz', desc: keySorts[0].desc }], idDesc, `m.last_updated <= ${p.add(snapshotIso, 'timestamptz')}`, lim);
    const moved = branch(cc, q, cursor, [sortKeyExpr(cc, q, keySorts[0], 'm', snapshotIso)], idDesc, `m.last_updated > ${p.add(snapshotIso, 'timestamptz')}`, lim);
    const dir = (desc: boolean) => ((desc !== (cursor?.dir === 'prev')) ? 'DESC' : 'ASC');
    const sql = `SELECT * FROM ((${stable}) UNION ALL (${moved})) u\nORDER BY k0 ${dir(keySorts[0].desc)}, id ${dir(idDesc)}\nLIMIT ${lim}`;
    return { sql, keyCount: 1, snapshot: snapshotIso, withTotal: false };
  }
  const keys = keySorts.map((k) => sortKeyExpr(cc, q, k, 'm', snapshotIso));
  const counted = withTotal && !cursor;
  return { sql: branch(cc, q, cursor, keys, idDesc, undefined, lim, counted), keyCount: keys.length, snapshot: snapshotIso, withTotal: counted };
}

/** Can the first page of this query carry its total (see pageSql `withTotal`)? */
export function totalInPage(q: SearchQuery): boolean {
  const sort = q.sort.length ? q.sort : [{ key: '_id', desc: false }];
  const keySorts = sort[sort.length - 1].key === '_id' ? sort.slice(0, -1) : sort;
  return !(keySorts.length === 1 && keySorts[0].key === '_lastUpdated');
}

/** One ordered, keyset-bounded SELECT of the matches (alias m), keys selected as k0…kn. */
function branch(
  cc: CompileContext, q: SearchQuery, cursor: Cursor | undefined, keys: KeyExpr[], idDesc: boolean, extra: string | undefined, lim: string,
  withTotal = false,
): string {
  const p = cc.params;
  const a = 'm';
  const backwards = cursor?.dir === 'prev';
  const where = [matchWhere(cc, q, a)];
  if (extra) where.push(extra);
  if (cursor) {
    const cmp = (desc: boolean) => ((desc !== backwards) ? '<' : '>');
    const values = keys.map((k, i) => p.add(cursor.keys[i] === null ? null : String(cursor.keys[i]), k.cast));
    const idValue = p.add(cursor.id, 'text');
    if (keys.every((k) => k.desc === idDesc)) {
      // Same direction throughout: a row comparison, which a (keys…, id) index can serve.
      where.push(`(${[...keys.map((k) => k.sql), `${a}.id`].join(', ')}) ${cmp(idDesc)} (${[...values, idValue].join(', ')})`);
    } else {
      // (k0, …, id) after the boundary: k0 > v0 OR (k0 = v0 AND (… (id > vid))).
      let cond = `${a}.id ${cmp(idDesc)} ${idValue}`;
      for (let i = keys.length - 1; i >= 0; i--) cond = `(${keys[i].sql} ${cmp(keys[i].desc)} ${values[i]} OR (${keys[i].sql} = ${values[i]} AND ${cond}))`;
      where.push(cond);
    }
  }
  const dir = (desc: boolean) => ((desc !== backwards) ? 'DESC' : 'ASC');
  const order = [...keys.map((k, i) => `k${i} ${dir(k.desc)}`), `${a}.id ${dir(idDesc)}`];
  if (withTotal) {
    // Ids, keys and the count of all matches first; the documents of the page only, after the LIMIT
    // (the window keeps every match until the sort: narrow rows there, not the JSON).
    // The window runs in its own sub-query, without ORDER BY: with the ORDER BY … LIMIT beside it, PostgreSQL
    // costs the window as if the LIMIT stopped it early and walks the whole primary key in id order
    // (351k offers nationally for an activity matching 28k) instead of the selective index.
    const inner = [`${a}.id`, ...keys.map((k, i) => `${k.sql} AS k${i}`), 'count(*) OVER () AS total_n'];
    const order2 = (t: string) => [...keys.map((k, i) => `${t}.k${i} ${dir(k.desc)}`), `${t}.id ${dir(idDesc)}`].join(', ');
    return `SELECT s.*, d.content FROM (SELECT w.* FROM (SELECT ${inner.join(', ')}\nFROM ${tableOf(q.type)} ${a}\nWHERE ${where.join('\n  AND ')}) w\n`
      + `ORDER BY ${order2('w')}\nLIMIT ${lim}) s\nJOIN ${tableOf(q.type)} d ON d.id = s.id\nORDER BY ${order2('s')}`;
  }
  const select = [`${a}.id`, `${a}.content`, ...keys.map((k, i) => `${k.sql} AS k${i}`)];
  return `SELECT ${select.join(', ')}\nFROM ${tableOf(q.type)} ${a}\nWHERE ${where.join('\n  AND ')}\nORDER BY ${order.join(', ')}\nLIMIT ${lim}`;
}

export function countSql(cc: CompileContext, q: SearchQuery): string {
  return `SELECT count(*)::int AS n FROM ${tableOf(q.type)} m WHERE ${matchWhere(cc, q, 'm')}`;
}
