/**
 * What a caller may see of stored resources: the type-level read rule of the access matrix, the
 * element redaction with the facts it needs (the offers a place or practice hangs on), and the
 * audit of reads that disclosed restricted data. The FHIR read / vread / history interactions
 * call it; search calls it on the resources of a page (the access predicate having already
 * excluded hidden rows from counts and paging).
 */
import type { Queryable } from '../db/database.ts';
import { isResourceType } from '../fhir/resource-types.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import { ruleFor } from './access-matrix.ts';
import { recordRestrictedRead } from './audit-log.ts';
import { offersAtLocation, offersByIds, refIds, rolesOfPractitioner } from './perimeter.ts';
import { ANONYMOUS, readProfileOf, type Principal } from './principal.ts';
import { factsOfOffer, mergeFacts, NO_FACTS, redact, SENSITIVE_UNIT_URL, type ReadFacts } from './redact.ts';
import { MatrixWriteAuthorizer, principalOf } from './write-authorizer.ts';

/** The facts the redaction of a resource depends on, read from the offers it hangs on. */
export async function readFactsOf(q: Queryable, resource: Resource): Promise<ReadFacts> {
  switch (resource.resourceType) {
    case 'HealthcareService':
      return factsOfOffer(resource);
    case 'Location':
      return resource.id ? mergeFacts((await offersAtLocation(q, resource.id)).map(factsOfOffer)) : NO_FACTS;
    case 'PractitionerRole':
      return mergeFacts((await offersByIds(q, refIds(resource.healthcareService, 'HealthcareService'))).map(factsOfOffer));
    case 'Practitioner': {
      if (!resource.id) return NO_FACTS;
      const roles = await rolesOfPractitioner(q, resource.id);
      const offers = await offersByIds(q, roles.flatMap((r) => refIds(r.healthcareService, 'HealthcareService')));
      // A practitioner is "sensitive" only through its roles; its own visibility follows its city offers.
      return { ...mergeFacts(offers.map(factsOfOffer)), sensitive: false };
    }
    default:
      return NO_FACTS;
  }
}

/**
 * What `factsOfOffer` reads of an offer, without reading its content: its type codings rebuilt from the generated
 * `f_type_codings` column (migration 099: every `system|code` of `type`), and the sensitive-unit extension from the
 * generated `sensitive` column (migration 060: the same containment test). Reading `content -> 'type'` decompressed
 * each offer's whole document (10 kB on the national data set) for every place, practice and role redacted: 215 →
 * 52 ms for a page of 1,000 practitioners (bench/RESULTS.md).
 */
const OFFER_FACT_COLUMNS = `jsonb_build_object('resourceType', 'HealthcareService', 'type', jsonb_build_array(jsonb_build_object('coding',
  coalesce((SELECT jsonb_agg(jsonb_build_object('system', split_part(c, '|', 1), 'code', substr(c, strpos(c, '|') + 1))) FROM unnest(hs.f_type_codings) c), '[]'::jsonb))),
  'extension', CASE WHEN hs.sensitive THEN jsonb_build_array(jsonb_build_object('url', '${SENSITIVE_UNIT_URL}', 'valueBoolean', true)) ELSE '[]'::jsonb END)`;

/**
 * `readFactsOf` for a whole page (search, history, export): one query per kind of resource
 * instead of one per resource, same rules (offers at a place, offers of practices).
 */
export async function readFactsOfMany(q: Queryable, resources: Resource[]): Promise<ReadFacts[]> {
  const ids = (type: string) => [...new Set(resources.filter((r) => r.resourceType === type && r.id).map((r) => r.id!))];
  const locations = ids('Location');
  const atLocation = new Map<string, ReadFacts[]>();
  const roles = resources.filter((r) => r.resourceType === 'PractitionerRole');
  const offerFacts = new Map<string, ReadFacts>();
  const practitioners = ids('Practitioner');
  const ofPractitioner = new Map<string, ReadFacts[]>();
  // The three look-ups are independent: side by side (on a pool).
  await Promise.all([
    (async () => {
      if (locations.length <= 1) return;
      // Through the search index (offer → place, a btree): the JSON containment on the offers' content was
      // planned as a scan of the offers per place on small or freshly loaded tables (7 ms a place).
      const r = await q.query<{ loc: string; offer: Resource }>(
        `SELECT x.loc, o.offer FROM unnest($1::text[]) AS x(loc) CROSS JOIN LATERAL (
           SELECT ${OFFER_FACT_COLUMNS} AS offer FROM search_reference s JOIN healthcare_service hs ON hs.id = s.id AND NOT hs.deleted
           WHERE s.rtype = 'HealthcareService' AND s.param = 'location' AND s.target_id = x.loc AND s.target_type = 'Location' LIMIT 200) o`,
        [locations],
      );
      for (const row of r.rows) atLocation.set(row.loc, [...(atLocation.get(row.loc) ?? []), factsOfOffer(row.offer)]);
    })(),
    (async () => {
      if (roles.length <= 1) return;
      const offerIds = [...new Set(roles.flatMap((r) => refIds(r.healthcareService, 'HealthcareService')))];
      const r = await q.query<{ id: string; offer: Resource }>(
        `SELECT hs.id, ${OFFER_FACT_COLUMNS} AS offer FROM healthcare_service hs WHERE NOT hs.deleted AND hs.id = ANY($1::text[])`, [offerIds],
      );
      for (const row of r.rows) offerFacts.set(row.id, factsOfOffer(row.offer));
    })(),
    (async () => {
      if (practitioners.length <= 1) return;
      // Through the search index (role → practitioner, role → offer, both indexed): the JSON of the roles
      // made the planner guess 500 rows per practitioner and hash-join every offer of the directory.
      const r = await q.query<{ ps: string; offer: Resource }>(
        `SELECT p.target_id AS ps, ${OFFER_FACT_COLUMNS} AS offer FROM search_reference p
         JOIN practitioner_role pr ON pr.id = p.id AND NOT pr.deleted
         JOIN search_reference s ON s.rtype = 'PractitionerRole' AND s.param = 'service' AND s.id = p.id
         JOIN healthcare_service hs ON hs.id = s.target_id AND NOT hs.deleted
         WHERE p.rtype = 'PractitionerRole' AND p.param = 'practitioner' AND p.target_id = ANY($1::text[])`,
        [practitioners],
      );
      for (const row of r.rows) ofPractitioner.set(row.ps, [...(ofPractitioner.get(row.ps) ?? []), factsOfOffer(row.offer)]);
    })(),
  ]);
  return Promise.all(resources.map(async (resource) => {
    switch (resource.resourceType) {
      case 'Location':
        if (locations.length > 1) return resource.id ? mergeFacts(atLocation.get(resource.id) ?? []) : NO_FACTS;
        break;
      case 'PractitionerRole':
        if (roles.length > 1) {
          return mergeFacts(refIds(resource.healthcareService, 'HealthcareService').flatMap((id) => (offerFacts.has(id) ? [offerFacts.get(id)!] : [])));
        }
        break;
      case 'Practitioner':
        if (practitioners.length > 1) return resource.id ? { ...mergeFacts(ofPractitioner.get(resource.id) ?? []), sensitive: false } : NO_FACTS;
        break;
      default:
        break;
    }
    return readFactsOf(q, resource);
  }));
}

