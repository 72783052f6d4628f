/**
 * Which resources an export job writes, computed in the database into `export_member` (one
 * INSERT … SELECT per type): the `_typeFilter` queries compiled by the search engine's parser and
 * SQL compiler, the caller's access predicate, and for `_myCompleteExtract` the organizations
 * (with their partOf chain), places, practices and practitioners of the selected offers, read
 * from the search reference index.
 */
import type { Queryable } from '../../db/database.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { tableOf, type ResourceType } from '../../fhir/resource-types.ts';
import type { AccessFilter } from '../../search/compile/base-where.ts';
import { baseWhere } from '../../search/compile/base-where.ts';
import type { CompileContext } from '../../search/compile/criteria.ts';
import { matchWhere } from '../../search/compile/page-query.ts';
import { SqlParams } from '../../search/compile/sql-params.ts';
import { parseSearchRequest } from '../../search/parse/parse-request.ts';
import { SearchInputError } from '../../search/parse/values.ts';
import { searchParamRegistry } from '../../search/registry/registry.ts';
import type { RequestContext } from '../../store/context.ts';
import type { ExportRequest } from './export-request.ts';

interface CommuneInfo { lat: number; lon: number; departement: string; region: string }

async function communesIfNeeded(q: Queryable, req: ExportRequest): Promise<Map<string, CommuneInfo>> {
  const all = Object.values(req.typeFilters).flat(2) as [string, string][];
  if (!all.some(([k]) => k.includes('near-insee-code') || k.includes('intervention-zone') || k === '_filter')) return new Map();
  const r = await q.query<{ cog: string } & CommuneInfo>('SELECT cog, lat, lon, departement, region FROM commune');
  return new Map(r.rows.map((c) => [c.cog, c]));
}

/** The WHERE (alias `m`) of the rows of `type` the caller selected with `_typeFilter` and may see. */
function selectionWhere(req: ExportRequest, type: ResourceType, cc: CompileContext, communes: Map<string, CommuneInfo>): string {
  const filters = req.typeFilters[type];
  if (!filters?.length) return baseWhere(cc, type, 'm');
  const registry = searchParamRegistry();
  const alternatives = filters.map((params) => {
    try {
      const { query } = parseSearchRequest({ registry, centroid: (cog) => communes.get(cog) }, type, params, false);
      return `(${matchWhere(cc, query, 'm')})`;
    } catch (err) {
      if (err instanceof SearchInputError) {
        throw new FhirError(400, [{ severity: 'error', code: err.code, fr: `_typeFilter : ${err.fr}`, en: `_typeFilter: ${err.en}`, expression: '_typeFilter' }]);
      }
      throw err;
    }
  });
  return alternatives.join(' OR ');
}

/** Rows of the index `search_reference` from members of `from` through `param`, to `to`. */
function referencedBy(from: ResourceType, param: string, to: ResourceType, job: string, p: SqlParams): string {
  return `SELECT r.target_id AS id FROM export_member em JOIN search_reference r
      ON r.rtype = em.resource_type AND r.id = em.id AND r.param = ${p.add(param)} AND r.target_type = ${p.add(to)}
    WHERE em.job_id = ${p.add(job)} AND em.resource_type = ${p.add(from)}`;
}

/**
 * Does the type's output come from `export_member`? Only a `_typeFilter` selection or `_myCompleteExtract`
 * needs one; a plain type is read straight from its table under the access predicate (type-stream.ts).
 */
export function usesMembers(req: ExportRequest, type: ResourceType): boolean {
  return req.associated || !!req.typeFilters[type]?.length;
}

/** Fills `export_member` for the job (after clearing it): one statement per type that uses it. */
export async function selectMembers(q: Queryable, jobId: string, req: ExportRequest, ctx: RequestContext, access: AccessFilter | undefined): Promise<void> {
  await q.query('DELETE FROM export_member WHERE job_id = $1', [jobId]);
  const communes = await communesIfNeeded(q, req);
  const insert = async (type: ResourceType, source: ((p: SqlParams) => string) | undefined) => {
    const p = new SqlParams();
    const cc: CompileContext = { ctx, params: p, access, commune: (cog) => communes.get(cog) };
    const job = p.add(jobId);
    const where = source
      ? `${baseWhere(cc, type, 'm')} AND m.id IN (${source(p)})`
      : selectionWhere(req, type, cc, communes);
    await q.query(
      `INSERT INTO export_member (job_id, resource_type, id) SELECT ${job}, ${p.add(type)}, m.id FROM ${tableOf(type)} m WHERE ${where}
       ON CONFLICT DO NOTHING`,
      p.values,
    );
  };
  for (const type of req.selected) if (usesMembers(req, type)) await insert(type, undefined);
  if (!req.associated) return;
  // Organizations of the offers, then up their partOf chain.
  await insert('Organization', (p) => `WITH RECURSIVE chain(id, depth) AS (
      SELECT x.id, 0 FROM (${referencedBy('HealthcareService', 'organization', 'Organization', jobId, p)}) x
      UNION SELECT r.target_id, chain.depth + 1 FROM chain JOIN search_reference r
        ON r.rtype = 'Organization' AND r.id = chain.id AND r.param = 'partof' AND r.target_type = 'Organization'
      WHERE chain.depth < 10)
    SELECT id FROM chain`);
  await insert('Location', (p) => referencedBy('HealthcareService', 'location', 'Location', jobId, p));
  await insert('PractitionerRole', (p) => `SELECT r.id FROM export_member em JOIN search_reference r
      ON r.rtype = 'PractitionerRole' AND r.param = 'service' AND r.target_type = 'HealthcareService' AND r.target_id = em.id
    WHERE em.job_id = ${p.add(jobId)} AND em.resource_type = 'HealthcareService'`);
  await insert('Practitioner', (p) => referencedBy('PractitionerRole', 'practitioner', 'Practitioner', jobId, p));
}

/** Compiles the selection without running it: a bad `_typeFilter` is a 400 at kick-off, not a failed job. */
export async function checkSelection(q: Queryable, req: ExportRequest, ctx: RequestContext, access: AccessFilter | undefined): Promise<void> {
  const communes = await communesIfNeeded(q, req);
  for (const type of req.selected) {
    const p = new SqlParams();
    selectionWhere(req, type, { ctx, params: p, access, commune: (cog) => communes.get(cog) }, communes);
  }
}
