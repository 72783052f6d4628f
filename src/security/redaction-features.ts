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
import { sqlLiteral } from '../db/sql-literal.ts';
import { CHAMP_ACTIVITE_SYSTEM, DETAIL_SYSTEMS, FIELD_CITY, FIELD_MEDICO_SOCIAL, levelRule, shown, type ReadFacts } from './redact.ts';

export const FEATURE = { restrictedContact: 1, orsan: 2, offerDetails: 4, capacity: 8, sensitiveUnit: 16 } as const;
/**
 * The read facts of a practitioner or a practice (read-guard.ts readFactsOfMany: the live offers of its live roles, or
 * the live offers it references), as bits beside the features; `known` says they were computed (factBitsSql).
 */
export const FACT = { city: 32, medicoSocial: 64, sensitive: 128, known: 256 } as const;
/** The types whose rows carry fact bits (factBitsSql). */
export const FACT_TYPES: ReadonlySet<ResourceType> = new Set(['Practitioner', 'PractitionerRole']);

/** The SQL expression of the features of `content` (a jsonb column); `param` holds `DETAIL_PATTERNS`. */
export function featuresSql(content: string, param: string): string {
  return `ror_redaction_features(${content}, ${param}::jsonb[])`;
}
export const DETAIL_SYSTEM_LIST: readonly string[] = [...DETAIL_SYSTEMS];
/** One characteristic list per restricted detail system, as the SQL function tests containment. */
export const DETAIL_PATTERNS: readonly string[] = DETAIL_SYSTEM_LIST.map((system) => JSON.stringify([{ coding: [{ system }] }]));

/** The bits of one offer's facts (redact.ts factsOfOffer) from its generated columns (as OFFER_FACT_COLUMNS in read-guard.ts). */
const offerFactBits = (hs: string) => `(CASE WHEN '${CHAMP_ACTIVITE_SYSTEM}|${FIELD_CITY}' = ANY(${hs}.f_type_codings) THEN ${FACT.city} ELSE 0 END
  | CASE WHEN '${CHAMP_ACTIVITE_SYSTEM}|${FIELD_MEDICO_SOCIAL}' = ANY(${hs}.f_type_codings) THEN ${FACT.medicoSocial} ELSE 0 END
  | CASE WHEN ${hs}.sensitive THEN ${FACT.sensitive} ELSE 0 END)`;

/**
 * The SQL expression of the fact bits of the row aliased `m`, for the types whose visibility depends on other rows
 * and whose facts are cheap to read this way — through the search index, as readFactsOfMany reads a practitioner's:
 * the live offers its live roles reference (a practice: the live offers it references); undefined for the others.
 * (Reading a practice's references from its JSON instead costs a decompression of the document per row: 10× slower.)
 */
export function factBitsSql(type: ResourceType, m: string): string | undefined {
  switch (type) {
    case 'Practitioner':
      // A practitioner is "sensitive" only through its roles (readFactsOf): never the bit.
      return `(SELECT ${FACT.known} | coalesce(bit_or(${offerFactBits('hs')} & ${~FACT.sensitive}), 0) FROM search_reference p
        JOIN practitioner_role pr ON pr.id = p.id AND NOT pr.deleted
        JOIN search_reference s ON s.rtype = 'PractitionerRole' AND s.param = 'service' AND s.id = p.id
        JOIN healthcare_service hs ON hs.id = s.target_id AND NOT hs.deleted
        WHERE p.rtype = 'PractitionerRole' AND p.param = 'practitioner' AND p.target_id = ${m}.id)`;
    case 'PractitionerRole':
      return `(SELECT ${FACT.known} | coalesce(bit_or(${offerFactBits('hs')}), 0) FROM search_reference s
        JOIN healthcare_service hs ON hs.id = s.target_id AND NOT hs.deleted
        WHERE s.rtype = 'PractitionerRole' AND s.param = 'service' AND s.id = ${m}.id)`;
    default:
      return undefined;
  }
}

/** The types whose rows store their features (migration 114: column `redaction_features`, computed at each write). */
export const STORED_FEATURE_TYPES: ReadonlySet<ResourceType> = new Set(['Organization', 'Location', 'HealthcareService', 'Practitioner', 'PractitionerRole']);

