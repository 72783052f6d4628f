import type { Queryable } from '../db/database.ts';
import { normalizeText, searchWords } from './search-text.ts';

/**
 * Text search over value-set members (terminology_value_set_member.search_text): accent- and
 * case-insensitive, each word of the filter matching the start of a word of the labels, or close
 * to one (pg_trgm word similarity, for typos); ranked exact code, then label starting with the
 * filter, then all words as prefixes, then typo matches.
 */
export interface ConceptMatch {
  valueSet: string;
  system: string;
  systemKnown: boolean;
  code: string;
  display: string;
  retired: boolean;
}

export interface MatchOptions {
  /** Value sets to search (canonical URLs); all loaded value sets when absent. */
  valueSets?: string[];
  filter?: string;
  /** Leave out retired codes (NOS end date) — removed rows are always left out. */
  activeOnly?: boolean;
  limit?: number;
  offset?: number;
}

/** Word similarity (pg_trgm) above which a filter word counts as a typo of a label word. */
const TYPO_SIMILARITY = 0.5;
/** Shorter words only match as prefixes: similarity on 3 letters matches too much. */
const TYPO_MIN_LENGTH = 4;

export async function matchConcepts(db: Queryable, opts: MatchOptions): Promise<{ total: number; rows: ConceptMatch[] }> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['NOT m.removed'];
  let vsParam: string | undefined;
  if (opts.valueSets) {
    vsParam = p(opts.valueSets);
    where.push(`m.value_set = ANY(${vsParam}::text[])`);
  }
  // Without a filter: the value sets in the order given, each in file order.
  const fileOrder = vsParam ? `array_position(${vsParam}::text[], m.value_set), m.ord` : 'm.value_set, m.ord';
  if (opts.activeOnly) where.push('NOT m.retired');
  const words = opts.filter ? searchWords(opts.filter) : [];
  let nWhere = params.length;
  let orderBy = fileOrder;
  if (words.length) {
    const prefixConds: string[] = [];
    for (const w of words) {
      const re = p(`\\m${w}`);
      const prefix = `m.search_text ~ ${re}`;
      prefixConds.push(prefix);
      where.push(w.length >= TYPO_MIN_LENGTH ? `(${prefix} OR word_similarity(${p(w)}, m.search_text) >= ${TYPO_SIMILARITY})` : `(${prefix})`);
    }
    nWhere = params.length;
    const full = normalizeText(opts.filter ?? '');
    const fullParam = p(full);
    const rank = `CASE WHEN lower(m.code) = ${fullParam} THEN 0
                 WHEN starts_with(m.search_text, ${fullParam}) THEN 1
                 WHEN ${prefixConds.join(' AND ')} THEN 2 ELSE 3 END`;
    orderBy = `${rank}, word_similarity(${fullParam}, m.search_text) DESC, m.retired, length(m.display), ${fileOrder}`;
  }
  const limit = Math.max(0, Math.min(opts.limit ?? 1000, 10_000));
  const offset = Math.max(0, opts.offset ?? 0);
  const sql = `
    SELECT m.value_set, m.system, m.system_known, m.code, m.display, m.retired, count(*) OVER () AS total
      FROM terminology_value_set_member m
     WHERE ${where.join(' AND ')}
     ORDER BY ${orderBy}
     LIMIT ${p(limit)} OFFSET ${p(offset)}`;
  const r = await db.query<{
    value_set: string; system: string; system_known: boolean; code: string; display: string; retired: boolean; total: string | number;
  }>(sql, params);
  let total = r.rows.length ? Number(r.rows[0].total) : 0;
  if (!r.rows.length && offset > 0) {
    // Past the end: count without the page.
    const c = await db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM terminology_value_set_member m WHERE ${where.join(' AND ')}`,
      params.slice(0, nWhere),
    );
    total = Number(c.rows[0].n);
  }
  return {
    total,
    rows: r.rows.map((x) => ({
      valueSet: x.value_set, system: x.system, systemKnown: x.system_known, code: x.code, display: x.display, retired: x.retired,
    })),
  };
}

/**
 * Autocomplete over all loaded value sets (or some): active codes only, best first.
 * The same code of the same system in several value sets comes once per value set.
 */
export async function searchConcepts(
  db: Queryable,
  text: string,
  opts: { valueSets?: string[]; limit?: number; includeRetired?: boolean } = {},
): Promise<ConceptMatch[]> {
  if (!searchWords(text).length) return [];
  const r = await matchConcepts(db, { valueSets: opts.valueSets, filter: text, activeOnly: !opts.includeRetired, limit: opts.limit ?? 20 });
  return r.rows;
}