/** Does the caller see something an anonymous visitor would not (restricted data disclosed)? */
function disclosesRestricted(resource: Resource, principal: Principal, seen: Resource | null, facts: ReadFacts): boolean {
  if (seen === null || principal.kind === 'anonymous' || principal.kind === 'system') return false;
  const publicView = redact(resource, ANONYMOUS, facts);
  if (publicView === null) return true;
  if (publicView === resource) return false;
  // `redact` returns the resource itself when it removes nothing: the caller saw it whole, the public did not.
  if (seen === resource) return true;
  return JSON.stringify(publicView) !== JSON.stringify(seen);
}

export class ReadGuard {
  private readonly writes = new MatrixWriteAuthorizer();
  constructor(private readonly db: Queryable) {}

  /**
   * Each resource as the caller may see it (null = hidden: answer "not found"). Reads that
   * disclosed restricted data are audited in one row. `known`: the facts of some of the resources, already
   * read by the caller (the $export reads them with the rows); the others' are read here.
   */
  async view(ctx: RequestContext, resources: Resource[], interaction: string, q: Queryable = this.db,
    known: (ReadFacts | undefined)[] = []): Promise<(Resource | null)[]> {
    const principal = principalOf(ctx);
    const profile = readProfileOf(principal);
    const out: (Resource | null)[] = [];
    const restricted: { type: string; id: string; versionId?: number }[] = [];
    const needFacts = profile !== 'full' || principal.kind !== 'system';
    const allFacts = needFacts ? await this.factsOf(resources, known) : [];
    // A caller of the anonymous profile sees what the public sees: nothing to compare, unless a user saw more.
    const publicProfile = profile === readProfileOf(ANONYMOUS);
    for (const [i, r] of resources.entries()) {
      if (!isResourceType(r.resourceType) || ruleFor(principal, r.resourceType, 'read') === 'none') {
        out.push(null);
        continue;
      }
      if (profile === 'full') {
        out.push(r);
        if (principal.kind !== 'system' && redact(r, ANONYMOUS, allFacts[i]) !== r) {
          restricted.push({ type: r.resourceType, id: r.id ?? '', versionId: Number(r.meta?.versionId) || undefined });
        }
        continue;
      }
      const facts = allFacts[i];
      let seen = redact(r, principal, facts);
      let whole = false;
      // People maintaining a resource see it whole: they must not write back a redacted copy.
      if (seen !== r && principal.kind === 'user' && (await this.writes.mayUpdate(q, principal, r))) {
        seen = r;
        whole = true;
      }
      out.push(seen);
      if ((whole || !publicProfile) && disclosesRestricted(r, principal, seen, facts)) {
        restricted.push({ type: r.resourceType, id: r.id ?? '', versionId: Number(r.meta?.versionId) || undefined });
      }
    }
    if (restricted.length) await recordRestrictedRead(q, ctx, restricted, interaction);
    return out;
  }

  /** The facts of each resource: the known ones, the others read in one go. */
  private async factsOf(resources: Resource[], known: (ReadFacts | undefined)[]): Promise<ReadFacts[]> {
    const missing = resources.flatMap((r, i) => (known[i] ? [] : [i]));
    const read = missing.length ? await readFactsOfMany(this.db, missing.map((i) => resources[i]!)) : [];
    const out = resources.map((_, i) => known[i]);
    missing.forEach((i, k) => { out[i] = read[k]; });
    return out as ReadFacts[];
  }

  /** `q`: the open transaction when there is one (inside a Bundle transaction), else the database. */
  async viewOne(ctx: RequestContext, resource: Resource, interaction: string, q: Queryable = this.db): Promise<Resource | null> {
    return (await this.view(ctx, [resource], interaction, q))[0];
  }
}