/**
 * The SQL expression of all the bits of a row of `type` aliased `m`: its features (stored, or computed with `param`
 * holding DETAIL_PATTERNS), and its facts where factBitsSql has them.
 */
export function rowBitsSql(type: ResourceType, m: string, param: string): string {
  const features = STORED_FEATURE_TYPES.has(type) ? `${m}.redaction_features` : featuresSql(`${m}.content`, param);
  const facts = factBitsSql(type, m);
  return facts ? `(${features} | ${facts})` : features;
}

/** The facts the bits carry, when they were computed. */
export function factsOfBits(bits: number): ReadFacts | undefined {
  if (!(bits & FACT.known)) return undefined;
  return { city: !!(bits & FACT.city), medicoSocial: !!(bits & FACT.medicoSocial), sensitive: !!(bits & FACT.sensitive) };
}

/**
 * What the guard does with a row: passes it unchanged and unaudited, hides it, or must read it to tell — or only
 * removes what the database can remove itself (`databaseRedactionSql`): for a practitioner or a practice it shows,
 * the telecoms whose confidentiality level (redact.ts levelOf: '1', '2', '3' for any other) is not among the listed
 * ones (`ror_redact_telecoms`, migration 115: `telecomLevels` reads the list back); for a place, where no rule
 * depends on facts, those telecoms and, with ', no capacity', every capacity (`ror_redact_capacities`, migration 116).
 */
export type RowVerdict = 'plain' | 'hidden' | 'guard' | `telecoms ${string}`;

const NO_CAPACITY = ', no capacity';

/** Whether the database can redact a row of this verdict itself ('telecoms …': databaseRedactionSql). */
export function redactedByDatabase(verdict: RowVerdict): boolean {
  return verdict.startsWith('telecoms ');
}

/** The levels a 'telecoms …' verdict keeps (undefined for the other verdicts). */
export function telecomLevels(verdict: RowVerdict): string[] | undefined {
  return redactedByDatabase(verdict) ? verdict.slice('telecoms '.length).replace(NO_CAPACITY, '').split('') : undefined;
}

/** The SQL expression of `content` (jsonb) as a 'telecoms …' verdict says the database redacts it. */
export function databaseRedactionSql(verdict: RowVerdict, content: string): string {
  const levels = telecomLevels(verdict);
  if (!levels) throw new Error(`no database redaction for the verdict ${verdict}`);
  const telecoms = `ror_redact_telecoms(${content}, ${sqlLiteral(levels)}::text[])`;
  return verdict.endsWith(NO_CAPACITY) ? `ror_redact_capacities(${telecoms})` : telecoms;
}

/** The confidentiality levels of a telecom as the database tells them (migration 115: '3' for any level but 1 and 2). */
const LEVELS = ['1', '2', '3'] as const;

/** The element rules the features say a resource could lose something to. */
function elementKeys(features: number): ElementKey[] {
  const keys: ElementKey[] = [];
  if (features & FEATURE.restrictedContact) keys.push('contact-restricted', 'contact-very-restricted');
  if (features & FEATURE.orsan) keys.push('orsan');
  if (features & FEATURE.offerDetails) keys.push('offer-details');
  if (features & FEATURE.capacity) keys.push('capacity');
  if (features & FEATURE.sensitiveUnit) keys.push('sensitive-offer');
  return keys;
}

/**
 * What redact() surely does to a row of `type` with these bits for `profile` (as redact.ts reads them): without
 * facts a rule is harmless only when it shows its element to everyone; with facts, when it shows it given them.
 */
