/**
 * The indicator facts of each resource (migration 099): generated columns `f_<fact>` = `ror_fact_<table>_<fact>(content)`,
 * written by PostgreSQL with the row, hence in the same transaction as the write. The indicator SQL reads those
 * columns from the current tables; reading the history as of a past instant, it calls the same functions on the
 * old contents (`factColumns`). `rebuildIndicatorFacts` recomputes them (`ror reindex`): after a change of a fact
 * function, or to repair.
 */
import type { Database, Queryable } from '../db/database.ts';

/** The fact columns of each resource table (their function is `ror_fact_<table>_<fact>`). */
export const FACTS = {
  organization: ['finess', 'id_nat', 'category', 'parent', 'has_parent', 'closing_type', 'period_end', 'active', 'insee', 'name', 'oi_types'],
  healthcare_service: [
    'active', 'provider', 'field_code', 'type_codings', 'category_codings', 'specialty_codings', 'characteristic_codings', 'ages',
    'locations', 'contact_functions', 'contact_natures', 'name', 'activities', 'care_modes', 'org_categories', 'reception_types',
    'maternity_types', 'sensitive',
  ],
  location: ['address_ok', 'installed'],
} as const;
export type FactTable = keyof typeof FACTS;

/**
 * The select list of the facts of `table`: the stored columns, or (`fromContent`: rows of resource_history) the
 * same functions applied to `content`.
 */
export function factColumns(table: FactTable, fromContent: boolean): string {
  return FACTS[table].map((f) => (fromContent ? `ror_fact_${table}_${f}(content) AS f_${f}` : `f_${f}`)).join(', ');
}

/**
 * Recomputes the facts of every row of the resource tables and of the FINESS copy: an UPDATE rewrites each row's
 * generated columns. Returns the number of rows per table.
 */
export async function rebuildIndicatorFacts(db: Database | Queryable): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [table, key] of [...Object.keys(FACTS).map((t) => [t, 'content']), ['import_provenance', 'fields']] as [string, string][]) {
    const r = await db.query(`UPDATE ${table} SET ${key} = ${key}${table === 'import_provenance' ? ` WHERE source = 'finess'` : ''}`);
    out[table] = r.rowCount ?? 0;
  }
  return out;
}
