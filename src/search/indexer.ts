/**
 * The store's search indexer: replaces the index rows of a resource inside its write transaction,
 * in ONE statement (data-modifying CTEs; all arrays bound as parameters), so an import pays one
 * round trip per resource for its whole index.
 */
import type { Queryable } from '../db/database.ts';
import { tableOf, type ResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import type { ResourceIndexer } from '../store/hooks.ts';
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
  i6 AS (INSERT INTO search_word (word) SELECT DISTINCT w FROM unnest($23::text[]) w ON CONFLICT (word) DO NOTHING)
  ${sets.length ? `, u AS (UPDATE ${table} SET ${sets.join(', ')} WHERE id = $2)` : ''}
SELECT 1`;
}

export class SearchIndexer implements ResourceIndexer {
  private readonly extractor: IndexExtractor;
  private readonly statements = new Map<ResourceType, { sql: string; columns: string[] }>();

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
}

/** The indexer to give the ResourceStore: `new ResourceStore(db, { indexers: [createSearchIndexer()] })`. */
export function createSearchIndexer(registry?: SearchParamRegistry): ResourceIndexer & SearchIndexer {
  return new SearchIndexer(registry);
}
