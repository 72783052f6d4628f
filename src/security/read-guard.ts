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
import { factsOfOffer, mergeFacts, NO_FACTS, redact, type ReadFacts } from './redact.ts';
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

/** Does the caller see something an anonymous visitor would not (restricted data disclosed)? */
function disclosesRestricted(resource: Resource, principal: Principal, seen: Resource | null, facts: ReadFacts): boolean {
  if (seen === null || principal.kind === 'anonymous' || principal.kind === 'system') return false;
  const publicView = redact(resource, ANONYMOUS, facts);
  if (publicView === null) return true;
  if (publicView === resource) return false;
  return JSON.stringify(publicView) !== JSON.stringify(seen);
}

export class ReadGuard {
  private readonly writes = new MatrixWriteAuthorizer();
  constructor(private readonly db: Queryable) {}

  /**
   * Each resource as the caller may see it (null = hidden: answer "not found"). Reads that
   * disclosed restricted data are audited in one row.
   */
  async view(ctx: RequestContext, resources: Resource[], interaction: string): Promise<(Resource | null)[]> {
    const principal = principalOf(ctx);
    const profile = readProfileOf(principal);
    const out: (Resource | null)[] = [];
    const restricted: { type: string; id: string; versionId?: number }[] = [];
    for (const r of resources) {
      if (!isResourceType(r.resourceType) || ruleFor(principal, r.resourceType, 'read') === 'none') {
        out.push(null);
        continue;
      }
      if (profile === 'full') {
        out.push(r);
        if (principal.kind !== 'system' && redact(r, ANONYMOUS, await readFactsOf(this.db, r)) !== r) {
          restricted.push({ type: r.resourceType, id: r.id ?? '', versionId: Number(r.meta?.versionId) || undefined });
        }
        continue;
      }
      const facts = await readFactsOf(this.db, r);
      let seen = redact(r, principal, facts);
      // People maintaining a resource see it whole: they must not write back a redacted copy.
      if (seen !== r && principal.kind === 'user' && (await this.writes.mayUpdate(this.db, principal, r))) seen = r;
      out.push(seen);
      if (disclosesRestricted(r, principal, seen, facts)) {
        restricted.push({ type: r.resourceType, id: r.id ?? '', versionId: Number(r.meta?.versionId) || undefined });
      }
    }
    if (restricted.length) await recordRestrictedRead(this.db, ctx, restricted, interaction);
    return out;
  }

  async viewOne(ctx: RequestContext, resource: Resource, interaction: string): Promise<Resource | null> {
    return (await this.view(ctx, [resource], interaction))[0];
  }
}
