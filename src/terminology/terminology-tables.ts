import type { Queryable } from '../db/database.ts';
import type { CodeSystemData, ConceptData, MemberData, TerminologyData, ValueSetData } from './catalogue.ts';

/** Reads the terminology tables (migration 010) back into the shape the in-memory service is built from. */
export async function readTerminologyTables(db: Queryable): Promise<TerminologyData> {
  // One after the other: a transaction client must not run concurrent queries.
  const cs = await db.query<{ url: string; name: string; oid: string | null; version: string | null; title: string | null; kind: 'nos' | 'ig'; source: string }>(
      'SELECT url, name, oid, version, title, kind, source FROM terminology_code_system ORDER BY url',
    );
  const vs = await db.query<{
      url: string; name: string; oid: string | null; version: string | null; title: string | null; kind: 'nos' | 'ig'; source: string;
      include_systems: string[]; include_value_sets: string[];
    }>('SELECT url, name, oid, version, title, kind, source, include_systems, include_value_sets FROM terminology_value_set ORDER BY url');
  const concepts = await db.query<{
      system: string; code: string; display: string; short_label: string | null; long_label: string | null; retired: boolean;
      valid_from: string | null; valid_to: string | null; version: string | null;
    }>(
      `SELECT system, code, display, short_label, long_label, retired, valid_from::text AS valid_from,
              valid_to::text AS valid_to, version FROM terminology_concept`,
    );
  const members = await db.query<{ value_set: string; system: string; system_known: boolean; oid: string | null; code: string; display: string; removed: boolean }>(
      'SELECT value_set, system, system_known, oid, code, display, removed FROM terminology_value_set_member ORDER BY value_set, ord',
    );
  const codeSystems: CodeSystemData[] = cs.rows.map((r) => ({
    url: r.url, name: r.name, oid: r.oid ?? undefined, version: r.version ?? undefined, title: r.title ?? undefined, kind: r.kind, source: r.source,
  }));
  const byVs = new Map<string, MemberData[]>();
  for (const m of members.rows) {
    const member: MemberData = { system: m.system, systemKnown: m.system_known, code: m.code, display: m.display };
    if (m.oid) member.oid = m.oid;
    if (m.removed) member.removed = true;
    const list = byVs.get(m.value_set);
    if (list) list.push(member);
    else byVs.set(m.value_set, [member]);
  }
  const valueSets: ValueSetData[] = vs.rows.map((r) => ({
    url: r.url, name: r.name, oid: r.oid ?? undefined, version: r.version ?? undefined, title: r.title ?? undefined, kind: r.kind, source: r.source,
    members: byVs.get(r.url) ?? [],
    includeSystems: r.include_systems,
    includeValueSets: r.include_value_sets,
  }));
  const conceptList: ConceptData[] = concepts.rows.map((r) => ({
    system: r.system, code: r.code, display: r.display, shortLabel: r.short_label ?? undefined, longLabel: r.long_label ?? undefined,
    retired: r.retired, validFrom: r.valid_from ?? undefined, validTo: r.valid_to ?? undefined, version: r.version ?? undefined,
  }));
  return { codeSystems, concepts: conceptList, valueSets };
}

/**
 * Upserts rows given as one JSON array: a single statement per table whatever the number of rows,
 * the same on PGlite and PostgreSQL (no driver-specific array binding).
 */
export async function upsertJson(
  db: Queryable,
  table: string,
  columns: Record<string, string>,
  key: string[],
  rows: Record<string, unknown>[],
  extraSet = '',
): Promise<void> {
  if (!rows.length) return;
  const names = Object.keys(columns);
  const recordType = names.map((n) => `${n} ${columns[n]}`).join(', ');
  const updates = names.filter((n) => !key.includes(n)).map((n) => `${n} = EXCLUDED.${n}`);
  if (extraSet) updates.push(extraSet);
  await db.query(
    `INSERT INTO ${table} (${names.join(', ')})
     SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${recordType})
     ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
    [JSON.stringify(rows)],
  );
}
