/**
 * Token `:in=<ValueSet canonical>` (and `:not-in`, its negation, as `:not` of the same list: resources with none of
 * the value set's codes, including those without the element): the value set is expanded from the terminology tables (its members,
 * the value sets it includes, the whole code systems it includes) before compiling, and the criterion
 * becomes the plain OR list of those system|code pairs — so it uses the same indexes as any token list.
 * Members whose code system the NOS files do not name (system_known = false) match on the code alone,
 * as validation does. An unknown value set is a 400 naming the parameter.
 */
import type { Queryable } from '../db/database.ts';
import type { Criterion, Value } from './parse/search-query.ts';
import { SearchInputError } from './parse/values.ts';

type ParamCriterion = Extract<Criterion, { kind: 'param' }>;

function collect(c: Criterion, out: ParamCriterion[]): void {
  if (c.kind === 'param' && (c.modifier === 'in' || c.modifier === 'not-in')) out.push(c);
  else if (c.kind === 'and' || c.kind === 'or') c.items.forEach((x) => collect(x, out));
  else if (c.kind === 'not') collect(c.item, out);
  else if (c.kind === 'has') collect(c.inner, out);
}

/** The system|code tokens of the value set `url` (with the value sets it includes), or undefined if unknown. */
async function expand(db: Queryable, url: string): Promise<Value[] | undefined> {
  const r = await db.query<{ system: string | null; code: string }>(
    `WITH RECURSIVE vs(url, include_systems, include_value_sets) AS (
       SELECT url, include_systems, include_value_sets FROM terminology_value_set WHERE url = $1
       UNION SELECT v.url, v.include_systems, v.include_value_sets FROM vs CROSS JOIN LATERAL unnest(vs.include_value_sets) u(x)
         JOIN terminology_value_set v ON v.url = split_part(u.x, '|', 1))
     SELECT CASE WHEN m.system_known THEN m.system END AS system, m.code FROM terminology_value_set_member m
       WHERE m.value_set IN (SELECT url FROM vs) AND NOT m.removed
     UNION SELECT c.system, c.code FROM terminology_concept c WHERE c.system IN (SELECT unnest(include_systems) FROM vs)
     UNION SELECT 'found', '' FROM vs`,
    [url],
  );
  if (!r.rows.some((x) => x.system === 'found' && x.code === '')) return undefined;
  return r.rows.filter((x) => !(x.system === 'found' && x.code === ''))
    .map((x) => (x.system ? { kind: 'token', system: x.system, code: x.code } : { kind: 'token', code: x.code }));
}

/** Replaces every `:in` / `:not-in` criterion by the (negated) OR list of its value set's codes (in place). */
export async function expandValueSetCriteria(db: Queryable, criteria: Criterion[]): Promise<void> {
  const found: ParamCriterion[] = [];
  criteria.forEach((c) => collect(c, found));
  for (const c of found) {
    const values: Value[] = [];
    for (const v of c.values) {
      const url = v.kind === 'uri' ? v.uri.split('|')[0] : '';
      const codes = url ? await expand(db, url) : undefined;
      if (!codes) {
        throw new SearchInputError(c.name, `Jeu de valeurs inconnu « ${url} » pour ${c.name}:${c.modifier}`, `Unknown value set "${url}" for ${c.name}:${c.modifier}`);
      }
      values.push(...codes);
    }
    const negated = c.modifier === 'not-in';
    c.modifier = negated ? 'not' : undefined;
    c.negate = negated;
    c.values = values;
  }
}
