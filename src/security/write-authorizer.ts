/**
 * The store's write authorization hook: applies the access matrix to every write, inside the
 * write transaction, with the current and the proposed version. A refusal throws an
 * AccessDeniedError (401 anonymous, 403 otherwise): nothing is written and the store audits it.
 */
import type { Queryable } from '../db/database.ts';
import { fhirError, type Issue } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import type { RequestContext } from '../store/context.ts';
import { AccessDeniedError, type ProposedWrite, type WriteAuthorizer } from '../store/hooks.ts';
import { regionOf } from '../store/resource-store.ts';
import { ruleFor, type Rule } from './access-matrix.ts';
import { anchorOrganizations, offersAtLocation, offersByIds, organizationsAbove, refId, refIds, rolesOfPractitioner } from './perimeter.ts';
import { ANONYMOUS, SYSTEM, type Principal, type UserPrincipal } from './principal.ts';
import { isResourceType } from '../fhir/resource-types.ts';
import { factsOfOffer, REDACTED_CODE, REDACTED_SYSTEM } from './redact.ts';

/** The principal of a request context: set by authentication; CLI and imports act as the system. */
export function principalOf(ctx: RequestContext): Principal {
  if (ctx.actor.principal) return ctx.actor.principal;
  if (ctx.actor.kind === 'system' || ctx.actor.kind === 'import') return SYSTEM;
  return ANONYMOUS;
}

function deny(w: ProposedWrite, status: 401 | 403, fr: string, en: string, reason: string): AccessDeniedError {
  const issue: Issue = { severity: 'error', code: status === 401 ? 'login' : 'forbidden', fr, en };
  return new AccessDeniedError(status, [issue], { action: w.action, type: w.type, id: w.id }, reason);
}

export class MatrixWriteAuthorizer implements WriteAuthorizer {
  /** May this person update the resource (its perimeter covers it)? Such people read it unredacted. */
  async mayUpdate(q: Queryable, p: Principal, resource: Resource): Promise<boolean> {
    if (!isResourceType(resource.resourceType) || !resource.id) return false;
    try {
      await this.check(q, p, { action: 'update', type: resource.resourceType, id: resource.id, current: resource, next: resource });
      return true;
    } catch (e) {
      if (e instanceof AccessDeniedError) return false;
      throw e;
    }
  }

  async authorize(tx: Queryable, ctx: RequestContext, w: ProposedWrite): Promise<void> {
    // A redacted copy written back would silently drop what its reader could not see.
    if (w.next?.meta?.security?.some((s) => s.system === REDACTED_SYSTEM && s.code === REDACTED_CODE)) {
      throw fhirError(422, 'business-rule',
        'Cette ressource est une copie expurgée (meta.security REDACTED) : elle ne peut pas être enregistrée',
        'This resource is a redacted copy (meta.security REDACTED): it cannot be written back', `${w.type}.meta.security`);
    }
    return this.check(tx, principalOf(ctx), w);
  }

  private async check(tx: Queryable, p: Principal, w: ProposedWrite): Promise<void> {
    if (p.kind === 'system') return;
    if (p.kind === 'anonymous') {
      throw deny(w, 401, 'Authentification requise pour modifier des données', 'Authentication required to write', 'anonymous');
    }
    const rule: Rule = ruleFor(p, w.type, w.action);
    const refuse = (why: string, fr: string) =>
      deny(w, 403, `Écriture refusée sur ${w.type}/${w.id} : ${fr}`, `Write refused on ${w.type}/${w.id}: ${why}`, why);
    switch (rule) {
      case 'all':
        return;
      case 'none':
      case 'filtered':
        throw refuse(`${w.action} of ${w.type} is not allowed for this account`, `action « ${w.action} » non autorisée pour ce compte`);
      case 'region':
        if (p.kind !== 'user') throw refuse('no region', 'aucune région');
        return this.checkRegion(p, w, refuse);
      case 'structure':
        if (p.kind !== 'user') throw refuse('no structure', 'aucune structure');
        return this.checkStructure(tx, p, w, refuse);
      case 'own':
        if (p.kind !== 'user') throw refuse('no practitioner', 'aucun professionnel');
        return this.checkOwn(tx, p, w, refuse);
    }
  }

  private checkRegion(p: UserPrincipal, w: ProposedWrite, refuse: (why: string, fr: string) => Error): void {
    const before = w.current ? regionOf(w.current) : undefined;
    const after = w.next ? regionOf(w.next) : undefined;
    for (const r of [before, after]) {
      if (r === undefined) continue;
      if (r === null || !p.regions.includes(r)) {
        throw refuse(`region ${r ?? '(none)'} is outside the account's regions`, `la région ${r ?? '(aucune)'} n'est pas dans le périmètre du compte`);
      }
    }
    if (before !== undefined && after !== undefined && before !== after) {
      throw refuse(`a resource cannot be moved from region ${before} to ${after}`, `une ressource ne peut pas changer de région (${before} → ${after})`);
    }
  }

  /** Both the current and the proposed version must hang below one of the referent's EJ/EG. */
  private async checkStructure(tx: Queryable, p: UserPrincipal, w: ProposedWrite, refuse: (why: string, fr: string) => Error): Promise<void> {
    for (const version of [w.current, w.next]) {
      if (!version) continue;
      const anchors = await anchorOrganizations(tx, { ...version, id: w.id });
      const above = await organizationsAbove(tx, anchors);
      if (w.type === 'Organization') above.add(w.id);
      if (!p.organizations.some((o) => above.has(o))) {
        throw refuse('the resource is outside the structures of the account', 'la ressource est hors des structures du compte');
      }
    }
  }

  /** A professional: its Practitioner, its PractitionerRoles, the city offers they point to and their places. */
  private async checkOwn(tx: Queryable, p: UserPrincipal, w: ProposedWrite, refuse: (why: string, fr: string) => Error): Promise<void> {
    const me = p.practitioner;
    if (!me) throw refuse('the account has no practitioner', 'le compte n\'est rattaché à aucun professionnel');
    const versions = [w.current, w.next].filter((v): v is Resource => !!v);
    const ownOffers = async (): Promise<Set<string>> => {
      const roles = await rolesOfPractitioner(tx, me);
      const offers = await offersByIds(tx, roles.flatMap((r) => refIds(r.healthcareService, 'HealthcareService')));
      return new Set(offers.filter((o) => factsOfOffer(o).city).map((o) => o.id!));
    };
    let ok: boolean;
    switch (w.type) {
      case 'Practitioner':
        ok = w.id === me;
        break;
      case 'PractitionerRole':
        ok = versions.every((v) => refId(v.practitioner, 'Practitioner') === me);
        break;
      case 'HealthcareService': {
        const mine = await ownOffers();
        ok = mine.has(w.id) && versions.every((v) => factsOfOffer(v).city);
        break;
      }
      case 'Location': {
        const mine = await ownOffers();
        const at = await offersAtLocation(tx, w.id);
        ok = at.some((o) => mine.has(o.id!));
        break;
      }
      default:
        ok = false;
    }
    if (!ok) throw refuse('the resource is not the professional\'s own', 'la ressource n\'appartient pas au professionnel');
  }
}
