/**
 * Which stored rows a bulk reader may pass on as PostgreSQL gives them, without parsing them for the read guard.
 *
 * `ror_redaction_features(content, detail_systems)` (migration 105) tells, as bits, what of a resource
 * `redact()` could ever remove; a bit is set whenever in doubt. A row is *plain* for a caller when none of the
 * element rules those bits (and the resource type) put at stake withholds anything from the caller's profile,
 * nor from an anonymous visitor's (otherwise the read would have to be audited as disclosing restricted data):
 * then `ReadGuard.view` would return the resource itself and audit nothing. Every other row goes through the
 * guard as before. redaction-features.test.ts checks the claim against `redact()` itself, for every profile and
 * every combination of facts, on real and edge-case resources.
 */
import type { ResourceType } from '../fhir/resource-types.ts';
import { ruleFor, visibilityOf, type ElementKey, type ReadProfile } from './access-matrix.ts';
import { readProfileOf, type Principal } from './principal.ts';
import { DETAIL_SYSTEMS } from './redact.ts';

export const FEATURE = { restrictedContact: 1, orsan: 2, offerDetails: 4, capacity: 8, sensitiveUnit: 16 } as const;

/** The SQL expression of the features of `content` (a jsonb column); `param` holds `DETAIL_PATTERNS`. */
export function featuresSql(content: string, param: string): string {
  return `ror_redaction_features(${content}, ${param}::jsonb[])`;
}
export const DETAIL_SYSTEM_LIST: readonly string[] = [...DETAIL_SYSTEMS];
/** One characteristic list per restricted detail system, as the SQL function tests containment. */
export const DETAIL_PATTERNS: readonly string[] = DETAIL_SYSTEM_LIST.map((system) => JSON.stringify([{ coding: [{ system }] }]));

/** The element rules a resource of `type` with these features could lose something to. */
function rulesAtStake(type: ResourceType, features: number): ElementKey[] {
  const keys: ElementKey[] = [];
  if (features & FEATURE.restrictedContact) keys.push('contact-restricted', 'contact-very-restricted');
  if (features & FEATURE.orsan) keys.push('orsan');
  if (features & FEATURE.offerDetails) keys.push('offer-details');
  if (features & FEATURE.capacity) keys.push('capacity');
  if (features & FEATURE.sensitiveUnit) keys.push('sensitive-offer');
  // Hidden whole depending on the offers they hang on (city offers, sensitive units): facts the row lacks.
  if (type === 'Practitioner' || type === 'PractitionerRole') keys.push('practitioner');
  if (type === 'PractitionerRole') keys.push('sensitive-offer');
  return keys;
}

const unchangedFor = (profile: ReadProfile, keys: ElementKey[]) => profile === 'full' || keys.every((k) => visibilityOf(k, profile) === 'all');

/**
 * For one caller and one resource type: does a row with these features come out of the read guard unchanged
 * and unaudited? Undefined when no row of the type can be (the caller may not read it, or its rows depend on
 * facts of other rows): every row then goes to the guard.
 */
export function plainRowTest(principal: Principal, type: ResourceType): ((features: number) => boolean) | undefined {
  if (ruleFor(principal, type, 'read') === 'none') return undefined;
  const profile = readProfileOf(principal);
  // The system reads whole and audits nothing; an anonymous visitor, or a caller of the anonymous profile (0),
  // sees what an anonymous visitor sees: nothing "restricted" to audit.
  const audited = principal.kind !== 'system' && principal.kind !== 'anonymous' && profile !== 0;
  // A type whose rows are at stake without any feature (practices under profile 0) is never plain: the
  // features need not be computed.
  const typeKeys = rulesAtStake(type, 0);
  if (!(unchangedFor(profile, typeKeys) && (!audited || unchangedFor(0, typeKeys)))) return undefined;
  const cache = new Map<number, boolean>();
  return (features) => {
    let plain = cache.get(features);
    if (plain === undefined) {
      const keys = rulesAtStake(type, features);
      plain = unchangedFor(profile, keys) && (!audited || unchangedFor(0, keys));
      cache.set(features, plain);
    }
    return plain;
  };
}