function verdictFor(profile: ReadProfile, type: ResourceType, bits: number): RowVerdict {
  if (profile === 'full') return 'plain';
  const facts = factsOfBits(bits);
  const ok = (key: ElementKey) => (facts ? shown(visibilityOf(key, profile), facts) : visibilityOf(key, profile) === 'all');
  if (type === 'Practitioner' || type === 'PractitionerRole') {
    // Hidden whole depending on the offers they hang on (city offers, sensitive units).
    const sensitiveHidden = type === 'PractitionerRole' && (facts ? facts.sensitive : true) && !ok('sensitive-offer');
    if (sensitiveHidden || !ok('practitioner')) return facts ? 'hidden' : 'guard';
  }
  if (elementKeys(bits).every(ok)) return 'plain';
  const kept = () => LEVELS.filter((level) => ok(levelRule(level))).join('');
  // Shown: redact() only filters the telecoms of these types (their one element rule), by level.
  if (facts && FACT_TYPES.has(type)) return `telecoms ${kept()}`;
  // A place: redact() filters its telecoms by level and its capacities; without facts, the database can do it when
  // each of those rules shows its element to all or to none.
  const allOrNone = (key: ElementKey) => ['all', 'none'].includes(visibilityOf(key, profile));
  if (type === 'Location' && allOrNone('capacity') && LEVELS.every((level) => allOrNone(levelRule(level)))) {
    return `telecoms ${kept()}${bits & FEATURE.capacity && !ok('capacity') ? NO_CAPACITY : ''}`;
  }
  return 'guard';
}

/** Every value the bits can take. */
export const ALL_BITS: readonly number[] = Array.from({ length: Object.values({ ...FEATURE, ...FACT }).reduce((a, b) => a | b, 0) + 1 }, (_, i) => i);

/**
 * For one caller and one resource type: what the read guard does with a row of these bits — 'plain' when it would
 * return it unchanged and audit nothing, 'hidden' when it would hide it (never for a user, who may maintain it and
 * then see it whole), 'telecoms …' when it would only filter a practitioner's, a practice's or a place's telecoms by
 * level (and a place's capacities) and audit nothing, 'guard' when only the guard can tell. Undefined when every row goes to the guard (the caller
 * may not read the type, or no bits could tell): the bits need not be computed.
 */
export function rowVerdictTest(principal: Principal, type: ResourceType): ((bits: number) => RowVerdict) | undefined {
  if (ruleFor(principal, type, 'read') === 'none') return undefined;
  const profile = readProfileOf(principal);
  // The system reads whole and audits nothing; an anonymous visitor, or a caller of the anonymous profile (0),
  // sees what an anonymous visitor sees: nothing "restricted" to audit.
  const audited = principal.kind !== 'system' && principal.kind !== 'anonymous' && profile !== 0;
  const verdict = (bits: number): RowVerdict => {
    const own = verdictFor(profile, type, bits);
    // A user may maintain the row, and then sees it whole: only the guard can tell what it hides or removes.
    if (own !== 'plain' && principal.kind === 'user') return 'guard';
    if (own === 'hidden') return own;
    // Audited: plain (or telecoms filtered) only when an anonymous visitor would see the same (nothing restricted
    // disclosed).
    return own !== 'guard' && audited && verdictFor(0, type, bits) !== own ? 'guard' : own;
  };
  const table = ALL_BITS.map(verdict);
  const withFacts = FACT_TYPES.has(type);
  const possible = ALL_BITS.filter((b) => (withFacts ? (b & FACT.known) !== 0 : b < FACT.city));
  return possible.every((b) => table[b] === 'guard') ? undefined : (bits) => table[bits] ?? 'guard';
}

/**
 * Whether, for this caller, the 'hidden' verdict of a row of `type` (with its fact bits) drops every row the access
 * predicate of the type excludes (access-predicate.ts), so that a reader of the bits need not evaluate the predicate
 * too. For practices and practitioners the predicate tests only what the facts tell — a live role in a live city offer
 * when the profile shows practitioners of city offers only, no sensitive offer when it shows no sensitive unit — and
 * redact() hides those rows for the same reasons; a user's verdict never hides (it goes to the guard). The export
 * tests compare both ways on every caller (redaction-features.test.ts).
 */
export function verdictCoversAccess(principal: Principal, type: ResourceType): boolean {
  return FACT_TYPES.has(type) && principal.kind !== 'user'
    && ruleFor(principal, type, 'search') !== 'none' && ruleFor(principal, type, 'read') !== 'none';
}
