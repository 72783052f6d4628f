/**
 * The store's search indexer: replaces the index rows of a resource inside its write transaction,
 * in ONE statement (data-modifying CTEs; all arrays bound as parameters), so an import pays one
 * round trip per resource for its whole index.
 */
import type { Queryable } from '../db/database.ts';
import { tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import type { IndexEntry, ResourceIndexer, RowColumns } from '../store/hooks.ts';
import { IndexExtractor, type IndexRows } from './extract/extractor.ts';
import { geoCell } from './geo/geo-cell.ts';
import { noteIndexWrite } from './statistics.ts';
import { contentWords } from './extract/content-words.ts';
import { searchParamRegistry, type SearchParamRegistry } from './registry/registry.ts';

const EMPTY: IndexRows = { token: [], string: [], reference: [], date: [], number: [], columns: {}, position: null, text: '' };

/** The statement for a type (cached): deletes the old rows, inserts the new, sets dedicated columns. */
function statementFor(type: ResourceType, columns: { column: string; kind: string }[]): string {
  const table = tableOf(type);
  let n = 23;
  const sets = columns.map((c) => `${c.column} = $${++n}::${c.kind === 'number' ? 'numeric' : 'text[]'}`);
  if (type === 'Location') {
    const lat = ++n;
    const lon = ++n;
    const cell = ++n;
    sets.push(`lat = $${lat}::float8`, `lon = $${lon}::float8`, `geo_cell = $${cell}::int`,
      `position = CASE WHEN $${lat}::float8 IS NULL THEN NULL ELSE ll_to_earth($${lat}::float8, $${lon}::float8) END`);
  }
  const del = (t: string, alias: string) => `${alias} AS (DELETE FROM ${t} WHERE rtype = $1 AND id = $2)`;
  return `WITH
  ${del('search_token', 'd0')}, ${del('search_string', 'd1')}, ${del('search_reference', 'd2')},
  ${del('search_date', 'd3')}, ${del('search_number', 'd4')}, ${del('search_text', 'd5')},
  i0 AS (INSERT INTO search_token (rtype, id, param, system, code, display, ident_type)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])),
  i1 AS (INSERT INTO search_string (rtype, id, param, norm, raw)
         SELECT $1, $2, * FROM unnest($8::text[], $9::text[], $10::text[])),
  i2 AS (INSERT INTO search_reference (rtype, id, param, target_type, target_id, url)
         SELECT $1, $2, * FROM unnest($11::text[], $12::text[], $13::text[], $14::text[])),
  i3 AS (INSERT INTO search_date (rtype, id, param, lo, hi)
         SELECT $1, $2, * FROM unnest($15::text[], $16::timestamptz[], $17::timestamptz[])),
  i4 AS (INSERT INTO search_number (rtype, id, param, value, system, code)
         SELECT $1, $2, * FROM unnest($18::text[], $19::numeric[], $20::text[], $21::text[])),
  i5 AS (INSERT INTO search_text (rtype, id, doc, tsv)
         SELECT $1, $2, $22::text, to_tsvector('french', $22::text) WHERE $22::text <> ''),
  i6 AS (INSERT INTO search_word (word) SELECT DISTINCT w FROM unnest($23::text[]) w ORDER BY w ON CONFLICT (word) DO NOTHING)
  ${sets.length ? `, u AS (UPDATE ${table} SET ${sets.join(', ')} WHERE id = $2)` : ''}
SELECT 1`;
}

/**
 * The batch statement for a set of types (cached): deletes the old rows of the resources of the
 * batch that had some ($1 types, $2 ids), inserts all the new rows (one unnest per table, rtype and id as arrays),
 * and sets the dedicated columns of each type from one JSON array per type.
 */
function batchStatementFor(types: { type: ResourceType; spec: RowColumns }[]): string {
  const del = (t: string, alias: string) => `${alias} AS (DELETE FROM ${t} s USING k WHERE s.rtype = k.rtype AND s.id = k.id)`;
  let n = 35;
  const updates = types.map(({ type, spec }, u) => `, u${u} AS (UPDATE ${tableOf(type)} t SET ${spec.columns('x').map((c) => `${c.column} = ${c.value}`).join(', ')}
       FROM jsonb_to_recordset($${++n}::jsonb) AS x(id text, ${spec.fields.join(', ')}) WHERE t.id = x.id)`);
  return `WITH k AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(rtype, id)),
  ${del('search_token', 'd0')}, ${del('search_string', 'd1')}, ${del('search_reference', 'd2')},
  ${del('search_date', 'd3')}, ${del('search_number', 'd4')}, ${del('search_text', 'd5')},
  i0 AS (INSERT INTO search_token (rtype, id, param, system, code, display, ident_type)
         SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])),
  i1 AS (INSERT INTO search_string (rtype, id, param, norm, raw)
         SELECT * FROM unnest($10::text[], $11::text[], $12::text[], $13::text[], $14::text[])),
  i2 AS (INSERT INTO search_reference (rtype, id, param, target_type, target_id, url)
         SELECT * FROM unnest($15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[])),
  i3 AS (INSERT INTO search_date (rtype, id, param, lo, hi)
         SELECT * FROM unnest($21::text[], $22::text[], $23::text[], $24::timestamptz[], $25::timestamptz[])),
  i4 AS (INSERT INTO search_number (rtype, id, param, value, system, code)
         SELECT * FROM unnest($26::text[], $27::text[], $28::text[], $29::numeric[], $30::text[], $31::text[])),
  i5 AS (INSERT INTO search_text (rtype, id, doc, tsv)
         SELECT r, i, d, to_tsvector('french', d) FROM unnest($32::text[], $33::text[], $34::text[]) AS u(r, i, d)),
  i6 AS (INSERT INTO search_word (word) SELECT DISTINCT w FROM unnest($35::text[]) w ORDER BY w ON CONFLICT (word) DO NOTHING)
  ${updates.join('')}
SELECT 1`;
}

/**
 * The dedicated columns of a type's table (its parameters' `column`; for a place, its position too), as fields of a
 * record and columns set from them; undefined when the type has none.
 */
function rowColumnsOf(type: ResourceType, columns: { column: string; kind: string }[]): RowColumns | undefined {
  const fields = columns.map((c) => `${c.column} ${c.kind === 'number' ? 'numeric' : 'text[]'}`);
  if (type === 'Location') fields.push('lat float8', 'lon float8', 'geo_cell int');
  if (!fields.length) return undefined;
  return {
    fields,
    columns: (x) => [
      ...columns.map((c) => ({ column: c.column, value: `${x}.${c.column}` })),
      ...(type === 'Location'
        ? ['lat', 'lon', 'geo_cell'].map((column) => ({ column, value: `${x}.${column}` }))
          .concat({ column: 'position', value: `CASE WHEN ${x}.lat IS NULL THEN NULL ELSE ll_to_earth(${x}.lat, ${x}.lon) END` })
        : []),
    ],
  };
}

export class SearchIndexer implements ResourceIndexer {
  private readonly extractor: IndexExtractor;
  private readonly statements = new Map<ResourceType, { sql: string; columns: string[] }>();
  private readonly batchStatements = new Map<string, string>();
  private readonly specs = new Map<ResourceType, RowColumns | undefined>();
  /** The rows extracted for `rowColumnValues`, taken again by `indexMany` for the same resource object. */
  private readonly extracted = new WeakMap<Resource, IndexRows>();

  constructor(private readonly registry: SearchParamRegistry = searchParamRegistry()) {
    this.extractor = new IndexExtractor(registry);
  }

  private statement(type: ResourceType) {
    let s = this.statements.get(type);
    if (!s) {
      const cols = this.extractor.columnsOf(type).map((p) => p.column!);
      s = { sql: statementFor(type, cols), columns: cols.map((c) => c.column) };
      this.statements.set(type, s);
    }
    return s;
  }

  rowColumns(type: ResourceType): RowColumns | undefined {
    if (!this.specs.has(type)) this.specs.set(type, rowColumnsOf(type, this.extractor.columnsOf(type).map((p) => p.column!)));
    return this.specs.get(type);
  }

  rowColumnValues(type: ResourceType, resource: Resource): Record<string, unknown> {
    const rows = this.extractor.extract(type, resource);
    this.extracted.set(resource, rows);
    return this.columnValues(type, rows);
  }

  /** The rows `rowColumnValues` extracted from this very object, taken once (a later write extracts again). */
  private takeExtracted(resource: Resource): IndexRows | undefined {
    const rows = this.extracted.get(resource);
    this.extracted.delete(resource);
    return rows;
  }

  /** The values of the fields of `rowColumns` (nulls for what the resource lacks). */
  private columnValues(type: ResourceType, rows: IndexRows): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const c of this.statement(type).columns) row[c] = rows.columns[c] ?? null;
    if (type === 'Location') {
      row.lat = rows.position?.lat ?? null;
      row.lon = rows.position?.lon ?? null;
      row.geo_cell = rows.position ? geoCell(rows.position.lat, rows.position.lon) : null;
    }
    return row;
  }

  /** The rows a resource produces (for tests and diagnostics). */
  rows(type: ResourceType, resource: Resource): IndexRows {
    return this.extractor.extract(type, resource);
  }

  async index(tx: Queryable, type: ResourceType, id: string, resource: Resource | null): Promise<void> {
    const rows = resource ? this.extractor.extract(type, resource) : EMPTY;
    const { sql, columns } = this.statement(type);
    const params: unknown[] = [
      type, id,
      rows.token.map((t) => t.param), rows.token.map((t) => t.system), rows.token.map((t) => t.code),
      rows.token.map((t) => t.display), rows.token.map((t) => t.identType),
      rows.string.map((s) => s.param), rows.string.map((s) => s.norm), rows.string.map((s) => s.raw),
      rows.reference.map((r) => r.param), rows.reference.map((r) => r.targetType), rows.reference.map((r) => r.targetId), rows.reference.map((r) => r.url),
      rows.date.map((d) => d.param), rows.date.map((d) => d.lo.toISOString()), rows.date.map((d) => d.hi.toISOString()),
      rows.number.map((x) => x.param), rows.number.map((x) => String(x.value)), rows.number.map((x) => x.system), rows.number.map((x) => x.code),
      rows.text, contentWords(rows.text),
      ...columns.map((c) => rows.columns[c] ?? null),
    ];
    if (type === 'Location') {
      params.push(rows.position?.lat ?? null, rows.position?.lon ?? null, rows.position ? geoCell(rows.position.lat, rows.position.lon) : null);
    }
    await tx.query(sql, params);
    noteIndexWrite();
  }

  private batchStatement(types: ResourceType[]): string {
    const key = types.join(',');
    let sql = this.batchStatements.get(key);
    if (!sql) {
      sql = batchStatementFor(types.map((type) => ({ type, spec: this.rowColumns(type)! })));
      this.batchStatements.set(key, sql);
    }
    return sql;
  }

  /** The index rows of many resources in one statement (bulk writes): same rows as `index` on each. */
  async indexMany(tx: Queryable, entries: IndexEntry[]): Promise<void> {
    if (!entries.length) return;
    const k: [string[], string[]] = [[], []];
    const token: string[][] = [[], [], [], [], [], [], []];
    const string: string[][] = [[], [], [], [], []];
    const reference: (string | null)[][] = [[], [], [], [], [], []];
    const date: string[][] = [[], [], [], [], []];
    const number: (string | null)[][] = [[], [], [], [], [], []];
    const text: string[][] = [[], [], []];
    const words = new Set<string>();
    const columnRows = new Map<ResourceType, Record<string, unknown>[]>();
    for (const { type, id, resource, created, rowColumnsWritten } of entries) {
      const rows = resource ? this.takeExtracted(resource) ?? this.extractor.extract(type, resource) : EMPTY;
      if (!created) {
        k[0].push(type);
        k[1].push(id);
      }
      for (const t of rows.token) [type, id, t.param, t.system, t.code, t.display, t.identType].forEach((v, i) => token[i].push(v as string));
      for (const x of rows.string) [type, id, x.param, x.norm, x.raw].forEach((v, i) => string[i].push(v));
      for (const r of rows.reference) [type, id, r.param, r.targetType, r.targetId, r.url].forEach((v, i) => reference[i].push(v as string | null));
      for (const d of rows.date) [type, id, d.param, d.lo.toISOString(), d.hi.toISOString()].forEach((v, i) => date[i].push(v));
      for (const x of rows.number) [type, id, x.param, String(x.value), x.system, x.code].forEach((v, i) => number[i].push(v as string | null));
      if (rows.text !== '') [type, id, rows.text].forEach((v, i) => text[i].push(v));
      for (const w of contentWords(rows.text)) words.add(w);
      if (!rowColumnsWritten && this.rowColumns(type)) {
        const list = columnRows.get(type) ?? [];
        list.push({ id, ...this.columnValues(type, rows) });
        columnRows.set(type, list);
      }
    }
    const types = [...columnRows.keys()].sort();
    await tx.query(this.batchStatement(types), [
      ...k, ...token, ...string, ...reference, ...date, ...number, ...text, [...words],
      ...types.map((t) => JSON.stringify(columnRows.get(t))),
    ]);
    for (let i = 0; i < entries.length; i++) noteIndexWrite();
  }
}

/** The indexer to give the ResourceStore: `new ResourceStore(db, { indexers: [createSearchIndexer()] })`. */
export function createSearchIndexer(registry?: SearchParamRegistry): ResourceIndexer & SearchIndexer {
  return new SearchIndexer(registry);
}
