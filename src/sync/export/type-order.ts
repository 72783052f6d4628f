/**
 * The order in which an export's types are written, a few at once: the largest tables first, so that the longest
 * streams start at once and the small ones fill in at the end, instead of a large type starting last and running
 * alone (on the national data set the offers' 3.3 GB of JSON take as long as three other types together).
 */
import type { Queryable } from '../../db/database.ts';
import { tableOf, type ResourceType } from '../../fhir/resource-types.ts';

/** `types` by decreasing size of their tables (heap and TOAST, without indexes); ties keep their order. */
export async function largestFirst(db: Queryable, types: readonly ResourceType[]): Promise<ResourceType[]> {
  if (types.length < 2) return [...types];
  const r = await db.query<{ t: string; size: string }>(
    'SELECT t, pg_table_size(t::regclass) AS size FROM unnest($1::text[]) AS t', [types.map((t) => tableOf(t))],
  );
  const size = new Map(r.rows.map((x) => [x.t, Number(x.size)]));
  return types.map((type, i) => ({ type, i, size: size.get(tableOf(type)) ?? 0 }))
    .sort((a, b) => b.size - a.size || a.i - b.i).map((x) => x.type);
}
